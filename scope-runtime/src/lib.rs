//! # scope-runtime
//!
//! TensorFlow 1.x variable scoping for Rust. Name scopes, variable scopes,
//! `tf.Variable`, `get_variable`, templates and collections behave exactly as
//! in TF1 graph mode (`tf.compat.v1`), so a model written with scope creates
//! TensorFlow's variable names and loads TensorFlow's checkpoints by name.
//!
//! ```
//! use scope_runtime::{get_variable, name_scope, variable_scope, Graph, Variable};
//!
//! let graph = Graph::with_seed(0);
//! let _default = graph.as_default();
//! {
//!     let _ns = name_scope("cltdevelop")?;
//!     let a = Variable::new("var_1", 0.0f32)?;
//!     let b = Variable::new("var_1", 0.0f32)?;
//!     assert_eq!((a.name(), b.name()), ("cltdevelop/var_1:0", "cltdevelop/var_1_1:0"));
//! }
//! let w = {
//!     let _vs = variable_scope("layer").enter()?;
//!     get_variable("w").shape(&[3, 4]).get()?
//! };
//! let shared = {
//!     let _vs = variable_scope("layer").reuse(true).enter()?;
//!     get_variable("w").shape(&[3, 4]).get()?
//! };
//! assert_eq!(w, shared);
//! assert_eq!(w.name(), "layer/w:0");
//! # Ok::<(), scope_runtime::ScopeError>(())
//! ```
//!
//! Scope stacks are per thread (as in TF); a [`Graph`] is `Send + Sync` and
//! may be shared by threads that create and look up variables concurrently.

mod checkpoint;
mod context;
mod error;
mod graph;
mod init;
mod names;
mod op;
mod scope;
mod summary;
mod template;
mod tensor;
mod variable;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use scope_macros::*;

/// The checkpoint and safetensors formats (the `scope-checkpoint` crate).
pub use scope_checkpoint as format;

pub use checkpoint::{LoadError, LoadReport, RestoreOptions, TensorMismatch, Unexpected};
pub use context::take_guard_error;
pub use error::{DefinedAt, NameKind, Result, ScopeError};
pub use graph::{get_default_graph, DefaultGraphGuard, Graph};
pub use init::{Initializer, Scalar};
pub use op::op_name;
pub use scope::{
    default_variable_scope, get_name_scope, get_variable_scope, name_scope, reuse_variables,
    variable_scope, NameScope, NameScopeGuard, Reuse, ScopeTarget, VariableScope,
    VariableScopeBuilder, VariableScopeGuard,
};
pub use summary::Summary;
pub use template::{make_template, Template, TemplateBuilder, TemplateCall};
pub use tensor::{DType, Element, Tensor};
pub use variable::{get_variable, GetVariable, NewVariable, Variable};

/// `global_variables(prefix)` on the current default graph.
pub fn global_variables(prefix: &str) -> Vec<Variable> {
    Graph::current().global_variables(prefix)
}

/// `trainable_variables(prefix)` on the current default graph.
pub fn trainable_variables(prefix: &str) -> Vec<Variable> {
    Graph::current().trainable_variables(prefix)
}
