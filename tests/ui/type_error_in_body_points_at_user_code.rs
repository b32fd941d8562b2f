use scope_runtime::variable_scope;

#[variable_scope("layer")]
fn units() -> usize {
    "eight"
}

fn main() {}
