use scope_runtime::{variable_scope, ScopeError};

#[variable_scope("tower", template, reuse = auto)]
fn tower() -> Result<(), ScopeError> {
    Ok(())
}

fn main() {}
