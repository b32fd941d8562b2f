use scope_runtime::variable_scope;

#[variable_scope("layer", default_name = "dense")]
fn layer() {}

fn main() {}
