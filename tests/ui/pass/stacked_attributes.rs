//! Stacked scope attributes apply in the written order, outermost first.
#![deny(warnings)]

use scope_runtime::{
    get_name_scope, get_variable, get_variable_scope, name_scope, template, variable_scope, Graph,
    ScopeError, Variable,
};

#[name_scope("outer")]
#[variable_scope("inner")]
fn name_then_variable() -> (String, String) {
    (get_name_scope(), get_variable_scope().name().to_string())
}

#[variable_scope("model")]
#[template("head")]
#[name_scope("ops")]
fn head() -> Result<(Variable, String), ScopeError> {
    Ok((get_variable("w").shape(&[1]).get()?, get_name_scope()))
}

fn main() {
    let graph = Graph::new();
    let _default = graph.as_default();
    assert_eq!(
        name_then_variable(),
        ("outer/inner".to_string(), "inner".to_string())
    );
    let (w, ns) = head().unwrap();
    assert_eq!((w.name(), ns.as_str()), ("model/head/w:0", "model/head/ops"));
    let (shared, ns) = head().unwrap();
    assert_eq!(shared, w);
    // Re-entered under `model_1`, where the template leaf `head` is still free.
    assert_eq!(ns, "model_1/head/ops");
}
