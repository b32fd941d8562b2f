use scope_runtime::{scope, ScopeError};

fn tower() -> Result<(), ScopeError> {
    scope!(template("tower", reuse = auto) {});
    Ok(())
}

fn main() {}
