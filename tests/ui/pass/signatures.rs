//! Everything a function signature can hold keeps working under the
//! attributes: generics, where-clauses, lifetimes, `impl Trait` arguments and
//! returns, `self` receivers, `unsafe`, other attributes, `?` and `return`.
#![deny(warnings)]

use std::fmt::Display;

use scope_runtime::{
    get_name_scope, get_variable, get_variable_scope, name_scope, variable_scope, Graph,
    ScopeError, Variable,
};

#[derive(Debug)]
enum ModelError {
    Scope(ScopeError),
    Empty,
}

impl From<ScopeError> for ModelError {
    fn from(e: ScopeError) -> Self {
        ModelError::Scope(e)
    }
}

/// Doc comments stay.
#[variable_scope("generic")]
#[inline]
#[must_use]
fn generic<'a, T: Display + ?Sized, const N: usize>(x: &'a T, dims: [usize; N]) -> (String, &'a T)
where
    T: 'a,
{
    (format!("{}:{x}:{dims:?}", get_variable_scope().name()), x)
}

#[name_scope("argument")]
fn impl_argument(items: impl IntoIterator<Item = u32>) -> impl Iterator<Item = String> {
    let ns = get_name_scope();
    items.into_iter().map(move |i| format!("{ns}/{i}"))
}

#[variable_scope("early")]
fn early_return(fail: bool, empty: bool) -> Result<Variable, ModelError> {
    if empty {
        return Err(ModelError::Empty);
    }
    let shape: &[usize] = if fail { &[2] } else { &[1] };
    let v = get_variable("w").shape(shape).get()?;
    Ok(v)
}

struct Counter {
    name: String,
    calls: usize,
}

impl Counter {
    #[variable_scope(name = self.name)]
    fn bump(&mut self) -> Result<String, ScopeError> {
        self.calls += 1;
        Ok(get_variable_scope().name().to_string())
    }

    #[name_scope]
    fn by_value(self) -> usize {
        self.calls
    }

    #[variable_scope("unsafe_fn")]
    unsafe fn raw(&self, p: *const u8) -> u8 {
        unsafe { *p }
    }
}

trait Build {
    #[variable_scope("default_method")]
    fn build(&self) -> String {
        get_variable_scope().name().to_string()
    }
}

impl Build for Counter {}

fn main() {
    let graph = Graph::new();
    let _default = graph.as_default();
    assert_eq!(generic("x", [1, 2]), ("generic:x:[1, 2]".to_string(), "x"));
    let ns: Vec<String> = impl_argument([1, 2]).collect();
    assert_eq!(ns, ["argument/1", "argument/2"]);

    let w = early_return(false, false).unwrap();
    assert_eq!(w.name(), "early/w:0");
    assert!(matches!(early_return(false, true), Err(ModelError::Empty)));
    // `?` converts the runtime's error through From<ScopeError>.
    match early_return(true, false) {
        Err(ModelError::Scope(e)) => assert_eq!(e.kind(), "AlreadyExists"),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    let mut counter = Counter { name: "counter".into(), calls: 0 };
    assert_eq!(counter.bump().unwrap(), "counter");
    assert_eq!(counter.bump().unwrap(), "counter");
    assert_eq!(counter.build(), "default_method");
    let byte = 7u8;
    assert_eq!(unsafe { counter.raw(&byte) }, 7);
    assert_eq!(counter.by_value(), 2);
    // Every scope was closed again.
    assert_eq!(get_name_scope(), "");
    drop(name_scope("still_works").enter().unwrap());
    let _ = variable_scope("x");
}
