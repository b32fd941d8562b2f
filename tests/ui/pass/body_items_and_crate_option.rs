//! The body keeps its own block: items and types it declares do not leak
//! into the expansion (tracing #3306). `crate = "..."` names a re-export.
#![deny(warnings)]

mod reexport {
    pub use scope_runtime as rt;
}

use reexport::rt::{get_variable_scope, variable_scope, Graph, ScopeError};

#[variable_scope("shadow")]
fn shadowing() -> Result<String, ScopeError> {
    #[allow(dead_code)]
    struct ScopeError;
    #[allow(dead_code)]
    enum Result {}
    #[allow(dead_code)]
    mod scope_runtime {}
    Ok(get_variable_scope().name().to_string())
}

#[variable_scope("renamed", crate = "reexport::rt")]
fn renamed() -> String {
    get_variable_scope().name().to_string()
}

fn main() {
    let graph = Graph::new();
    let _default = graph.as_default();
    assert_eq!(shadowing().unwrap(), "shadow");
    assert_eq!(renamed(), "renamed");
}
