//! Which tensors take this crate's CPU inference paths (the dense and
//! attention kernels, the fused NHWC convolution, the in-place max pool):
//! f32 tensors on the CPU that autograd does not track. Every other tensor
//! takes the composed candle ops, which any device, dtype and autograd
//! support.

use candle_core::{DType, Device, Tensor};

/// Whether `t` takes the CPU inference paths: an f32 CPU tensor that
/// autograd does not track (e.g. read under the runtime's `no_grad()`).
pub fn has_fast_path(t: &Tensor) -> bool {
    matches!(t.device(), Device::Cpu) && t.dtype() == DType::F32 && !t.track_op()
}
