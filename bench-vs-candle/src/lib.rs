//! The operations `benches/vs_candle.rs` measures and
//! `examples/profile.rs` counts with callgrind, written once so that both
//! run exactly the same code. See `../BENCHMARKS.md`.

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::hint::black_box;

use candle_core::{DType, Device};
use candle_nn::{Init, VarBuilder, VarMap};
use scope_runtime::{get_variable, name_scope, variable_scope, Graph, Initializer, Variable};

/// Number of scopes the populated data and the creation benchmark use.
pub const SCOPES: usize = 100;

/// The same `n` variables (plus `model/layer/w`, shape [4], the one looked
/// up) in a scope graph, a candle `VarMap` (`.` separators, candle's
/// convention) and a `HashMap<String, Variable>` keyed by full name.
pub struct Populated {
    pub graph: Graph,
    pub varmap: VarMap,
    pub floor: HashMap<String, Variable>,
}

pub fn populated(n: usize) -> Populated {
    let graph = Graph::with_seed(0);
    let varmap = VarMap::new();
    let dev = Device::Cpu;
    {
        let _d = graph.as_default();
        for s in 0..SCOPES {
            let _vs = variable_scope(format!("s{s}").as_str()).enter().unwrap();
            for i in 0..n / SCOPES {
                get_variable(&format!("w{i}"))
                    .shape(&[1])
                    .initializer(Initializer::Zeros)
                    .get()
                    .unwrap();
                varmap
                    .get(1, &format!("s{s}.w{i}"), Init::Const(0.), DType::F32, &dev)
                    .unwrap();
            }
        }
        let _m = variable_scope("model").enter().unwrap();
        let _l = variable_scope("layer").enter().unwrap();
        get_variable("w").shape(&[4]).get().unwrap();
        varmap
            .get(4, "model.layer.w", Init::Const(0.), DType::F32, &dev)
            .unwrap();
    }
    let floor: HashMap<String, Variable> = graph
        .variables()
        .into_iter()
        .map(|v| (v.op_name().to_string(), v))
        .collect();
    assert_eq!(floor.len(), n + 1);
    assert_eq!(varmap.all_vars().len(), n + 1);
    Populated {
        graph,
        varmap,
        floor,
    }
}

/// The 100 scope names and 100 variable names of the creation benchmark.
pub fn create_names() -> (Vec<String>, Vec<String>) {
    (
        (0..SCOPES).map(|s| format!("s{s}")).collect(),
        (0..100).map(|i| format!("w{i}")).collect(),
    )
}

// One call of each measured operation. The scope ones run on the current
// default graph; the lookups expect `populated`'s data.

/// `get_variable("w")` inside `model/layer` (entered by the caller, reuse).
#[inline]
pub fn lookup_in_entered_scope() -> Variable {
    get_variable(black_box("w")).shape(&[4]).get().unwrap()
}

/// Both scopes entered and exited around the lookup.
#[inline]
pub fn lookup_enter_per_call() -> Variable {
    let _m = variable_scope(black_box("model")).enter().unwrap();
    let _l = variable_scope(black_box("layer"))
        .reuse(true)
        .enter()
        .unwrap();
    get_variable(black_box("w")).shape(&[4]).get().unwrap()
}

/// The same without the auxiliary name scopes (`model_N/layer`) that TF
/// opens on every entry: shows what that TF rule costs.
#[inline]
pub fn lookup_enter_per_call_no_aux() -> Variable {
    let _m = variable_scope(black_box("model"))
        .auxiliary_name_scope(false)
        .enter()
        .unwrap();
    let _l = variable_scope(black_box("layer"))
        .reuse(true)
        .auxiliary_name_scope(false)
        .enter()
        .unwrap();
    get_variable(black_box("w")).shape(&[4]).get().unwrap()
}

/// candle-nn's equivalent: `vb.pp("model").pp("layer").get(4, "w")`.
#[inline]
pub fn candle_lookup(vb: &VarBuilder<'_>) -> candle_core::Tensor {
    vb.pp(black_box("model"))
        .pp(black_box("layer"))
        .get(4, black_box("w"))
        .unwrap()
}

/// The floor: a `HashMap<String, _>` hit with a prebuilt key.
#[inline]
pub fn floor_lookup(floor: &HashMap<String, Variable>, key: &str) -> Variable {
    floor.get(black_box(key)).cloned().unwrap()
}

/// `variable_scope("layer")` entered and exited (inside `model`).
#[inline]
pub fn enter_exit() {
    drop(black_box(
        variable_scope(black_box("layer")).enter().unwrap(),
    ));
}

/// The same with `reuse(true)`.
#[inline]
pub fn enter_exit_reuse() {
    drop(black_box(
        variable_scope(black_box("layer"))
            .reuse(true)
            .enter()
            .unwrap(),
    ));
}

/// `name_scope("layer")` entered and exited.
#[inline]
pub fn name_scope_enter_exit() {
    drop(black_box(name_scope(black_box("layer")).enter().unwrap()));
}

/// candle's `pp` (the prefix `m` built by the caller).
#[inline]
pub fn candle_pp<'a>(m: &VarBuilder<'a>) -> VarBuilder<'a> {
    m.pp(black_box("layer"))
}

/// 10,000 variables over 100 scopes in `graph`; returns it to be dropped
/// outside the timing.
pub fn create_10k(graph: Graph, scopes: &[String], names: &[String]) -> Graph {
    {
        let _d = graph.as_default();
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
    }
    graph
}

/// candle's equivalent: `get_with_hints(4, w, Init::Const(0.))` under `pp(s)`.
pub fn candle_create_10k(varmap: VarMap, scopes: &[String], names: &[String]) -> VarMap {
    {
        let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
        for s in scopes {
            let vs = vb.pp(s);
            for w in names {
                black_box(vs.get_with_hints(4, w, Init::Const(0.)).unwrap());
            }
        }
    }
    varmap
}
