//! One operation of the benchmark `reps` times, for callgrind:
//!
//! ```sh
//! cargo build --profile bench --example profile   # bench profile: debug info
//! valgrind --tool=callgrind target/release/examples/profile lookup_entered 0
//! valgrind --tool=callgrind target/release/examples/profile lookup_entered 100000
//! ```
//!
//! (instructions of the second run minus the first) / reps = instructions
//! per operation; `callgrind_annotate --inclusive=yes` on the second run
//! says where they go. Add `--collect-atstart=no --toggle-collect='profile::hot'`
//! to count only the measured loop. Ops: lookup_entered, lookup_enter_per_call,
//! candle_lookup, hashmap_floor, enter_exit, enter_exit_reuse, name_scope,
//! candle_pp, create (reps = number of 10k-variable graphs), candle_create.

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::hint::black_box;

use bench_vs_candle::{self as ops, populated};
use candle_core::{DType, Device};
use candle_nn::{VarBuilder, VarMap};
use scope_runtime::{variable_scope, Graph, Variable};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let op = args.get(1).map(String::as_str).unwrap_or("lookup_entered");
    let reps: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(100_000);
    let n: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(1_000);
    let p = populated(n);
    let _d = p.graph.as_default();
    let vb = VarBuilder::from_varmap(&p.varmap, DType::F32, &Device::Cpu);
    let (scopes, names) = ops::create_names();
    let keep = hot(op, reps, &vb, &p.floor, (&scopes, &names));
    drop(keep); // outside the counted function, as in the benchmark
}

/// What `create` / `candle_create` built, dropped outside the count.
#[allow(dead_code)] // held only to be dropped later
enum Keep {
    Nothing,
    Graphs(Vec<Graph>),
    VarMaps(Vec<VarMap>),
}

/// The measured loop; `valgrind --tool=callgrind --collect-atstart=no
/// --toggle-collect='profile::hot'` counts only this.
#[inline(never)]
fn hot(
    op: &str,
    reps: usize,
    vb: &VarBuilder<'_>,
    floor: &HashMap<String, Variable>,
    (scopes, names): (&[String], &[String]),
) -> Keep {
    match op {
        "lookup_entered" => {
            let _m = variable_scope("model").enter().unwrap();
            let _l = variable_scope("layer").reuse(true).enter().unwrap();
            (0..reps).for_each(|_| drop(black_box(ops::lookup_in_entered_scope())));
        }
        "lookup_enter_per_call" => {
            (0..reps).for_each(|_| drop(black_box(ops::lookup_enter_per_call())));
        }
        "lookup_enter_per_call_no_aux" => {
            (0..reps).for_each(|_| drop(black_box(ops::lookup_enter_per_call_no_aux())));
        }
        "candle_lookup" => {
            (0..reps).for_each(|_| drop(black_box(ops::candle_lookup(vb))));
        }
        "hashmap_floor" => {
            let key = String::from("model/layer/w");
            (0..reps).for_each(|_| drop(black_box(ops::floor_lookup(floor, &key))));
        }
        "enter_exit" | "enter_exit_reuse" | "name_scope" => {
            let _m = variable_scope("model").enter().unwrap();
            let f = match op {
                "enter_exit" => ops::enter_exit,
                "enter_exit_reuse" => ops::enter_exit_reuse,
                _ => ops::name_scope_enter_exit,
            };
            (0..reps).for_each(|_| f());
        }
        "candle_pp" => {
            let m = vb.pp("model");
            (0..reps).for_each(|_| drop(black_box(ops::candle_pp(&m))));
        }
        "create" => {
            let kept = (0..reps)
                .map(|_| ops::create_10k(Graph::with_seed(0), scopes, names))
                .collect();
            return Keep::Graphs(kept);
        }
        "candle_create" => {
            let kept = (0..reps)
                .map(|_| ops::candle_create_10k(VarMap::new(), scopes, names))
                .collect();
            return Keep::VarMaps(kept);
        }
        other => panic!("unknown op {other}"),
    }
    Keep::Nothing
}
