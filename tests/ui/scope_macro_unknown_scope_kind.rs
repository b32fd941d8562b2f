use scope_runtime::scope;

fn build() {
    scope!(var_scope("layer") {});
}

fn main() {}
