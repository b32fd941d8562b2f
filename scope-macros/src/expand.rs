//! Code generation from checked specs; nothing here checks again.
//!
//! An annotated function keeps its signature and its body as written; the
//! guards are locals bound before the body (tracing-attributes style):
//!
//! ```text
//! #[attrs] #vis #sig {
//!     let __scope_guard = ::scope_runtime::__private::enter_variable_scope(..);
//!     { #body }
//! }
//! ```
//!
//! Nothing is wrapped in a closure, so `?`, `return`, `break`/`continue` (in
//! `scope!`), `self`, generics and lifetimes keep their meaning, and a panic
//! still drops the guard. Locals use `Span::mixed_site()`, so the body can
//! neither see nor shadow them.

mod function;
mod get_variable;
mod layer;
mod layers;
mod returns;
mod scope_macro;
mod template;
mod tokens;

pub use function::function;
pub use get_variable::get_variable;
pub use scope_macro::scope_macro;
