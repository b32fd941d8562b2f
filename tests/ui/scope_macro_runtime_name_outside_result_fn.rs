use scope_runtime::scope;

fn build(name: &str) {
    scope!(variable_scope(name = name) {});
}

fn main() {}
