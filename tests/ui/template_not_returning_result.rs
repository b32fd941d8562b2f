use scope_runtime::{get_variable, template, Variable};

#[template("tower")]
fn tower() -> Variable {
    get_variable("w").shape(&[1]).get().unwrap()
}

fn main() {}
