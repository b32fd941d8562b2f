use scope_runtime::name_scope;

#[name_scope("block", reuse)]
fn block() {}

fn main() {}
