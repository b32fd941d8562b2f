use scope_runtime::variable_scope;

#[variable_scope]
fn _helper() {}

fn main() {}
