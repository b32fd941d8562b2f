use scope_runtime::variable_scope;

fn build() {
    let guard = variable_scope("layer").enter().unwrap();
    std::thread::spawn(move || drop(guard));
}

fn main() {}
