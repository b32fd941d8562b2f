use scope_runtime::{variable_scope, ScopeError};

#[variable_scope(name = index)]
fn layer(index: usize) -> Result<(), ScopeError> {
    Ok(())
}

fn main() {}
