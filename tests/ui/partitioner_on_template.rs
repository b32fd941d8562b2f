use scope_runtime::{template, Partitioner, ScopeError};

#[template("t", partitioner = Partitioner::fixed_size(2, 0))]
fn t() -> Result<(), ScopeError> {
    Ok(())
}

fn main() {}
