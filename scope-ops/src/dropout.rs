//! Seeded, deterministic inverted dropout.
//!
//! The keep mask comes from ChaCha8 (`rand_chacha::ChaCha8Rng`) seeded
//! with `seed_from_u64(seed)`: for the elements in row-major order, one
//! `next_u32` each gives `u = (bits >> 8) / 2^24` in `[0, 1)`, and the
//! element is kept when `u >= rate` (TF2's `random >= rate` rule), then
//! scaled by `1 / (1 - rate)`. The same seed and shape give the same mask
//! on every machine; the mask is not TF's (TF's Philox stream is not
//! reproduced). Drawing the mask is the only element loop here: it makes a
//! constant, the compute is one multiply.

use crate::error::{arg_err, Context, Result};
use candle_core::{Device, Shape, Tensor};
use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The inverted-dropout multiplier for `shape`: `1 / (1 - rate)` where kept,
/// 0 where dropped, as `f32`.
pub fn dropout_mask(shape: &Shape, rate: f64, seed: u64, device: &Device) -> Result<Tensor> {
    const OP: &str = "dropout";
    if !(0.0..1.0).contains(&rate) {
        return Err(arg_err(OP, format!("rate {rate} is outside [0, 1)")));
    }
    let scale = (1.0 / (1.0 - rate)) as f32;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mask: Vec<f32> = (0..shape.elem_count())
        .map(|_| {
            let u = (rng.next_u32() >> 8) as f64 / (1u32 << 24) as f64;
            if u >= rate {
                scale
            } else {
                0.0
            }
        })
        .collect();
    Tensor::from_vec(mask, shape.clone(), device).ctx(OP)
}

/// `tf.nn.dropout(x, rate)` with a seeded mask when `training`, the
/// identity otherwise (and for `rate == 0`).
pub fn dropout(x: &Tensor, rate: f64, seed: u64, training: bool) -> Result<Tensor> {
    const OP: &str = "dropout";
    if !(0.0..1.0).contains(&rate) {
        return Err(arg_err(OP, format!("rate {rate} is outside [0, 1)")));
    }
    if !training || rate == 0.0 {
        return Ok(x.clone());
    }
    let mask = dropout_mask(x.shape(), rate, seed, x.device())?
        .to_dtype(x.dtype())
        .ctx(OP)?;
    (x * mask).ctx(OP)
}
