//! Which tensors take this crate's CPU inference paths (the dense and
//! attention kernels, the fused NHWC convolution, the in-place max pool):
//! f32 tensors on the CPU that autograd does not track. Every other tensor
//! takes the composed candle ops, which any device, dtype and autograd
//! support. Also: reading such a tensor's elements in place.

use candle_core::{DType, Device, Storage, Tensor};

/// Whether `t` takes the CPU inference paths: an f32 CPU tensor that
/// autograd does not track (e.g. read under the runtime's `no_grad()`).
pub fn has_fast_path(t: &Tensor) -> bool {
    matches!(t.device(), Device::Cpu) && t.dtype() == DType::F32 && !t.track_op()
}

/// Runs `f` on the f32 elements of a CPU tensor in row-major order (the
/// tensor itself when contiguous, else a contiguous copy).
pub(crate) fn with_contiguous<R>(
    t: &Tensor,
    f: impl FnOnce(&[f32]) -> candle_core::Result<R>,
) -> candle_core::Result<R> {
    let t = t.contiguous()?;
    let (storage, layout) = t.storage_and_layout();
    let Storage::Cpu(cpu) = &*storage else {
        candle_core::bail!("an inference kernel got a tensor that is not on the CPU");
    };
    let data = cpu.as_slice::<f32>()?;
    let start = layout.start_offset();
    f(&data[start..start + t.elem_count()])
}
