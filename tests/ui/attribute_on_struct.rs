use scope_runtime::variable_scope;

#[variable_scope("layer")]
struct Layer {
    units: usize,
}

fn main() {}
