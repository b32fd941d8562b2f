use scope_runtime::scope;

fn build() {
    scope!(variable_scope {});
}

fn main() {}
