use scope_runtime::{template, ScopeError};

#[template(name = format!("tower"))]
fn tower() -> Result<(), ScopeError> {
    Ok(())
}

fn main() {}
