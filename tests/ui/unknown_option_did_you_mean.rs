use scope_runtime::variable_scope;

#[variable_scope("layer", resue)]
fn layer() {}

fn main() {}
