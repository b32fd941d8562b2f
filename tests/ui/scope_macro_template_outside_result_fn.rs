use scope_runtime::scope;

fn tower() {
    scope!(template("tower") {});
}

fn main() {}
