use scope_runtime::variable_scope;

#[variable_scope("layer", name = "other")]
fn layer() {}

fn main() {}
