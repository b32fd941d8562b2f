use scope_runtime::{get_variable, ScopeError};

fn build() -> Result<(), ScopeError> {
    get_variable!("w:0", [3, 4])?;
    Ok(())
}

fn main() {}
