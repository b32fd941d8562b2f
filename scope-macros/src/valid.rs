//! Every semantic check, in one place: which options apply to which macro
//! and what their absence or presence means, conflicts, TensorFlow's name
//! rule for literal names, and what the annotated item must be. Errors are
//! recorded and checking goes on; the result is a checked spec
//! (`spec.rs`) that `expand/` takes as it is.

mod function;
mod get_variable;
mod misplaced;
mod names;
mod scope;

pub use function::function;
pub use get_variable::get_variable;
pub use scope::scope_macro;
