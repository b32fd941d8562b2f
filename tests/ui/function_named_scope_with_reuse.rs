use scope_runtime::variable_scope;

// Named after the function, the scope is `dense`, `dense_1`, ...: new on every call.
#[variable_scope(reuse = auto)]
fn dense() {}

fn main() {}
