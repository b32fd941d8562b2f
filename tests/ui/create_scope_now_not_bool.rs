use scope_runtime::{template, ScopeError};

#[template("t", create_scope_now = 1)]
fn t() -> Result<(), ScopeError> {
    Ok(())
}

fn main() {}
