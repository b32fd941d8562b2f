use scope_runtime::{template, ScopeError};

#[template("tower", reuse)]
fn tower() -> Result<(), ScopeError> {
    Ok(())
}

fn main() {}
