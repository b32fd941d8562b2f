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

use std::collections::HashMap;
use std::hint::black_box;

use candle_core::{DType, Device};
use candle_nn::{Init, VarBuilder, VarMap};
use scope_runtime::{get_variable, name_scope, variable_scope, Graph, Initializer, Variable};

fn populated(n: usize) -> (Graph, VarMap) {
    let graph = Graph::with_seed(0);
    let varmap = VarMap::new();
    {
        let _d = graph.as_default();
        for s in 0..100 {
            let _vs = variable_scope(format!("s{s}").as_str()).enter().unwrap();
            for i in 0..n / 100 {
                get_variable(&format!("w{i}"))
                    .shape(&[1])
                    .initializer(Initializer::Zeros)
                    .get()
                    .unwrap();
                varmap
                    .get(
                        1,
                        &format!("s{s}.w{i}"),
                        Init::Const(0.),
                        DType::F32,
                        &Device::Cpu,
                    )
                    .unwrap();
            }
        }
        let _m = variable_scope("model").enter().unwrap();
        let _l = variable_scope("layer").enter().unwrap();
        get_variable("w").shape(&[4]).get().unwrap();
        varmap
            .get(
                4,
                "model.layer.w",
                Init::Const(0.),
                DType::F32,
                &Device::Cpu,
            )
            .unwrap();
    }
    (graph, varmap)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let op = args.get(1).map(String::as_str).unwrap_or("lookup_entered");
    let reps: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(100_000);
    let n: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(1_000);
    let (graph, varmap) = populated(n);
    let _d = graph.as_default();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    let floor: HashMap<String, Variable> = graph
        .variables()
        .into_iter()
        .map(|v| (v.op_name().to_string(), v))
        .collect();
    let names: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
    let scopes: Vec<String> = (0..100).map(|i| format!("s{i}")).collect();
    let keep = hot(op, reps, &vb, &floor, &names, &scopes);
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
    names: &[String],
    scopes: &[String],
) -> Keep {
    match op {
        "lookup_entered" => {
            let _m = variable_scope("model").enter().unwrap();
            let _l = variable_scope("layer").reuse(true).enter().unwrap();
            for _ in 0..reps {
                black_box(get_variable(black_box("w")).shape(&[4]).get().unwrap());
            }
        }
        "lookup_enter_per_call" => {
            for _ in 0..reps {
                let _m = variable_scope(black_box("model")).enter().unwrap();
                let _l = variable_scope(black_box("layer"))
                    .reuse(true)
                    .enter()
                    .unwrap();
                black_box(get_variable(black_box("w")).shape(&[4]).get().unwrap());
            }
        }
        "lookup_enter_per_call_no_aux" => {
            for _ in 0..reps {
                let _m = variable_scope(black_box("model"))
                    .auxiliary_name_scope(false)
                    .enter()
                    .unwrap();
                let _l = variable_scope(black_box("layer"))
                    .reuse(true)
                    .auxiliary_name_scope(false)
                    .enter()
                    .unwrap();
                black_box(get_variable(black_box("w")).shape(&[4]).get().unwrap());
            }
        }
        "candle_lookup" => {
            for _ in 0..reps {
                black_box(vb.pp("model").pp("layer").get(4, black_box("w")).unwrap());
            }
        }
        "hashmap_floor" => {
            let key = String::from("model/layer/w");
            for _ in 0..reps {
                black_box(floor.get(black_box(key.as_str())).cloned().unwrap());
            }
        }
        "enter_exit" | "enter_exit_reuse" | "name_scope" => {
            let _m = variable_scope("model").enter().unwrap();
            for _ in 0..reps {
                match op {
                    "enter_exit" => drop(black_box(
                        variable_scope(black_box("layer")).enter().unwrap(),
                    )),
                    "enter_exit_reuse" => drop(black_box(
                        variable_scope(black_box("layer"))
                            .reuse(true)
                            .enter()
                            .unwrap(),
                    )),
                    _ => drop(black_box(name_scope(black_box("layer")).unwrap())),
                }
            }
        }
        "candle_pp" => {
            let m = vb.pp("model");
            for _ in 0..reps {
                black_box(m.pp(black_box("layer")));
            }
        }
        "create" => {
            let mut kept = Vec::new();
            for _ in 0..reps {
                let g = Graph::with_seed(0);
                let _d = g.as_default();
                for s in scopes {
                    let _vs = variable_scope(s.as_str()).enter().unwrap();
                    for w in names {
                        black_box(
                            get_variable(w)
                                .shape(&[4])
                                .initializer(Initializer::Zeros)
                                .get()
                                .unwrap(),
                        );
                    }
                }
                drop(_d);
                kept.push(g);
            }
            return Keep::Graphs(kept);
        }
        "candle_create" => {
            let mut kept = Vec::new();
            for _ in 0..reps {
                let vm = VarMap::new();
                let vb = VarBuilder::from_varmap(&vm, DType::F32, &Device::Cpu);
                for s in scopes {
                    let vs = vb.pp(s);
                    for w in names {
                        black_box(vs.get_with_hints(4, w, Init::Const(0.)).unwrap());
                    }
                }
                drop(vb);
                kept.push(vm);
            }
            return Keep::VarMaps(kept);
        }
        other => panic!("unknown op {other}"),
    }
    Keep::Nothing
}
