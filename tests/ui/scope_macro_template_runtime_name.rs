use scope_runtime::{scope, ScopeError};

fn tower(name: &str) -> Result<(), ScopeError> {
    scope!(template(name = name) {});
    Ok(())
}

fn main() {}
