use scope_runtime::{get_variable, ScopeError};

fn main() -> Result<(), ScopeError> {
    let sc = scope_runtime::slim::current_arg_scope();
    let _w = get_variable!("w", [2], arg_scope = sc)?;
    Ok(())
}
