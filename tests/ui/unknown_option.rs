use scope_runtime::variable_scope;

#[variable_scope("layer", colour = "red")]
fn layer() {}

fn main() {}
