//! `Graph::explain` for variables a layer made: the layer's scope and its
//! variables are defined at the user's call of the layer (this file), not
//! inside the runtime's layer code; so are sharing errors.

#![forbid(unsafe_code)]

use scope_runtime::layers::{self, LayerValue};
use scope_runtime::{slim, variable_scope, Explanation, Graph};

/// Every part of `e` is defined in this file, the layer's scope and the
/// variable at `line`.
fn defined_here(e: &Explanation, line: u32) {
    assert!(e.parts.len() >= 2, "{e}");
    for p in &e.parts {
        let at = p
            .defined_at
            .unwrap_or_else(|| panic!("no site for `{}`: {e}", p.text));
        assert_eq!(at.0.file(), file!(), "{e}");
    }
    for p in &e.parts[e.parts.len() - 2..] {
        assert_eq!(p.defined_at.map(|at| at.0.line()), Some(line), "{e}");
    }
}

#[test]
fn tf_layers_report_the_callers_line() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let _vs = variable_scope("model").enter().unwrap();
    let x = LayerValue::shape_only(&[None, Some(5)]);
    let (y, line) = (layers::dense(3).apply(x).unwrap(), line!());
    let e = graph.explain("model/dense/kernel").unwrap();
    defined_here(&e, line);
    let bn = layers::batch_normalization();
    let (_, bn_line) = (bn.apply(y.value).unwrap(), line!());
    let e = graph.explain("model/batch_normalization/gamma").unwrap();
    defined_here(&e, bn_line);
    let kernel = graph.stored_variable("model/dense/kernel").unwrap();
    assert_eq!(kernel.defined_at().0.file(), file!());
    assert_eq!(kernel.defined_at().0.line(), line);
}

#[test]
fn slim_layers_report_the_callers_line() {
    let graph = Graph::new();
    let _g = graph.as_default();
    let x = LayerValue::shape_only(&[None, Some(4)]);
    let (_, line) = (slim::fully_connected(2).apply(x).unwrap(), line!());
    defined_here(&graph.explain("fully_connected/weights").unwrap(), line);
    // The same layer again, unshared: the error names the first call's line.
    let x = LayerValue::shape_only(&[None, Some(4)]);
    let e = slim::fully_connected(2)
        .scope("fully_connected")
        .apply(x)
        .unwrap_err()
        .to_string();
    assert!(e.contains(&format!("{}:{line}:", file!())), "{e}");
}
