use scope_runtime::variable_scope;

#[variable_scope("layer", reuse, reuse = auto)]
fn layer() {}

fn main() {}
