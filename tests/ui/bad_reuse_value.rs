use scope_runtime::variable_scope;

#[variable_scope("rnn", reuse = AUTO_REUSE)]
fn rnn() {}

fn main() {}
