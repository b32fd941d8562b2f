use scope_runtime::name_scope;

#[name_scope("block")]
const fn block() -> usize {
    1
}

fn main() {}
