use scope_runtime::variable_scope;

#[variable_scope("_hidden")]
fn hidden() {}

fn main() {}
