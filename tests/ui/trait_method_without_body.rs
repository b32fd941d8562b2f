use scope_runtime::variable_scope;

trait Layer {
    #[variable_scope("layer")]
    fn build(&self);
}

fn main() {}
