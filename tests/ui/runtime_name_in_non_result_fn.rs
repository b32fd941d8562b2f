use scope_runtime::variable_scope;

struct Layer {
    name: String,
}

impl Layer {
    #[variable_scope(name = self.name)]
    fn build(&self) -> usize {
        1
    }
}

fn main() {}
