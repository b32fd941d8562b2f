//! TF1's layer functions with TensorFlow's own names, layouts, defaults and
//! sharing (SEMANTICS.md §13): `tf.compat.v1.layers.*` and tf-slim's
//! `layer_norm`, computing on candle tensors through `scope-ops`, or on
//! static shapes only ([`LayerValue::Shape`]) with the same names,
//! variables and output shapes and no variable values made.
//!
//! ```
//! use scope_runtime::{layers, Graph, variable_scope};
//! let graph = Graph::new();
//! let _g = graph.as_default();
//! let x = layers::LayerValue::shape_only(&[None, Some(4)]);
//! let _vs = variable_scope("attention").enter()?;
//! let y = layers::dense(3).name("query").apply(x.clone())?;
//! assert_eq!(y.variables[0].name(), "attention/query/kernel:0");
//! assert_eq!(y.shape(), vec![None, Some(3)]);
//! let z = layers::dense(3).apply(x)?;
//! assert_eq!(z.variables[0].name(), "attention/dense/kernel:0");
//! # Ok::<(), scope_runtime::ScopeError>(())
//! ```

pub(crate) mod base;
mod batch_norm;
mod conv;
mod dense;
mod dropout;
mod embedding;
mod flatten;
mod layer_norm;
mod pooling;
mod value;

pub use base::{Activation, LayerName, LayerPadding};
pub use batch_norm::{batch_normalization, BatchNormalization};
pub use conv::{conv1d, conv2d, conv2d_transpose, separable_conv2d, Conv, ConvKind};
pub use dense::{dense, Dense};
pub use dropout::{dropout, Dropout};
pub use embedding::embedding_lookup;
pub use flatten::{flatten, Flatten};
pub use layer_norm::{layer_norm, LayerNorm};
pub use pooling::{average_pooling2d, max_pooling2d, PoolKind, Pooling2d};
pub use scope_ops::DataFormat;
pub use value::{LayerOutput, LayerValue};
