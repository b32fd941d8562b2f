use scope_runtime::{name_scope, CustomGetter};

fn getter() -> CustomGetter {
    CustomGetter::new(|next, req| next.get(req))
}

#[name_scope("block", custom_getter = getter())]
fn block() {}

fn main() {}
