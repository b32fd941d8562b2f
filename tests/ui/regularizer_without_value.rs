use scope_runtime::variable_scope;

#[variable_scope("layer", regularizer)]
fn layer() {}

fn main() {}
