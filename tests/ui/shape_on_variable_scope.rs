use scope_runtime::variable_scope;

#[variable_scope("layer", [3, 4])]
fn layer() {}

fn main() {}
