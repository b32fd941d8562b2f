//! Batch normalization (inference and training) and layer normalization,
//! as `tf.nn.batch_normalization` / `tf.nn.moments` /
//! `tf.compat.v1.nn.fused_batch_norm` and tf-slim's `layer_norm` compute
//! them, composed from candle ops (so differentiable).
//!
//! TF's normalization formula, kept here op for op:
//! `inv = rsqrt(variance + eps) * gamma; y = x * inv + (beta - mean * inv)`.
//! `tf.nn.moments` computes the biased variance
//! `mean((x - stop_gradient(mean))^2)`.

use crate::error::{arg_err, shape_err, Context, Result};
use candle_core::{Tensor, D};

/// Options of [`batch_norm`] and [`batch_norm_training`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchNormConfig {
    /// The channel axis (3 for NHWC, 1 for NCHW or `[N, C]`).
    pub axis: usize,
    /// `tf.layers` / Keras default 1e-3; slim's 1e-3.
    pub epsilon: f64,
}

/// What [`batch_norm_training`] returns: the normalized output and the new
/// values for the caller to assign to the moving statistics.
#[derive(Debug, Clone)]
pub struct BatchNormTraining {
    pub output: Tensor,
    /// `[C]`, the mean over every axis but the channel axis.
    pub batch_mean: Tensor,
    /// `[C]`; biased (`tf.nn.moments`), or Bessel-corrected `n / (n - 1)`
    /// with `fused` (what `FusedBatchNorm` returns).
    pub batch_variance: Tensor,
    /// `moving_mean * decay + batch_mean * (1 - decay)`.
    pub moving_mean: Tensor,
    /// `moving_variance * decay + batch_variance * (1 - decay)`.
    pub moving_variance: Tensor,
}

fn check_param(
    op: &'static str,
    name: &str,
    p: &Tensor,
    c: usize,
    x_dims: &[usize],
    axis: usize,
) -> Result<()> {
    if p.dims() != [c] {
        return Err(shape_err(
            op,
            format!(
                "{name} has shape {:?}, expected [{c}] (channel axis {axis} of input {x_dims:?})",
                p.dims()
            ),
        ));
    }
    Ok(())
}

fn channel_count(op: &'static str, x: &Tensor, axis: usize) -> Result<usize> {
    let dims = x.dims();
    if axis >= dims.len() {
        return Err(arg_err(
            op,
            format!("channel axis {axis} is out of range for input shape {dims:?}"),
        ));
    }
    Ok(dims[axis])
}

/// `[C]` -> `[1, .., C, .., 1]` with C at `axis`.
fn along(p: &Tensor, rank: usize, axis: usize) -> candle_core::Result<Tensor> {
    let mut shape = vec![1usize; rank];
    shape[axis] = p.dim(0)?;
    p.reshape(shape)
}

/// TF's `batch_normalization` formula with already-broadcastable operands.
fn normalize(
    x: &Tensor,
    mean: &Tensor,
    variance: &Tensor,
    gamma: Option<&Tensor>,
    beta: Option<&Tensor>,
    epsilon: f64,
) -> candle_core::Result<Tensor> {
    let mut inv = (variance + epsilon)?.sqrt()?.recip()?;
    if let Some(g) = gamma {
        inv = inv.broadcast_mul(g)?;
    }
    let shift = match beta {
        Some(b) => b.broadcast_sub(&mean.broadcast_mul(&inv)?)?,
        None => mean.broadcast_mul(&inv)?.neg()?,
    };
    x.broadcast_mul(&inv)?.broadcast_add(&shift)
}

/// Inference batch norm (`tf.nn.batch_normalization` with the moving
/// statistics): `(x - mean) * rsqrt(variance + eps) * gamma + beta`, every
/// parameter `[C]`, `gamma` / `beta` optional (slim's `scale=False`,
/// `center=False`).
pub fn batch_norm(
    x: &Tensor,
    mean: &Tensor,
    variance: &Tensor,
    gamma: Option<&Tensor>,
    beta: Option<&Tensor>,
    cfg: &BatchNormConfig,
) -> Result<Tensor> {
    const OP: &str = "batch_norm";
    let c = channel_count(OP, x, cfg.axis)?;
    let (rank, axis) = (x.rank(), cfg.axis);
    check_param(OP, "mean", mean, c, x.dims(), axis)?;
    check_param(OP, "variance", variance, c, x.dims(), axis)?;
    for (name, p) in [("gamma", gamma), ("beta", beta)] {
        if let Some(p) = p {
            check_param(OP, name, p, c, x.dims(), axis)?;
        }
    }
    (|| {
        let b = |p: &Tensor| along(p, rank, axis);
        let g = gamma.map(b).transpose()?;
        let be = beta.map(b).transpose()?;
        normalize(
            x,
            &b(mean)?,
            &b(variance)?,
            g.as_ref(),
            be.as_ref(),
            cfg.epsilon,
        )
    })()
    .ctx(OP)
}

/// Training batch norm: normalizes with the batch moments over every axis
/// but `cfg.axis` and returns them with the moving-average updates
/// (`moving * decay + batch * (1 - decay)`). With `fused`, the returned
/// variance and its update are Bessel-corrected as TF's `FusedBatchNorm`
/// does (the normalization itself always uses the biased variance).
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_training(
    x: &Tensor,
    gamma: Option<&Tensor>,
    beta: Option<&Tensor>,
    moving_mean: &Tensor,
    moving_variance: &Tensor,
    decay: f64,
    fused: bool,
    cfg: &BatchNormConfig,
) -> Result<BatchNormTraining> {
    const OP: &str = "batch_norm_training";
    let c = channel_count(OP, x, cfg.axis)?;
    let (rank, axis) = (x.rank(), cfg.axis);
    check_param(OP, "moving_mean", moving_mean, c, x.dims(), axis)?;
    check_param(OP, "moving_variance", moving_variance, c, x.dims(), axis)?;
    for (name, p) in [("gamma", gamma), ("beta", beta)] {
        if let Some(p) = p {
            check_param(OP, name, p, c, x.dims(), axis)?;
        }
    }
    if !(0.0..=1.0).contains(&decay) {
        return Err(arg_err(OP, format!("decay {decay} is outside [0, 1]")));
    }
    let n = x.elem_count() / c.max(1);
    if fused && n < 2 {
        return Err(arg_err(
            OP,
            format!("a Bessel-corrected variance needs at least 2 values per channel, got {n}"),
        ));
    }
    (|| {
        let axes: Vec<usize> = (0..rank).filter(|&a| a != axis).collect();
        let mean = x.mean_keepdim(axes.as_slice())?;
        let variance = x
            .broadcast_sub(&mean.detach())?
            .sqr()?
            .mean_keepdim(axes.as_slice())?;
        let b = |p: &Tensor| along(p, rank, axis);
        let g = gamma.map(b).transpose()?;
        let be = beta.map(b).transpose()?;
        let output = normalize(x, &mean, &variance, g.as_ref(), be.as_ref(), cfg.epsilon)?;
        let batch_mean = mean.flatten_all()?;
        let mut batch_variance = variance.flatten_all()?;
        if fused {
            batch_variance = (batch_variance * (n as f64 / (n as f64 - 1.0)))?;
        }
        let moving_mean = ((moving_mean * decay)? + (&batch_mean * (1.0 - decay))?)?;
        let moving_variance = ((moving_variance * decay)? + (&batch_variance * (1.0 - decay))?)?;
        Ok(BatchNormTraining {
            output,
            batch_mean,
            batch_variance,
            moving_mean,
            moving_variance,
        })
    })()
    .ctx(OP)
}

/// Options of [`layer_norm`], as tf-slim's / tf.contrib's `layer_norm`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerNormConfig {
    /// First normalized axis (negative counts from the end); the moments
    /// are taken over `[begin_norm_axis, rank)`.
    pub begin_norm_axis: isize,
    /// First axis of the parameters' shape: gamma / beta are
    /// `x.shape[begin_params_axis..]`.
    pub begin_params_axis: isize,
    pub epsilon: f64,
}

impl Default for LayerNormConfig {
    /// slim's defaults: `begin_norm_axis` 1 (every axis but the batch),
    /// `begin_params_axis` -1, epsilon 1e-12. BERT and ALBERT call it with
    /// `begin_norm_axis = -1`.
    fn default() -> Self {
        LayerNormConfig {
            begin_norm_axis: 1,
            begin_params_axis: -1,
            epsilon: 1e-12,
        }
    }
}

fn resolve_axis(op: &'static str, name: &str, axis: isize, rank: usize) -> Result<usize> {
    let r = rank as isize;
    let a = if axis < 0 { axis + r } else { axis };
    if a < 0 || a >= r {
        return Err(arg_err(
            op,
            format!("{name} {axis} is out of range for rank {rank}"),
        ));
    }
    Ok(a as usize)
}

/// tf-slim `layer_norm`: moments over the normalized axes (keepdims), then
/// TF's batch-normalization formula with `gamma` / `beta` of shape
/// `x.shape[begin_params_axis..]` (each optional: `scale=False`,
/// `center=False`).
pub fn layer_norm(
    x: &Tensor,
    gamma: Option<&Tensor>,
    beta: Option<&Tensor>,
    cfg: &LayerNormConfig,
) -> Result<Tensor> {
    const OP: &str = "layer_norm";
    let rank = x.rank();
    let norm = resolve_axis(OP, "begin_norm_axis", cfg.begin_norm_axis, rank)?;
    let params = resolve_axis(OP, "begin_params_axis", cfg.begin_params_axis, rank)?;
    let pshape = &x.dims()[params..];
    for (name, p) in [("gamma", gamma), ("beta", beta)] {
        if let Some(p) = p {
            if p.dims() != pshape {
                return Err(shape_err(
                    OP,
                    format!(
                        "{name} has shape {:?}, expected {pshape:?} (input {:?} from begin_params_axis {})",
                        p.dims(),
                        x.dims(),
                        cfg.begin_params_axis
                    ),
                ));
            }
        }
    }
    (|| {
        let axes: Vec<usize> = (norm..rank).collect();
        let mean = x.mean_keepdim(axes.as_slice())?;
        let variance = x
            .broadcast_sub(&mean.detach())?
            .sqr()?
            .mean_keepdim(axes.as_slice())?;
        normalize(x, &mean, &variance, gamma, beta, cfg.epsilon)
    })()
    .ctx(OP)
}

/// GPT-2's `norm` (`src/model.py`), op for op: `u = mean(x, -1)`,
/// `s = mean((x - u)^2, -1)`, `(x - u) * rsqrt(s + eps) * g + b`, with
/// `g`, `b` of shape `[last]` and GPT-2's `eps = 1e-5`.
pub fn gpt2_layer_norm(x: &Tensor, g: &Tensor, b: &Tensor, epsilon: f64) -> Result<Tensor> {
    const OP: &str = "gpt2_layer_norm";
    let last = *x
        .dims()
        .last()
        .ok_or_else(|| arg_err(OP, "input is a scalar"))?;
    for (name, p) in [("g", g), ("b", b)] {
        if p.dims() != [last] {
            return Err(shape_err(
                OP,
                format!("{name} has shape {:?}, expected [{last}]", p.dims()),
            ));
        }
    }
    (|| {
        let u = x.mean_keepdim(D::Minus1)?;
        let xc = x.broadcast_sub(&u)?;
        let s = xc.sqr()?.mean_keepdim(D::Minus1)?;
        xc.broadcast_mul(&(s + epsilon)?.sqrt()?.recip()?)?
            .broadcast_mul(g)?
            .broadcast_add(b)
    })()
    .ctx(OP)
}
