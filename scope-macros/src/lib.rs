//! Proc macros of scope: `#[variable_scope]`, `#[name_scope]`,
//! `#[template]`, `scope!` and `get_variable!`. Users depend on
//! `scope-runtime`, which re-exports them; the expansions call it through
//! `::scope_runtime::__private` (or the path given with `crate = "..."`).
//!
//! Layout, in pipeline order (`entry.rs`): syntax (`grammar.rs`, the one
//! option grammar shared by every macro; `scope_input.rs`; `item.rs`),
//! reading options with their values and duplicates (`read.rs`,
//! `values.rs`, `suggest.rs`), every semantic check (`valid/`, producing
//! the checked specs of `spec.rs`), and code generation (`expand/`, which
//! checks nothing). `kind.rs` holds the one kind enum, `errors.rs` the
//! error collector, `fallback.rs` the output on error.
//!
//! See [the options](#options) below.
//!
//! Scope guards are per thread and `!Send`: the attributes reject `async fn`
//! (a guard must not live across `.await`) and `const fn`. In async code,
//! use `scope!` around code that does not await; clippy's
//! `await_holding_invalid_type` lint (with the guard types listed under
//! `await-holding-invalid-types` in `clippy.toml`) catches the rest.

#![doc = include_str!("../OPTIONS.md")]
#![forbid(unsafe_code)]

mod entry;
mod errors;
mod expand;
mod fallback;
mod grammar;
mod item;
mod kind;
mod read;
mod scope_input;
mod spec;
mod suggest;
mod valid;
mod values;

use proc_macro::TokenStream;

use kind::Kind;

/// Runs the function inside a variable scope (TF1's
/// `with tf.compat.v1.variable_scope(...)`).
///
/// Without a name the scope is named after the function and made unique per
/// call, like TF's `default_name`: `dense`, `dense_1`, .... With a literal
/// name it is entered by name (`"layer"`), optionally with `reuse`,
/// `reuse = auto`, `initializer = ...`, `dtype = f32`,
/// `auxiliary_name_scope = false`. `name = <expr>` takes a name computed at
/// call time; the function must then return a `Result` whose error type
/// converts from `ScopeError`.
///
/// ```
/// use scope_runtime::{get_variable, variable_scope, Graph, Initializer, ScopeError, Variable};
///
/// #[variable_scope] // dense, dense_1, ...
/// fn dense(inputs: usize, units: usize) -> Result<Vec<Variable>, ScopeError> {
///     let kernel = get_variable("kernel").shape(&[inputs, units]).get()?;
///     let bias = get_variable("bias").shape(&[units]).initializer(Initializer::Zeros).get()?;
///     Ok(vec![kernel, bias])
/// }
///
/// #[variable_scope("tower", reuse = auto)]
/// fn tower() -> Result<Variable, ScopeError> {
///     get_variable("w").shape(&[2]).get()
/// }
///
/// struct Layer { name: String }
/// impl Layer {
///     #[variable_scope(name = self.name, dtype = f64)]
///     fn build(&self) -> Result<Variable, ScopeError> {
///         get_variable("w").shape(&[1]).get()
///     }
/// }
///
/// let graph = Graph::new();
/// let _default = graph.as_default();
/// assert_eq!(dense(4, 8)?[0].name(), "dense/kernel:0");
/// assert_eq!(dense(8, 2)?[1].name(), "dense_1/bias:0");
/// assert_eq!(tower()?, tower()?); // shared through reuse = auto
/// let w = Layer { name: "h3".into() }.build()?;
/// assert_eq!((w.name(), w.dtype().name()), ("h3/w:0", "float64"));
/// # Ok::<(), ScopeError>(())
/// ```
#[proc_macro_attribute]
pub fn variable_scope(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::attribute(Kind::VariableScope, args.into(), item.into()).into()
}

/// Runs the function inside a name scope (TF1's `tf.name_scope(...)`): it
/// prefixes ops and `Variable::new`, not `get_variable`.
///
/// Without a name the scope is named after the function (made unique per
/// call: `block`, `block_1`, ...); `#[name_scope("block")]` names it;
/// `#[name_scope(name = <expr>)]` computes the name at call time (the
/// function must then return a `Result` whose error converts from
/// `ScopeError`).
///
/// ```
/// use scope_runtime::{get_variable, name_scope, register_op, Graph, ScopeError, Variable};
///
/// #[name_scope("cltdevelop")]
/// fn make() -> Result<(Variable, Variable), ScopeError> {
///     let a = Variable::new("var_1", 0.0f32)?;
///     let b = get_variable("var_2").shape(&[1]).get()?;
///     Ok((a, b))
/// }
///
/// #[name_scope]
/// fn block() -> String {
///     register_op("MatMul").unwrap()
/// }
///
/// let graph = Graph::new();
/// let _default = graph.as_default();
/// let (a, b) = make()?;
/// assert_eq!((a.name(), b.name()), ("cltdevelop/var_1:0", "var_2:0"));
/// assert_eq!((block(), block()), ("block/MatMul".to_string(), "block_1/MatMul".to_string()));
/// # Ok::<(), ScopeError>(())
/// ```
#[proc_macro_attribute]
pub fn name_scope(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::attribute(Kind::NameScope, args.into(), item.into()).into()
}

/// Makes the function a template (TF1's `make_template`): in each graph,
/// its first call creates its variables in a scope named after the template
/// (`"tower"`, else the function's name; made unique like `tower_1` if
/// taken), later calls re-enter that scope and share them, and a later call
/// that would create a new trainable variable fails with
/// `TemplateVariableCreated`. The function must return `Result<_, E>` with
/// `E: From<ScopeError>`. `unique_name = "t"` takes the scope name as given.
///
/// There is one template per function and graph: every generic
/// instantiation and every `self` value of a method share it (to get one
/// template per layer object, call `make_template` and keep the `Template`
/// in the object).
///
/// A call ends as TF's does: reaching the end of the body or an early
/// `return` completes the call (an `Ok` value is checked for new trainable
/// variables at once, an `Err` is a failed call), and leaving it with `?`
/// (or a panic) is a failed call, as an exception is in TF (a failed first
/// call leaves the template as if never called). A `return` inside another
/// macro's arguments (other than a `scope!` block) is not seen and counts
/// as `?` does. `create_scope_now` makes the template's scope when the
/// template is made (TF's `create_scope_now_`), here at the function's
/// first call in each graph.
///
/// ```
/// use scope_runtime::{get_variable, template, Graph, Initializer, ScopeError, Variable};
///
/// #[template("tower")]
/// fn tower() -> Result<Variable, ScopeError> {
///     get_variable("w").shape(&[1]).initializer(Initializer::Zeros).get()
/// }
///
/// let graph = Graph::new();
/// let _default = graph.as_default();
/// let first = tower()?;
/// assert_eq!(first.name(), "tower/w:0");
/// assert_eq!(tower()?, first);
/// assert_eq!(tower()?, first);
/// assert_eq!(graph.len(), 1);
/// # Ok::<(), ScopeError>(())
/// ```
#[proc_macro_attribute]
pub fn template(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::attribute(Kind::Template, args.into(), item.into()).into()
}

/// Runs a block inside one or more scopes, outermost first; the block's
/// value is the macro's value. `?`, `return`, `break` and `continue` in the
/// block keep their meaning (nothing is wrapped in a closure).
///
/// ```text
/// scope!(variable_scope("layer", reuse = auto) { ... })
/// scope!(name_scope("a"), variable_scope("b") { ... })
/// scope!(template("tower") { ... })
/// ```
///
/// A `template("tower", unique_name = "..", create_scope_now)` segment is
/// `make_template` at this call site: one template per call site and
/// graph, made on the first pass, sharing its variables on later passes.
/// Entering it and its end-of-call check can fail, so it needs an
/// enclosing function that returns a `Result` whose error converts from
/// `ScopeError`. The block's value is not inspected: finishing the block
/// completes the call (checked at once); leaving it early (`?`, `break`,
/// `continue`, `return`) closes the call, and a check error is then
/// reported by the next fallible call on the thread.
///
/// A `name = <expr>` computed at run time is entered with `?`, so it needs
/// an enclosing function that returns a `Result` whose error converts from
/// `ScopeError`.
///
/// ```
/// use scope_runtime::{get_variable, register_op, scope, Graph, ScopeError};
///
/// let graph = Graph::new();
/// let _default = graph.as_default();
/// let mut steps = Vec::new();
/// for step in 0..3 {
///     let (w, op) = scope!(name_scope("step"), variable_scope("rnn", reuse = auto) {
///         if step == 1 {
///             continue; // leaves both scopes, goes on with the loop
///         }
///         (get_variable("w").shape(&[2]).get()?, register_op("MatMul")?)
///     });
///     steps.push((w, op));
/// }
/// assert_eq!(steps[0].0, steps[1].0); // one variable, shared
/// assert_eq!(steps[0].0.name(), "rnn/w:0");
/// assert_eq!((steps[0].1.as_str(), steps[1].1.as_str()), ("step/rnn/MatMul", "step_2/rnn/MatMul"));
/// # Ok::<(), ScopeError>(())
/// ```
///
/// ```
/// use scope_runtime::{get_variable, scope, Graph, ScopeError, Variable};
///
/// fn encoder(x: usize) -> Result<Variable, ScopeError> {
///     let w = scope!(template("encoder") { get_variable!("w", [x])? });
///     Ok(w)
/// }
///
/// let graph = Graph::new();
/// let _default = graph.as_default();
/// assert_eq!(encoder(3)?, encoder(3)?);
/// assert_eq!(encoder(3)?.name(), "encoder/w:0");
/// # Ok::<(), ScopeError>(())
/// ```
#[proc_macro]
pub fn scope(input: TokenStream) -> TokenStream {
    entry::scope_macro(input.into()).into()
}

/// `get_variable(name)` with a literal name checked at compile time:
/// `get_variable!("w", [3, 4])`, with the options `dtype = f32`,
/// `initializer = <expr>`, `trainable = <expr>`, `shape = <expr>`,
/// `custom_getter = <expr>`, `regularizer = <expr>` and
/// `partitioner = <expr>`. `None` or `_` in the shape is an unknown
/// dimension (`[None, 3]`: a partial shape, which shares but cannot
/// create). Evaluates to `Result<Variable, ScopeError>`
/// (`Result<PartitionedVariable, ScopeError>` with a `partitioner`); the
/// variable's definition site is the macro's call site.
///
/// ```
/// use scope_runtime::{get_variable, variable_scope, Graph, Initializer, ScopeError};
///
/// #[variable_scope("layer")]
/// fn layer() -> Result<(), ScopeError> {
///     let w = get_variable!("w", [3, 4])?;
///     let b = get_variable!("b", [4], dtype = f64, initializer = Initializer::Zeros)?;
///     assert_eq!((w.name(), w.shape()), ("layer/w:0", &[3, 4][..]));
///     assert_eq!(b.dtype().name(), "float64");
///     Ok(())
/// }
///
/// let graph = Graph::new();
/// let _default = graph.as_default();
/// layer()?;
/// # Ok::<(), ScopeError>(())
/// ```
#[proc_macro]
pub fn get_variable(input: TokenStream) -> TokenStream {
    entry::get_variable(input.into()).into()
}
