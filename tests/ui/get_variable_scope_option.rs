use scope_runtime::{get_variable, ScopeError};

fn build() -> Result<(), ScopeError> {
    get_variable!("w", [3, 4], reuse)?;
    Ok(())
}

fn main() {}
