//! What the macro expansions do at run time, beyond names: definition
//! sites, errors of run-time names, guard-order errors, panics, and the
//! effect of every option.

#![forbid(unsafe_code)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use scope_runtime::{
    get_name_scope, get_variable, get_variable_scope, name_scope, scope, take_guard_error,
    template, variable_scope, DType, Graph, Initializer, Reuse, ScopeError, Variable,
};

type Result<T = (), E = ScopeError> = std::result::Result<T, E>;

fn fresh() -> (Graph, scope_runtime::DefaultGraphGuard) {
    let graph = Graph::new();
    let guard = graph.as_default();
    (graph, guard)
}

// ---------------------------------------------------------------------------
// Definition sites are the user's

#[variable_scope("sites")]
fn sites() -> Result<(Variable, u32, Variable, u32)> {
    let (by_call, call_line) = (get_variable("a").shape(&[1]).get()?, line!());
    let (by_macro, macro_line) = (get_variable!("b", [1])?, line!());
    Ok((by_call, call_line, by_macro, macro_line))
}

#[test]
fn variables_are_defined_at_the_users_line() {
    let _g = fresh();
    let (a, a_line, b, b_line) = sites().unwrap();
    for (v, line) in [(a, a_line), (b, b_line)] {
        let at = v.defined_at().0;
        assert!(
            at.file().ends_with("macros_expansion.rs"),
            "{}",
            v.defined_at()
        );
        assert_eq!(
            at.line(),
            line,
            "{} defined at {}",
            v.name(),
            v.defined_at()
        );
    }
}

// ---------------------------------------------------------------------------
// Run-time names

#[variable_scope(name = name)]
fn named(name: &str) -> Result<String> {
    Ok(format!(
        "{}|{}",
        get_variable_scope().name(),
        get_name_scope()
    ))
}

#[derive(Debug)]
enum AppError {
    Scope(ScopeError),
}

impl From<ScopeError> for AppError {
    fn from(e: ScopeError) -> Self {
        AppError::Scope(e)
    }
}

#[name_scope(name = format!("{prefix}{i}"))]
fn step(prefix: &str, i: i32) -> Result<String, AppError> {
    Ok(get_name_scope())
}

#[test]
fn an_invalid_runtime_name_is_returned_through_question_mark() {
    let _g = fresh();
    assert_eq!(named("ok").unwrap(), "ok|ok");
    let err = named("not ok").unwrap_err();
    assert_eq!(err.kind(), "InvalidName");
    // Nothing was left open, and nothing was recorded.
    assert_eq!(
        (get_name_scope(), get_variable_scope().name().to_string()),
        (String::new(), String::new())
    );
    assert_eq!(named("ok").unwrap(), "ok|ok_1");

    assert_eq!(step("step", 3).unwrap(), "step3");
    let AppError::Scope(err) = step("step ", 4).unwrap_err();
    assert_eq!(err.kind(), "InvalidName");
}

#[variable_scope(name = name, default_name = "anon")]
fn maybe_named(name: Option<&str>) -> Result<String> {
    Ok(get_variable_scope().name().to_string())
}

#[test]
fn an_optional_runtime_name_falls_back_to_the_default_name() {
    let _g = fresh();
    assert_eq!(maybe_named(None).unwrap(), "anon");
    assert_eq!(maybe_named(None).unwrap(), "anon_1");
    assert_eq!(maybe_named(Some("given")).unwrap(), "given");
}

// ---------------------------------------------------------------------------
// Guards

#[variable_scope("literal")]
fn literal_scope() -> Result<String> {
    let inside = get_variable_scope().name().to_string();
    get_variable("w").shape(&[1]).get()?;
    Ok(inside)
}

#[test]
fn an_infallible_enter_leaves_a_pending_guard_error_for_the_next_fallible_call() {
    let _g = fresh();
    let outer = name_scope("outer").enter().unwrap();
    let inner = name_scope("inner").enter().unwrap();
    drop(outer); // out of order: closes both, records GuardOrder
    drop(inner);
    // The literal scope is entered anyway; the pending error is reported by
    // the body's first fallible call, not swallowed by the macro.
    let err = literal_scope().unwrap_err();
    assert_eq!(err.kind(), "GuardOrder");
    assert!(take_guard_error().is_none());
    assert_eq!(literal_scope().unwrap(), "literal");
}

#[name_scope("panicking")]
fn panics() {
    let _ = get_name_scope();
    panic!("boom");
}

#[test]
fn a_panic_in_the_body_still_closes_the_scope() {
    let _g = fresh();
    let caught = catch_unwind(AssertUnwindSafe(panics));
    assert!(caught.is_err());
    assert_eq!(get_name_scope(), "");
    assert!(take_guard_error().is_none());
    scope!(name_scope("after") {
        assert_eq!(get_name_scope(), "after");
    });
}

#[variable_scope("per_graph")]
fn per_graph() -> Result<Variable> {
    get_variable("w").shape(&[1]).get()
}

#[test]
fn scopes_follow_the_default_graph() {
    let (first, _g) = fresh();
    let a = per_graph().unwrap();
    {
        let second = Graph::new();
        let _second = second.as_default();
        let b = per_graph().unwrap();
        assert_eq!((b.name(), b.graph_id()), ("per_graph/w:0", second.id()));
    }
    assert_eq!(a.graph_id(), first.id());
    assert_eq!(per_graph().unwrap_err().kind(), "AlreadyExists");
}

// ---------------------------------------------------------------------------
// Options

#[variable_scope("typed", initializer = Initializer::constant(0.5), dtype = f64)]
fn typed() -> Result<Variable> {
    get_variable("w").shape(&[2]).get()
}

#[test]
fn initializer_and_dtype_are_the_scopes_defaults() {
    let _g = fresh();
    let w = typed().unwrap();
    assert_eq!(w.dtype(), DType::F64);
    assert_eq!(w.to_f64_vec().unwrap(), [0.5, 0.5]);
}

#[variable_scope("quiet", auxiliary_name_scope = false)]
fn quiet() -> (String, String) {
    (get_variable_scope().name().to_string(), get_name_scope())
}

#[test]
fn auxiliary_name_scope_false_keeps_the_name_scope() {
    let _g = fresh();
    let ns = scope!(name_scope("outside") { quiet() });
    assert_eq!(ns, ("quiet".to_string(), "outside".to_string()));
}

#[variable_scope(default_name = "block")]
fn explicit_default() -> String {
    get_variable_scope().name().to_string()
}

#[variable_scope("shared", reuse = true)]
fn shared() -> Result<Variable> {
    get_variable("w").shape(&[1]).get()
}

#[variable_scope("shared", reuse = false)]
fn create_shared() -> Result<Variable> {
    get_variable("w").shape(&[1]).get()
}

#[test]
fn default_name_and_reuse_options() {
    let _g = fresh();
    assert_eq!(
        [explicit_default(), explicit_default()],
        ["block", "block_1"]
    );
    assert_eq!(shared().unwrap_err().kind(), "NotFound");
    let w = create_shared().unwrap();
    assert_eq!(shared().unwrap(), w);
    assert_eq!(create_shared().unwrap_err().kind(), "AlreadyExists");
    assert_eq!(get_variable_scope().reuse(), Reuse::False);
}

#[template("fixed", unique_name = "fixed_name")]
fn fixed() -> Result<String> {
    Ok(get_variable_scope().name().to_string())
}

#[variable_scope("as_option", template)]
fn templated_by_option() -> Result<Variable> {
    get_variable("w").shape(&[1]).get()
}

#[test]
fn template_options() {
    let _g = fresh();
    assert_eq!(fixed().unwrap(), "fixed_name");
    assert_eq!(fixed().unwrap(), "fixed_name");
    let w = templated_by_option().unwrap();
    assert_eq!(templated_by_option().unwrap(), w);
}

#[template("grows")]
fn grows(fail: bool) -> Result<Variable> {
    let v = Variable::new("extra", 0.0f32)?;
    if fail {
        Err(ScopeError::InvalidArgument("the body failed".into()))
    } else {
        Ok(v)
    }
}

#[test]
fn a_template_reports_new_variables_unless_the_body_failed() {
    let _g = fresh();
    assert_eq!(grows(false).unwrap().name(), "grows/extra:0");
    let err = grows(false).unwrap_err();
    assert_eq!(err.kind(), "TemplateVariableCreated");
    // The body's own error wins over the end-of-call check.
    assert_eq!(grows(true).unwrap_err().kind(), "InvalidArgument");
    assert!(take_guard_error().is_none());
}

#[template("early")]
fn early(leave_early: bool) -> Result<usize> {
    Variable::new("extra", 0.0f32)?;
    if leave_early {
        return Ok(1);
    }
    Ok(2)
}

#[test]
fn an_early_return_from_a_template_counts_as_a_completed_call() {
    let _g = fresh();
    assert_eq!(early(false).unwrap(), 2);
    assert_eq!(early(false).unwrap_err().kind(), "TemplateVariableCreated");
    // `return` ends the call as the end of the body does (TF counts a
    // `return` as a completed call): the call is checked at once, and
    // nothing is left pending for the next fallible call.
    assert_eq!(early(true).unwrap_err().kind(), "TemplateVariableCreated");
    assert!(take_guard_error().is_none());
    assert!(get_variable("after").shape(&[1]).get().is_ok());
    assert_eq!(get_name_scope(), "");
}

#[template("fails_first")]
fn fails_first(fail: bool) -> Result<Variable> {
    let w = get_variable("w").shape(&[1]).get()?;
    if fail {
        Err(ScopeError::InvalidArgument("first call fails".into()))?;
    }
    Ok(w)
}

#[test]
fn leaving_a_template_with_question_mark_is_a_failed_call() {
    let _g = fresh();
    // A first call left with `?` leaves the template as if never called
    // (TF: an exception in the first call); the next call is the first.
    assert_eq!(fails_first(true).unwrap_err().kind(), "InvalidArgument");
    assert!(take_guard_error().is_none());
    assert_eq!(get_name_scope(), "");
    let err = fails_first(false).unwrap_err();
    // ... and, as in TF, it finds the variable the failed call made.
    assert_eq!(err.kind(), "AlreadyExists", "{err}");
}

#[test]
fn get_variable_macro_options() {
    let _g = fresh();
    let dims = vec![2, 3];
    let v = scope!(variable_scope("opts") {
        get_variable!("v", shape = dims, dtype = i32, trainable = false)
    })
    .unwrap();
    assert_eq!(
        (v.name(), v.shape(), v.dtype()),
        ("opts/v:0", &[2, 3][..], DType::I32)
    );
    assert!(!v.trainable());
    let name = String::from("by_value");
    let value = get_variable!(
        name = name,
        initializer = scope_runtime::Value::full(DType::F32, &[2], 1.0).unwrap()
    )
    .unwrap();
    assert_eq!(value.name(), "by_value:0");
    assert_eq!(value.to_f64_vec().unwrap(), [1.0, 1.0]);
}
