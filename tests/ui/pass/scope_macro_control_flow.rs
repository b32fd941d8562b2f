//! scope! keeps `?`, `return`, `break` and `continue` of the enclosing code,
//! and its value is the block's value.
#![deny(warnings)]

use scope_runtime::{get_name_scope, get_variable, scope, Graph, ScopeError, Variable};

fn first_shared(limit: usize) -> Result<Option<String>, ScopeError> {
    let mut seen = Vec::new();
    'outer: for i in 0..10 {
        let name = scope!(name_scope("step"), variable_scope("cell", reuse = auto) {
            if i == 1 {
                continue;
            }
            if i == limit {
                break 'outer;
            }
            if i == 7 {
                return Ok(None);
            }
            let w: Variable = get_variable("w").shape(&[1]).get()?;
            format!("{}|{}", get_name_scope(), w.name())
        });
        seen.push(name);
    }
    Ok(Some(seen.join(",")))
}

fn runtime_names(names: &[&str]) -> Result<Vec<String>, ScopeError> {
    names
        .iter()
        .map(|n| Ok(scope!(name_scope(name = *n)  { get_name_scope() })))
        .collect()
}

fn main() {
    let graph = Graph::new();
    let _default = graph.as_default();
    assert_eq!(
        first_shared(3).unwrap().as_deref(),
        Some("step/cell|cell/w:0,step_2/cell|cell/w:0")
    );
    assert_eq!(first_shared(100).unwrap(), None);
    assert_eq!(get_name_scope(), "");
    assert_eq!(runtime_names(&["a", "b/c"]).unwrap(), ["a", "b/c"]);
    let err = runtime_names(&["bad name"]).unwrap_err();
    assert_eq!(err.kind(), "InvalidName");
    assert_eq!(get_name_scope(), "");
}
