use scope_runtime::variable_scope;

#[variable_scope(layer)]
fn layer() {}

fn main() {}
