use scope_runtime::{scope, ScopeError};

fn tower() -> Result<(), ScopeError> {
    scope!(template {});
    Ok(())
}

fn main() {}
