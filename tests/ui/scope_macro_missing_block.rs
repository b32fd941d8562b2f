use scope_runtime::scope;

fn build() {
    scope!(name_scope("block"));
}

fn main() {}
