//! The three seed programs: `tf.Variable` uniquifies inside a name scope;
//! name scopes prefix `tf.Variable` but not `get_variable`, variable scopes
//! prefix both; `get_variable` shares under `reuse = true` and reports a
//! missing name.

#![forbid(unsafe_code)]

use scope_runtime::{get_variable, name_scope, variable_scope, Graph, ScopeError, Variable};

fn main() -> Result<(), ScopeError> {
    // 1. tf.Variable named "var_1" three times in name_scope("cltdevelop").
    let graph = Graph::new();
    let _g = graph.as_default();
    {
        let _ns = name_scope("cltdevelop").enter()?;
        for _ in 0..3 {
            println!("{}", Variable::new("var_1", 0.0f32)?.name());
        }
    }
    drop(_g);

    // 2. Name scope vs variable scope.
    let graph = Graph::new();
    let _g = graph.as_default();
    {
        let _ns = name_scope("cltdevelop").enter()?;
        println!("{}", Variable::new("var_1", 0.0f32)?.name());
        println!("{}", get_variable("var_2").shape(&[1]).get()?.name());
    }
    {
        let _vs = variable_scope("aaa").enter()?;
        println!("{}", Variable::new("var_3", 0.0f32)?.name());
        println!("{}", get_variable("var_4").shape(&[1]).get()?.name());
    }
    drop(_g);

    // 3. Sharing with reuse = true, and the error for a missing name.
    let graph = Graph::new();
    let _g = graph.as_default();
    let first = {
        let _vs = variable_scope("cltdevelop").enter()?;
        get_variable("var_1").shape(&[1]).get()?
    };
    let _vs = variable_scope("cltdevelop").reuse(true).enter()?;
    let shared = get_variable("var_1").shape(&[1]).get()?;
    println!("{} (shared: {})", shared.name(), shared == first);
    match get_variable("var_2").shape(&[1]).get() {
        Err(e @ ScopeError::NotFound { .. }) => println!("error: {e}"),
        other => println!("unexpected: {other:?}"),
    }
    Ok(())
}
