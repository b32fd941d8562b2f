//! Activations as TF and the TF1 models compute them.
//!
//! Where candle's fused op has no backward pass (`softmax_last_dim`) or a
//! backward pass with rounded constants (`gelu`), the op is composed from
//! candle ops when a gradient is tracked and runs candle's one-pass kernel
//! otherwise (inference); both paths are tested against TF.

use crate::error::{arg_err, Context, Result};
use candle_core::Tensor;

/// `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))`, the GELU of
/// BERT's `modeling.py` and GPT-2's `model.py`.
pub fn gelu_tanh(x: &Tensor) -> Result<Tensor> {
    const OP: &str = "gelu_tanh";
    if !x.track_op() {
        return x.gelu().ctx(OP);
    }
    (|| {
        let c = (2.0 / std::f64::consts::PI).sqrt();
        let inner = ((x + (x.powf(3.0)? * 0.044715)?)? * c)?;
        (x * 0.5)? * (inner.tanh()? + 1.0)?
    })()
    .ctx(OP)
}

/// `0.5 * x * (1 + erf(x / sqrt(2)))`: `tf.nn.gelu(approximate=False)`.
pub fn gelu_erf(x: &Tensor) -> Result<Tensor> {
    x.gelu_erf().ctx("gelu_erf")
}

/// `max(x, 0)`. When tracked, computed as `x * (x > 0)` so that the
/// gradient at 0 is TF's 0 (candle's `relu` passes it through).
pub fn relu(x: &Tensor) -> Result<Tensor> {
    const OP: &str = "relu";
    if !x.track_op() {
        return x.relu().ctx(OP);
    }
    (|| x * x.gt(0.0)?.to_dtype(x.dtype())?)().ctx(OP)
}

/// `min(max(x, 0), 6)`. When tracked, computed as `x * (0 < x < 6) + 6 *
/// (x >= 6)` so that the gradient is TF's `Relu6Grad` (1 strictly inside
/// (0, 6), 0 at and beyond the corners; candle's `clamp` splits a tie
/// 0.5 / 0.5).
pub fn relu6(x: &Tensor) -> Result<Tensor> {
    const OP: &str = "relu6";
    if !x.track_op() {
        return x.clamp(0f32, 6f32).ctx(OP);
    }
    (|| {
        let inside = x.gt(0.0)?.mul(&x.lt(6.0)?)?.to_dtype(x.dtype())?;
        let above = x.ge(6.0)?.to_dtype(x.dtype())?;
        (x * inside)? + (above * 6.0)?
    })()
    .ctx(OP)
}

/// `tanh(x)`.
pub fn tanh(x: &Tensor) -> Result<Tensor> {
    x.tanh().ctx("tanh")
}

/// `1 / (1 + exp(-x))` (candle-nn's op, which has a backward pass).
pub fn sigmoid(x: &Tensor) -> Result<Tensor> {
    candle_nn::ops::sigmoid(x).ctx("sigmoid")
}

/// `tf.nn.softmax(x, axis)` (negative `axis` counts from the end),
/// computed as `exp(x - max) / sum(exp(x - max))` with the max detached.
pub fn softmax(x: &Tensor, axis: isize) -> Result<Tensor> {
    const OP: &str = "softmax";
    let rank = x.rank() as isize;
    let a = if axis < 0 { axis + rank } else { axis };
    if a < 0 || a >= rank {
        return Err(arg_err(
            OP,
            format!("axis {axis} is out of range for shape {:?}", x.dims()),
        ));
    }
    let a = a as usize;
    if !x.track_op() && a + 1 == x.rank() {
        return candle_nn::ops::softmax_last_dim(&x.contiguous().ctx(OP)?).ctx(OP);
    }
    // exp(x - m - log(sum(exp(x - m)))), m the detached max: its autograd
    // gives y * (dy - sum(dy * y)), the form TF's SoftmaxGrad computes,
    // which is more accurate for saturated rows than differentiating a
    // quotient.
    (|| {
        let max = x.max_keepdim(a)?.detach();
        let shifted = x.broadcast_sub(&max)?;
        let lse = shifted.exp()?.sum_keepdim(a)?.log()?;
        shifted.broadcast_sub(&lse)?.exp()
    })()
    .ctx(OP)
}
