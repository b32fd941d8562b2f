use scope_runtime::name_scope;

#[name_scope("conv 1")]
fn conv() {}

fn main() {}
