use scope_runtime::variable_scope;

#[variable_scope(default_name = "dense", reuse = true)]
fn layer() {}

fn main() {}
