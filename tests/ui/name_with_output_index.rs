use scope_runtime::variable_scope;

#[variable_scope("dense:0")]
fn dense() {}

fn main() {}
