//! The macro options of TF1's variable API — `initializer`,
//! `regularizer`, `partitioner`, `custom_getter` — on scopes and
//! `get_variable!`, each compared with the names TensorFlow produced for a
//! scenario of the shared corpus (`expect.rs`).

#![forbid(unsafe_code)]

#[path = "macros_tf/expect.rs"]
mod expect;

use std::sync::{Arc, Mutex, PoisonError};

use expect::{expected, Log};
use scope_runtime::{
    get_regularization_losses, get_variable, global_variables, scope, trainable_variables,
    variable_scope, CustomGetter, Graph, Initializer, Partitioner, Regularizer, ScopeError,
};

type Result<T = (), E = ScopeError> = std::result::Result<T, E>;

fn fresh() -> (Graph, scope_runtime::DefaultGraphGuard) {
    let graph = Graph::new();
    let guard = graph.as_default();
    (graph, guard)
}

fn names<T>(items: &[T], name: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| name(i).to_string()).collect()
}

// ---------------------------------------------------------------------------
// initializer

#[variable_scope("outer", initializer = Initializer::Constant(0.3.into()))]
fn outer_init(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!("a", [1]));
    scope!(variable_scope("inner") {
        log.scope();
        log.var(get_variable!("b", [1]));
    });
    scope!(variable_scope("inner2", initializer = Initializer::Ones) {
        log.scope();
        log.var(get_variable!("c", [1]));
        log.var(get_variable!("d", [1], initializer = Initializer::Zeros));
    });
    Ok(())
}

#[test]
fn initializer_option_names_and_values_as_tf() {
    let _g = fresh();
    let mut log = Log::default();
    outer_init(&mut log).unwrap();
    log.var(get_variable!("e", [1]));
    assert_eq!(
        log.0,
        expected("initializer_inherited_from_scope.json", &[])
    );
    let value = |name: &str| global_variables(name)[0].to_f64_vec().unwrap();
    assert!((value("outer/inner/b")[0] - 0.3).abs() < 1e-6);
    assert_eq!(value("outer/inner2/c"), [1.0]);
    assert_eq!(value("outer/inner2/d"), [0.0]);
}

// ---------------------------------------------------------------------------
// regularizer

fn l2(scale: f64) -> Regularizer {
    Regularizer::l2(scale).expect("a valid scale")
}

fn losses(log: &mut Log) {
    log.list(names(&get_regularization_losses(""), |l| l.name()));
}

#[variable_scope("a", regularizer = l2(0.1))]
fn regularized(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!("x", [2]));
    log.var(get_variable!("y", [3, 3]));
    Ok(())
}

#[variable_scope("a", reuse)]
fn regularized_reused(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!("x", [2]));
    log.var(get_variable!("y"));
    Ok(())
}

#[variable_scope("a", reuse = auto, regularizer = l2(0.1))]
fn regularized_auto(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!("x", [2]));
    log.var(get_variable!("z", [2]));
    Ok(())
}

#[test]
fn regularizer_option_adds_tfs_losses() {
    let _g = fresh();
    let mut log = Log::default();
    regularized(&mut log).unwrap();
    losses(&mut log);
    regularized_reused(&mut log).unwrap();
    regularized_auto(&mut log).unwrap();
    losses(&mut log);
    assert_eq!(log.0, expected("api/api_regularizer_scope_basic.json", &[]));
}

#[test]
fn regularizer_option_on_get_variable() {
    let _g = fresh();
    let w = get_variable!("w", [2], regularizer = l2(0.5)).unwrap();
    assert_eq!(w.name(), "w:0");
    let losses = get_regularization_losses("");
    assert_eq!(
        names(&losses, |l| l.name()),
        ["w/Regularizer/l2_regularizer:0"]
    );
}

// ---------------------------------------------------------------------------
// partitioner

#[variable_scope("a", partitioner = Partitioner::fixed_size(2, 0))]
fn partitioned(log: &mut Log) -> Result {
    log.scope();
    log.partitioned(get_variable("x").shape(&[5, 3]).get_partitioned());
    log.partitioned(get_variable("y").shape(&[4]).get_partitioned());
    Ok(())
}

#[test]
fn partitioner_option_splits_as_tf() {
    let _g = fresh();
    let mut log = Log::default();
    partitioned(&mut log).unwrap();
    log.list(names(&global_variables(""), |v| v.name()));
    log.list(names(&trainable_variables(""), |v| v.name()));
    assert_eq!(
        log.0,
        expected("api/api_partition_fixed_size_basic.json", &[])
    );
}

#[test]
fn partitioner_option_on_get_variable_gives_a_partitioned_variable() {
    let _g = fresh();
    let p = scope!(variable_scope("a") {
        get_variable!("x", [5, 3], partitioner = Partitioner::fixed_size(2, 0))
    })
    .unwrap();
    let parts = names(p.parts(), |v| v.name());
    assert_eq!(
        (p.name(), parts.as_slice()),
        (
            "a/x",
            &["a/x/part_0:0".to_string(), "a/x/part_1:0".to_string()][..]
        )
    );
}

// ---------------------------------------------------------------------------
// custom_getter

fn rename(suffix: &'static str) -> CustomGetter {
    CustomGetter::new(move |next, mut req| {
        req.name.push_str(suffix);
        next.get(req)
    })
}

fn record(tag: &'static str, seen: &Arc<Mutex<Vec<String>>>) -> CustomGetter {
    let seen = Arc::clone(seen);
    CustomGetter::new(move |next, req| {
        seen.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(format!("{tag}:{}", req.name));
        next.get(req)
    })
}

#[test]
fn custom_getter_options_compose_as_tf() {
    let _g = fresh();
    let mut log = Log::default();
    let seen = Arc::new(Mutex::new(Vec::new()));
    scope!(variable_scope("A", custom_getter = rename("_a")) {
        log.scope();
        scope!(variable_scope("R1", custom_getter = record("r1", &seen)) {
            log.scope();
            scope!(variable_scope("B", custom_getter = rename("_b")) {
                log.scope();
                scope!(variable_scope("R2", custom_getter = record("r2", &seen)) {
                    log.scope();
                    log.var(get_variable!("v", [1]));
                });
            });
        });
    });
    let seen = seen.lock().unwrap_or_else(PoisonError::into_inner).clone();
    log.list(seen);
    log.list(names(&global_variables(""), |v| v.name()));
    assert_eq!(
        log.0,
        expected("api/api_getter_rename_composition.json", &[])
    );
}

/// `arg_scope = sc` on a scope macro re-enters a captured slim arg scope
/// for the body (`with slim.arg_scope(sc):` inside the scope): the
/// defaults apply to the slim layers there and stop at the scope's end.
#[test]
fn arg_scope_option_reenters_a_captured_slim_arg_scope() {
    use scope_runtime::layers::LayerValue;
    use scope_runtime::slim;

    #[scope_runtime::variable_scope("net", arg_scope = sc)]
    fn net(sc: &slim::ArgScope, x: &LayerValue) -> Result<Vec<Option<usize>>, ScopeError> {
        let y = slim::conv2d(4, &[3, 3])
            .apply(x.clone())
            .map_err(|e| ScopeError::InvalidArgument(e.to_string()))?;
        Ok(y.shape())
    }

    let graph = Graph::new();
    let _g = graph.as_default();
    let sc = {
        let guard = slim::arg_scope(&["conv2d"])
            .set("padding", "VALID")
            .enter()
            .unwrap();
        guard.scope().clone()
    };
    let x = LayerValue::shape_only(&[Some(1), Some(8), Some(8), Some(2)]);
    // VALID from the arg scope: 8 - 3 + 1.
    assert_eq!(
        net(&sc, &x).unwrap(),
        vec![Some(1), Some(6), Some(6), Some(4)]
    );
    assert!(graph.stored_variable("net/Conv/weights").is_some());
    // Outside the scope slim's own default (SAME) is back.
    let y = slim::conv2d(4, &[3, 3]).apply(x).unwrap();
    assert_eq!(y.shape(), vec![Some(1), Some(8), Some(8), Some(4)]);
}
