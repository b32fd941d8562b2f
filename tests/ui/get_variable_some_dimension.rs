use scope_runtime::{get_variable, ScopeError, Variable};

fn w() -> Result<Variable, ScopeError> {
    get_variable!("w", [Some(2), None])
}

fn main() {}
