//! TF-slim's layers and `arg_scope` (tf-slim 1.1.0, `tf_slim.layers` and
//! `tf_slim.ops.arg_scope`), with slim's own names and defaults:
//! `conv2d` makes `Conv/weights` and `Conv/biases` (then `Conv_1`), a
//! `normalizer_fn` of [`Normalizer::BatchNorm`] adds
//! `Conv/BatchNorm/{beta, moving_mean, moving_variance}` (and `gamma` with
//! `scale`) and drops the biases, and an [`arg_scope`] sets defaults for
//! every listed layer at once. The math is the layers module's and
//! `scope-ops`'; every variable a slim layer creates is a model variable.
//!
//! ```
//! use scope_runtime::{slim, Graph, layers::{Activation, LayerValue}};
//! let graph = Graph::new();
//! let _g = graph.as_default();
//! let x = LayerValue::shape_only(&[None, Some(8), Some(8), Some(3)]);
//! let _a = slim::arg_scope(&["conv2d"])
//!     .set("normalizer_fn", slim::Normalizer::BatchNorm)
//!     .set("activation_fn", Activation::Relu)
//!     .enter()?;
//! let y = slim::conv2d(16, &[3]).stride(2usize).apply(x.clone())?;
//! assert_eq!(y.variables[0].name(), "Conv/weights:0");
//! assert_eq!(y.variables[1].name(), "Conv/BatchNorm/beta:0");
//! assert_eq!(y.shape(), vec![None, Some(4), Some(4), Some(16)]);
//! let z = slim::conv2d(4, &[1]).normalizer_fn(None::<slim::Normalizer>).apply(y.value)?;
//! assert_eq!(z.variables[1].name(), "Conv_1/biases:0");
//! # Ok::<(), slim::SlimError>(())
//! ```

mod arg_scope;
mod args;
mod batch_norm;
mod common;
mod conv2d;
mod dropout;
mod error;
mod flatten;
mod fully_connected;
pub(crate) mod getter;
mod init;
mod layer_norm;
mod normalizer;
mod outputs;
mod pool;
mod separable_conv2d;
mod setters;
mod weighted;

pub(crate) use arg_scope::reenter_arg_scope;
pub use arg_scope::{
    add_arg_scope, arg_scope, arg_scope_from, call_args, current_arg_scope, has_arg_scope,
    ArgScope, ArgScopeBuilder, ArgScopeGuard, BUILTIN,
};
pub use args::{ArgValue, Args, CallArgs, ScopeArg};
pub use batch_norm::{batch_norm, BatchNorm};
pub use conv2d::{conv2d, Conv2d};
pub use dropout::{dropout, Dropout};
pub use error::{ArgOrigin, SlimError, SlimResult};
pub use flatten::{flatten, Flatten};
pub use fully_connected::{fully_connected, FullyConnected};
pub use init::{FanMode, Init};
pub use layer_norm::{layer_norm, LayerNorm};
pub use normalizer::Normalizer;
pub use outputs::{clear_named_outputs, collect_named_outputs, end_points, named_outputs};
pub use pool::{avg_pool2d, max_pool2d, Pool2d, PoolKind};
pub use separable_conv2d::{separable_conv2d, SeparableConv2d};
