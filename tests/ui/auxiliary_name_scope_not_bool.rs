use scope_runtime::variable_scope;

#[variable_scope("layer", auxiliary_name_scope = 0)]
fn layer() {}

fn main() {}
