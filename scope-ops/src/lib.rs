//! TensorFlow's op semantics on candle tensors, where candle lacks them:
//! TF's SAME / VALID padding, channels-last convolutions and pools with
//! kernels in TF's checkpoint layouts, batch and layer normalization as TF
//! and tf-slim compute them, the TF1 models' activations, seeded dropout
//! and the sparse softmax cross-entropy.
//!
//! Every op is differentiable through candle's autograd where TF's is.
//! Every op but dropout (whose mask is this crate's seeded generator, not
//! TF's) is tested against TensorFlow's outputs and gradients
//! (`tests/fixtures/`, made by `tools/tf-differential/ops_fixtures.py`).
//!
//! ```
//! use candle_core::{Device, Tensor};
//! use scope_ops::{conv2d, Conv2dConfig, Padding};
//! # fn main() -> scope_ops::Result<()> {
//! let x = Tensor::zeros((1, 9, 9, 3), candle_core::DType::F32, &Device::Cpu).unwrap();
//! let kernel = Tensor::zeros((3, 3, 3, 8), candle_core::DType::F32, &Device::Cpu).unwrap(); // HWIO
//! let cfg = Conv2dConfig { strides: [2, 2], padding: Padding::Same, ..Default::default() };
//! assert_eq!(conv2d(&x, &kernel, &cfg)?.dims(), &[1, 5, 5, 8]);
//! # Ok(()) }
//! ```
// `unsafe` only in `kernels` (raw gemm calls), `sgemm` (the AVX-512
// microkernel and its pointers), `out_ptr` (the shared output pointer) and
// `malloc` (glibc's `mallopt`), allowed there item by item.
#![deny(unsafe_code)]

pub mod activation;
pub mod conv;
mod conv_nhwc;
pub mod dropout;
mod error;
mod fast_path;
pub mod format;
pub mod kernels;
pub mod loss;
mod malloc;
pub mod norm;
mod out_ptr;
pub mod padding;
pub mod pool;
mod sgemm;
pub mod threads;
mod window;

pub use activation::{gelu_erf, gelu_tanh, relu, relu6, sigmoid, softmax, tanh};
pub use conv::{
    conv1d, conv2d, conv2d_fused, conv2d_transpose, depthwise_conv2d, separable_conv2d,
    Conv1dConfig, Conv2dConfig, Conv2dTransposeConfig, Fused,
};
pub use dropout::{dropout, dropout_mask};
pub use error::{Error, Result};
pub use fast_path::has_fast_path;
pub use format::DataFormat;
pub use loss::sparse_softmax_cross_entropy_with_logits;
pub use malloc::tune_cpu_allocator;
pub use norm::{
    batch_norm, batch_norm_training, gpt2_layer_norm, layer_norm, BatchNormConfig,
    BatchNormTraining, LayerNormConfig,
};
pub use padding::{windowed_output_size, Padding, Window};
pub use pool::{avg_pool2d, max_pool2d, Pool2dConfig};
pub use threads::{process_cpu_seconds, tune_cpu_threads};
