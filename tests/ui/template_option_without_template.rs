use scope_runtime::variable_scope;

#[variable_scope("v", create_scope_now)]
fn v() {}

fn main() {}
