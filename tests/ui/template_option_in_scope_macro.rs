use scope_runtime::scope;

fn main() {
    scope!(variable_scope("tower", template) {});
}
