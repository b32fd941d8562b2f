use scope_runtime::name_scope;

#[name_scope("")]
fn root() {}

fn main() {}
