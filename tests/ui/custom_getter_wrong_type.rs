use scope_runtime::variable_scope;

#[variable_scope("layer", custom_getter = 3)]
fn layer() {}

fn main() {}
