use scope_runtime::name_scope;

#[name_scope("block", initializer = scope_runtime::Initializer::Zeros)]
fn block() {}

fn main() {}
