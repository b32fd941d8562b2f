//! The template forms of the macros — `scope!(template ..)`,
//! `#[template(create_scope_now)]`, an early `return` in a template body —
//! and partial shapes in `get_variable!`, each compared with the names
//! TensorFlow produced for a scenario (`expect.rs`).

#![forbid(unsafe_code)]

#[path = "macros_tf/expect.rs"]
mod expect;

use std::sync::{Arc, Mutex, PoisonError};

use expect::{expected, Log};
use scope_runtime::{
    get_variable, global_variables, scope, template, variable_scope, CustomGetter, Graph,
    Initializer, ScopeError, Variable,
};

type Result<T = (), E = ScopeError> = std::result::Result<T, E>;

fn fresh() -> (Graph, scope_runtime::DefaultGraphGuard) {
    let graph = Graph::new();
    let guard = graph.as_default();
    (graph, guard)
}

fn global_names() -> Vec<String> {
    global_variables("")
        .iter()
        .map(|v| v.name().to_string())
        .collect()
}

/// A template call: on success its body's results; on failure the error
/// in place of the call's scope result, then the body's other results (the
/// scenario format's order).
fn call(log: &mut Log, f: impl FnOnce(&mut Log) -> Result) {
    let mut inner = Log::default();
    match f(&mut inner) {
        Ok(()) => log.0.extend(inner.0),
        Err(e) => {
            log.0.push(format!("error {}", e.kind()));
            log.0.extend(inner.0.into_iter().skip(1));
        }
    }
}

// ---------------------------------------------------------------------------
// scope!(template ..): one template per call site and graph

/// `dummy` in the template `s1`; each of the two functions is its own
/// template, as two `make_template("s1", f)` calls are in TF.
fn first_site(log: &mut Log) -> Result {
    let w = scope!(template("s1") {
        log.scope();
        get_variable!("dummy", [1], initializer = Initializer::Zeros)
    });
    log.var(w);
    Ok(())
}

fn second_site(log: &mut Log) -> Result {
    let w = scope!(template("s1") {
        log.scope();
        get_variable!("dummy", [1], initializer = Initializer::Zeros)
    });
    log.var(w);
    Ok(())
}

#[test]
fn scope_template_segments_share_as_make_template_does() {
    let _g = fresh();
    let mut log = Log::default();
    first_site(&mut log).unwrap();
    first_site(&mut log).unwrap();
    second_site(&mut log).unwrap();
    log.list(global_names());
    // The two `make_template` results are not observable: the macro makes
    // each template at its first call.
    assert_eq!(log.0, expected("template_basic_sharing.json", &[0, 1]));
}

// ---------------------------------------------------------------------------
// #[template(create_scope_now)]

#[template("head", create_scope_now)]
fn head(log: &mut Log) -> Result<Variable> {
    log.scope();
    get_variable!("w", [1], initializer = Initializer::Zeros)
}

#[template("tail")]
fn tail(log: &mut Log) -> Result<Variable> {
    log.scope();
    get_variable!("w", [1], initializer = Initializer::Zeros)
}

#[variable_scope("outer")]
fn outer(log: &mut Log) -> Result {
    log.scope();
    for _ in 0..2 {
        let w = head(log);
        log.var(w);
    }
    for _ in 0..2 {
        let w = tail(log);
        log.var(w);
    }
    Ok(())
}

#[test]
fn create_scope_now_makes_the_scope_as_tf_does() {
    let _g = fresh();
    let mut log = Log::default();
    outer(&mut log).unwrap();
    // Skipped: the two `make_template` results (the macro makes the
    // template at its first call, in the same scope as the scenario).
    let want = expected("template_create_scope_now_at_first_call.json", &[1, 6]);
    assert_eq!(log.0, want);
}

// ---------------------------------------------------------------------------
// An early `return` is a completed call

#[template("s")]
fn creates_then_returns(log: &mut Log) -> Result {
    log.scope();
    log.var(Variable::new("Variable", 0.0f32));
    let w = get_variable!("dummy", [1], initializer = Initializer::Zeros);
    let failed = w.is_err();
    log.var(w);
    if !failed {
        // TF counts a `return` as a completed call: this call is checked
        // for new trainable variables, here, like one that ends normally.
        return Ok(());
    }
    Ok(())
}

#[template("n")]
fn creates_non_trainable(log: &mut Log) -> Result {
    log.scope();
    log.var(Variable::builder(0.0f32).trainable(false).build());
    log.var(get_variable!(
        "dummy",
        [1],
        initializer = Initializer::Zeros
    ));
    Ok(())
}

#[test]
fn an_early_return_is_checked_as_tf_checks_a_completed_call() {
    let _g = fresh();
    let mut log = Log::default();
    call(&mut log, creates_then_returns);
    call(&mut log, creates_then_returns);
    call(&mut log, creates_non_trainable);
    call(&mut log, creates_non_trainable);
    log.list(global_names());
    let want = expected(
        "template_later_call_trainable_variable_rejected.json",
        &[0, 7],
    );
    assert_eq!(log.0, want);
    assert!(scope_runtime::take_guard_error().is_none());
}

// ---------------------------------------------------------------------------
// Partial shapes in get_variable!

#[variable_scope("t")]
fn creates_t_v(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!("v", [2, 3]));
    Ok(())
}

#[variable_scope("t", reuse)]
fn shares_t_v(log: &mut Log) -> Result {
    log.scope();
    log.var(get_variable!("v", [2]));
    log.var(get_variable!("v", [3, 2]));
    log.var(get_variable!("v", [None, 3]));
    log.var(get_variable!("v", [2, _]));
    log.var(get_variable!("v", shape = [None, 4]));
    log.var(get_variable!("v", [None]));
    Ok(())
}

#[test]
fn partial_shapes_share_as_unknown_dimensions_do_in_tf() {
    let _g = fresh();
    let mut log = Log::default();
    creates_t_v(&mut log).unwrap();
    shares_t_v(&mut log).unwrap();
    assert_eq!(
        log.0,
        expected("share_shape_mismatch_and_unknown_dims.json", &[])
    );
}

#[test]
fn a_partial_shape_cannot_create() {
    let _g = fresh();
    let err = get_variable!("fresh", [None, 3]).unwrap_err();
    assert_eq!(err.kind(), "UnknownShape", "{err}");
    // The same request through the runtime, for comparison.
    let same = get_variable("fresh").partial_shape(&[None, Some(3)]).get();
    assert_eq!(same.unwrap_err().kind(), "UnknownShape");
}

// ---------------------------------------------------------------------------
// A template's custom_getter

type Seen = Arc<Mutex<Vec<String>>>;

fn record(tag: &'static str, seen: &Seen) -> CustomGetter {
    let seen = Arc::clone(seen);
    CustomGetter::new(move |next, req| {
        seen.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(format!("{tag}:{}", req.name));
        next.get(req)
    })
}

/// The records so far, cleared (a `getter_log` step).
fn getter_log(log: &mut Log, seen: &Seen) {
    let records = std::mem::take(&mut *seen.lock().unwrap_or_else(PoisonError::into_inner));
    log.list(records);
}

#[template("t", custom_getter = record("tm", seen))]
fn recorded(log: &mut Log, seen: &Seen) -> Result {
    log.scope();
    log.var(get_variable!("v", [1]));
    Ok(())
}

#[test]
fn a_templates_custom_getter_composes_where_its_scope_is_made() {
    let _g = fresh();
    let mut log = Log::default();
    let seen: Seen = Arc::default();
    scope!(variable_scope("outer", custom_getter = record("outer", &seen)) {
        log.scope();
        recorded(&mut log, &seen).unwrap();
    });
    getter_log(&mut log, &seen);
    scope!(variable_scope("other", custom_getter = record("other", &seen)) {
        log.scope();
        recorded(&mut log, &seen).unwrap();
    });
    getter_log(&mut log, &seen);
    // The scenario's first template (made at its first call, as the macro
    // makes it); its `make_template` result is not observable.
    let want = expected("api/api_getter_template.json", &[1]);
    assert_eq!(log.0, want[..8]);
}
