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
//!     let _ns = name_scope("cltdevelop").enter()?;
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
//! Values are candle tensors on the graph's device (CPU by default; the
//! `cuda` and `metal` features forward to candle's): [`Variable::tensor`]
//! gives the variable's own storage, which candle's autograd tracks, and
//! [`Variable::var`] the `Var` an optimizer updates. A variable's
//! initializer runs when its value is first needed, never for a variable a
//! restore fills.
//!
//! Scope stacks are per thread (as in TF); a [`Graph`] is `Send + Sync` and
//! may be shared by threads that create and look up variables concurrently.

#![forbid(unsafe_code)]

// Types.
mod derived_tensor;
mod dtype;
mod error;
mod getter;
mod init;
mod names;
mod no_grad;
mod partitioned;
mod partitioner;
mod regularizer;
mod scope_object;
mod store;
mod value;
mod variable;
// State.
mod context;
mod graph;
// Operations.
mod call_site;
mod checkpoint;
mod default_graph;
mod ema;
mod explain;
mod get_variable;
mod getters;
mod new_variable;
mod op;
mod regularization;
mod scope;
mod summary;
mod template;
mod true_getter;
mod update_op;
// Layers (on the operations above).
pub mod layers;
pub mod slim;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use scope_macros::*;

/// The checkpoint and safetensors formats (the `scope-checkpoint` crate).
pub use scope_checkpoint as format;

/// The engine: candle's tensors, devices and autograd (`candle-core`).
pub use candle_core as candle;
pub use checkpoint::{
    LoadReport, RestoreError, RestoreOptions, SaveError, TensorMismatch, Unexpected,
};

pub use context::take_guard_error;
pub use default_graph::{get_default_graph, DefaultGraphGuard};
pub use derived_tensor::DerivedTensor;
pub use dtype::DType;
pub use ema::ExponentialMovingAverage;
pub use error::{DefinedAt, NameKind, Result, ScopeError};
pub use explain::{Explanation, NamePart};
pub use get_variable::{get_local_variable, get_variable, GetVariable};
pub use getter::{CustomGetter, GraphObject, NextGetter, VariableRequest};
pub use getters::cast;
pub use graph::{
    Graph, GraphBuilder, GLOBAL_VARIABLES, LOCAL_VARIABLES, MODEL_VARIABLES,
    MOVING_AVERAGE_VARIABLES, REGULARIZATION_LOSSES, TRAINABLE_VARIABLES,
};
pub use init::{Initializer, Scalar};
pub use new_variable::NewVariable;
pub use no_grad::{grad_enabled, no_grad, NoGrad};
pub use op::register_op;
pub use partitioned::PartitionedVariable;
pub use partitioner::Partitioner;
pub use regularization::{get_regularization_loss, get_regularization_losses};
pub use regularizer::Regularizer;
pub use scope::{
    default_variable_scope, get_name_scope, get_variable_scope, name_scope, reuse_variables,
    variable_scope, NameScopeBuilder, NameScopeGuard, NameScopeTarget, ScopeTarget,
    VariableScopeBuilder, VariableScopeGuard,
};
pub use scope_object::{Reuse, VariableScope};
pub use summary::Summary;
pub use template::{make_template, Template, TemplateBuilder, TemplateCall};
pub use update_op::UpdateOp;
pub use value::Value;
pub use variable::{SaveSlice, Variable};

/// `global_variables(prefix)` on the current default graph.
pub fn global_variables(prefix: &str) -> Vec<Variable> {
    Graph::current().global_variables(prefix)
}

/// `trainable_variables(prefix)` on the current default graph.
pub fn trainable_variables(prefix: &str) -> Vec<Variable> {
    Graph::current().trainable_variables(prefix)
}
