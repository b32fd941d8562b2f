use scope_runtime::name_scope;

#[name_scope(name = name)]
fn block(name: &str) -> Result<(), String> {
    Ok(())
}

fn main() {}
