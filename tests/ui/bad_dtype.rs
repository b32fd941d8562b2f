use scope_runtime::variable_scope;

#[variable_scope("layer", dtype = float32)]
fn layer() {}

fn main() {}
