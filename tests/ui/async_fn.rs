use scope_runtime::variable_scope;

#[variable_scope("layer")]
async fn layer() {}

fn main() {}
