//! `tf.nn.max_pool2d` / `tf.nn.avg_pool2d` with SAME / VALID padding.
//!
//! Built from kernel taps (`window.rs`) rather than candle's `max_pool2d` /
//! `avg_pool2d`, which pad nothing and have no backward pass when the
//! window differs from the stride. TF's rules:
//!
//! * max pooling pads with -inf (a padded pixel never wins);
//! * average pooling divides each window's sum by the number of input
//!   (non-padded) pixels in that window, not by the window size. The counts
//!   are the same tap sum over a tensor of ones, so they are exact.
//!
//! When no gradient is tracked (inference) and the padded max pool fits
//! candle's kernel, candle's `max_pool2d_with_stride` runs on the -inf
//! padded NCHW input, one pass instead of one pass per tap.

use crate::conv::{pad_and_cut, windows};
use crate::error::{arg_err, dims_of, Context, Result};
use crate::format::DataFormat;
use crate::padding::{Padding, Window};
use crate::window::Taps;
use candle_core::Tensor;

/// Options of [`max_pool2d`] and [`avg_pool2d`] (TF's `ksize`, `strides`,
/// `padding`, `data_format`, spatial parts only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool2dConfig {
    pub ksize: [usize; 2],
    pub strides: [usize; 2],
    pub padding: Padding,
    pub data_format: DataFormat,
}

impl Pool2dConfig {
    /// A `ksize` window with stride `strides`, channels-last.
    pub fn new(ksize: [usize; 2], strides: [usize; 2], padding: Padding) -> Self {
        Pool2dConfig {
            ksize,
            strides,
            padding,
            data_format: DataFormat::ChannelsLast,
        }
    }
}

fn geometry(op: &'static str, x: &Tensor, cfg: &Pool2dConfig) -> Result<(Taps, [Window; 2])> {
    let xd = dims_of(op, "input", x, 4)?;
    if cfg.strides.contains(&0) || cfg.ksize.contains(&0) {
        return Err(arg_err(
            op,
            format!(
                "ksize {:?} and strides {:?} must be > 0",
                cfg.ksize, cfg.strides
            ),
        ));
    }
    let axes = cfg.data_format.spatial_axes();
    let win = windows(
        op,
        [xd[axes[0]], xd[axes[1]]],
        cfg.ksize,
        cfg.strides,
        [1, 1],
        cfg.padding,
    )?;
    let taps = Taps {
        axes,
        ksize: cfg.ksize,
        strides: cfg.strides,
        dilations: [1, 1],
        out: [win[0].output, win[1].output],
    };
    Ok((taps, win))
}

/// `tf.nn.max_pool2d`.
pub fn max_pool2d(x: &Tensor, cfg: &Pool2dConfig) -> Result<Tensor> {
    const OP: &str = "max_pool2d";
    let (taps, win) = geometry(OP, x, cfg)?;
    if cfg.data_format == DataFormat::ChannelsLast && crate::fast_path::has_fast_path(x) {
        return max_pool_nhwc(x, cfg, &win).ctx(OP);
    }
    let padded = pad_and_cut(
        x,
        taps.axes,
        &win,
        cfg.ksize,
        cfg.strides,
        [1, 1],
        f64::NEG_INFINITY,
    )
    .ctx(OP)?;
    if !padded.track_op() {
        return max_pool_inference(&padded, cfg).ctx(OP);
    }
    let mut acc: Option<Tensor> = None;
    taps.for_each(&padded, |_, _, tap| {
        acc = Some(match acc.take() {
            None => tap,
            Some(a) => a.maximum(&tap)?,
        });
        Ok(())
    })
    .ctx(OP)?;
    Ok(acc.expect("a window has at least one tap"))
}

/// Inference max pool of an untracked f32 CPU NHWC input, read in place:
/// each output pixel's channels are the element-wise maximum of the
/// channel runs of its window's input pixels (padding never wins), one
/// task per output row. candle's pool would need the input in NCHW (two
/// transposing copies) and padded with -inf (a third); on ResNet-50's
/// 3×3/2 stem pool that was about 6 % of the forward pass.
fn max_pool_nhwc(x: &Tensor, cfg: &Pool2dConfig, win: &[Window; 2]) -> candle_core::Result<Tensor> {
    use rayon::prelude::*;
    let (n, h, w, c) = x.dims4()?;
    let (ho, wo) = (win[0].output, win[1].output);
    let [kh, kw] = cfg.ksize;
    let [sh, sw] = cfg.strides;
    // The input rows / columns of output position `o` on one axis.
    let span = |o: usize, s: usize, k: usize, pad: usize, len: usize| {
        let first = o * s;
        first.max(pad) - pad..(first + k).min(len + pad) - pad
    };
    let out = crate::fast_path::with_contiguous(x, |xd| {
        let mut out = vec![f32::NEG_INFINITY; n * ho * wo * c];
        out.par_chunks_mut((wo * c).max(1))
            .enumerate()
            .for_each(|(row, o)| {
                let (b, oh) = (row / ho, row % ho);
                for ih in span(oh, sh, kh, win[0].pad_before, h) {
                    for ow in 0..wo {
                        let dst = &mut o[ow * c..(ow + 1) * c];
                        for iw in span(ow, sw, kw, win[1].pad_before, w) {
                            let at = ((b * h + ih) * w + iw) * c;
                            for (d, &v) in dst.iter_mut().zip(&xd[at..at + c]) {
                                *d = d.max(v);
                            }
                        }
                    }
                }
            });
        Ok(out)
    })?;
    Tensor::from_vec(out, (n, ho, wo, c), x.device())
}

fn max_pool_inference(padded: &Tensor, cfg: &Pool2dConfig) -> candle_core::Result<Tensor> {
    let (kh, kw) = (cfg.ksize[0], cfg.ksize[1]);
    let (sh, sw) = (cfg.strides[0], cfg.strides[1]);
    match cfg.data_format {
        DataFormat::ChannelsLast => padded
            .permute((0, 3, 1, 2))?
            .max_pool2d_with_stride((kh, kw), (sh, sw))?
            .permute((0, 2, 3, 1)),
        DataFormat::ChannelsFirst => padded.max_pool2d_with_stride((kh, kw), (sh, sw)),
    }
}

/// `tf.nn.avg_pool2d`: each window's mean over its non-padded pixels.
pub fn avg_pool2d(x: &Tensor, cfg: &Pool2dConfig) -> Result<Tensor> {
    const OP: &str = "avg_pool2d";
    let (taps, win) = geometry(OP, x, cfg)?;
    let sum_taps = |t: &Tensor| -> candle_core::Result<Tensor> {
        let padded = pad_and_cut(t, taps.axes, &win, cfg.ksize, cfg.strides, [1, 1], 0.0)?;
        let mut acc: Option<Tensor> = None;
        taps.for_each(&padded, |_, _, tap| {
            acc = Some(match acc.take() {
                None => tap,
                Some(a) => (a + tap)?,
            });
            Ok(())
        })?;
        Ok(acc.expect("a window has at least one tap"))
    };
    let sums = sum_taps(x).ctx(OP)?;
    if win.iter().all(|w| w.pad_before + w.pad_after == 0) {
        let n = (cfg.ksize[0] * cfg.ksize[1]) as f64;
        return (sums / n).ctx(OP);
    }
    // counts: the same sums over ones of shape [1, H, W, 1] (or [1, 1, H, W])
    let mut ones_shape = vec![1usize; 4];
    for &a in &taps.axes {
        ones_shape[a] = x.dim(a).ctx(OP)?;
    }
    let ones = Tensor::ones(ones_shape, x.dtype(), x.device()).ctx(OP)?;
    let counts = sum_taps(&ones).ctx(OP)?;
    sums.broadcast_div(&counts).ctx(OP)
}
