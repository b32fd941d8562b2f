//! Convolutions with TensorFlow's semantics on candle's kernels.
//!
//! Kernels come in TF's layouts, as a TF checkpoint stores them: conv1d
//! `[k, in, out]`, conv2d HWIO `[kh, kw, in, out]`, conv2d_transpose
//! `[kh, kw, out, in]`. Inputs are channels-last by default.
//!
//! Channels-first conv2d and every conv2d_transpose are built on candle's
//! `conv2d` / `conv_transpose2d` (NCHW, OIHW), with what candle lacks added
//! around them:
//!
//! * TF's SAME padding is asymmetric (the odd pixel after); candle pads
//!   symmetrically, so the input is zero-padded explicitly and candle runs
//!   with padding 0.
//! * The padded input is then cut to the extent the windows read. Besides
//!   saving work, this keeps candle's conv2d backward correct: it sizes the
//!   input gradient from the height alone, which is wrong for an input whose
//!   height and width leave different remainders under the stride.
//! * Candle has one stride and one dilation for both axes. Unequal strides
//!   run at stride 1 and keep every s-th output row / column; unequal
//!   dilations insert zeros into the kernel.
//! * conv2d_transpose computes candle's full transposed convolution and
//!   then crops (or zero-extends) it to TF's output size, `pad_before` taken
//!   from the forward convolution's SAME arithmetic.
//!
//! Channels-last conv2d (and so conv1d) does not call candle's conv2d.
//! For f32 CPU tensors that autograd does not track (inference, e.g. under
//! the runtime's `no_grad()`), it is this crate's own product
//! (`conv_nhwc.rs` on `sgemm.rs`): the im2col stays implicit (each K block
//! is one kernel tap and a channel range, read where the input holds it),
//! the filter is read in its HWIO layout, and [`conv2d_fused`] applies a
//! per-channel scale and shift (a bias, a folded inference batch norm) and
//! a ReLU as the output is stored. Otherwise (autograd, other devices or
//! dtypes) it is an im2col in NHWC made of kernel taps (`window.rs`): the
//! kh*kw tap slices concatenated on the channel axis, `[N*Ho*Wo, kh*kw*C]`,
//! times the HWIO filter viewed as `[kh*kw*C, O]`, one candle matmul,
//! which candle differentiates.
//!
//! Measured on ResNet-50 shapes at batch 1 (`examples/conv_speed.rs`,
//! fastest of 20 runs, both cores, one run at 19:0x UTC on 2026-12-01; the
//! machine is shared, so compare columns of one run):
//!
//! | layer (ms, GFLOP/s)    | MFLOP | candle conv2d (NCHW) | this crate, inference |
//! |------------------------|------:|---------------------:|----------------------:|
//! | stem 7x7/2, 3->64 @224 | 236   | 12.2 ms, 19          | 6.7 ms, 35            |
//! | 3x3, 64->64 @56        | 231   | 12.8 ms, 18          | 1.9 ms, 124           |
//! | 3x3, 256->256 @14      | 231   | 9.7 ms, 24           | 2.1 ms, 109           |
//! | 1x1, 64->256 @56       | 103   | 3.6 ms, 28           | 0.96 ms, 107          |
//! | 1x1, 1024->256 @14     | 103   | 2.6 ms, 40           | 0.97 ms, 106          |
//!
//! The FMA peak of this 2-core AVX-512 Xeon is about 125 GFLOP/s per core
//! (measured); before this kernel, the `gemm` crate under candle's matmul
//! reached 40-75 GFLOP/s on these products and the explicit im2col cost
//! about as much again. The whole ResNet-50 figure is in `BENCHMARKS.md`.
//!
//! `depthwise_conv2d` does not use candle's `groups`: candle runs a grouped
//! convolution as one convolution per group followed by a concat (C tiny
//! convolutions for a depthwise layer). It is a sum over the kernel taps of
//! channel-wise products instead (see `window.rs`), which also handles the
//! channel multiplier and the dilation directly. Measured the same way
//! (3x3, one thread): 32 channels @112, candle groups 32-45 ms, taps
//! 6-9 ms; 512 channels @14, candle groups 10-16 ms, taps 0.63-0.65 ms.

use crate::error::{arg_err, dims_of, shape_err, Context, Result};
use crate::fast_path::has_fast_path;
use crate::format::DataFormat;
use crate::padding::{windowed_output_size, Padding, Window};
use crate::window::{strided, Taps};
use candle_core::Tensor;

/// Options of [`conv2d`], [`depthwise_conv2d`] and [`separable_conv2d`]
/// (TF's `strides`, `dilations` / `rate`, `padding`, `data_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv2dConfig {
    /// `[stride_h, stride_w]`.
    pub strides: [usize; 2],
    /// `[rate_h, rate_w]` (atrous rate); TF requires strides 1 when a rate
    /// is above 1, and so does this crate.
    pub dilations: [usize; 2],
    pub padding: Padding,
    pub data_format: DataFormat,
}

impl Default for Conv2dConfig {
    fn default() -> Self {
        Conv2dConfig {
            strides: [1, 1],
            dilations: [1, 1],
            padding: Padding::Valid,
            data_format: DataFormat::ChannelsLast,
        }
    }
}

/// Options of [`conv1d`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv1dConfig {
    pub stride: usize,
    pub dilation: usize,
    pub padding: Padding,
    pub data_format: DataFormat,
}

impl Default for Conv1dConfig {
    fn default() -> Self {
        Conv1dConfig {
            stride: 1,
            dilation: 1,
            padding: Padding::Valid,
            data_format: DataFormat::ChannelsLast,
        }
    }
}

/// Options of [`conv2d_transpose`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv2dTransposeConfig {
    pub strides: [usize; 2],
    pub padding: Padding,
    pub data_format: DataFormat,
    /// TF's `output_shape` (its spatial part). `None`: what `tf.layers` /
    /// Keras compute, `in * stride` for SAME and
    /// `in * stride + max(k - stride, 0)` for VALID.
    pub output_size: Option<[usize; 2]>,
}

impl Default for Conv2dTransposeConfig {
    fn default() -> Self {
        Conv2dTransposeConfig {
            strides: [1, 1],
            padding: Padding::Valid,
            data_format: DataFormat::ChannelsLast,
            output_size: None,
        }
    }
}

fn to_nchw(x: &Tensor, f: DataFormat) -> candle_core::Result<Tensor> {
    match f {
        DataFormat::ChannelsLast => x.permute((0, 3, 1, 2)),
        DataFormat::ChannelsFirst => Ok(x.clone()),
    }
}

fn from_nchw(x: &Tensor, f: DataFormat) -> candle_core::Result<Tensor> {
    match f {
        DataFormat::ChannelsLast => x.permute((0, 2, 3, 1)),
        DataFormat::ChannelsFirst => Ok(x.clone()),
    }
}

fn check_geometry(op: &'static str, strides: [usize; 2], dilations: [usize; 2]) -> Result<()> {
    if strides.contains(&0) {
        return Err(arg_err(op, format!("strides must be > 0, got {strides:?}")));
    }
    if dilations.contains(&0) {
        return Err(arg_err(
            op,
            format!("dilations must be > 0, got {dilations:?}"),
        ));
    }
    if dilations.iter().any(|&d| d > 1) && strides.iter().any(|&s| s > 1) {
        return Err(arg_err(
            op,
            format!(
                "strides {strides:?} with dilations {dilations:?}: a dilation rate above 1 \
                 requires strides 1 (as in tf.nn.convolution)"
            ),
        ));
    }
    Ok(())
}

/// The two spatial windows of a 4-D input for a kernel `ksize`.
pub(crate) fn windows(
    op: &'static str,
    in_hw: [usize; 2],
    ksize: [usize; 2],
    strides: [usize; 2],
    dilations: [usize; 2],
    padding: Padding,
) -> Result<[Window; 2]> {
    let w = |a: usize| {
        windowed_output_size(in_hw[a], ksize[a], strides[a], dilations[a], padding)
            .map_err(|e| arg_err(op, format!("spatial axis {a} (size {}): {e}", in_hw[a])))
    };
    Ok([w(0)?, w(1)?])
}

/// Zero-pads the two spatial `axes` as TF does and cuts them to the extent
/// the windows read.
pub(crate) fn pad_and_cut(
    x: &Tensor,
    axes: [usize; 2],
    win: &[Window; 2],
    ksize: [usize; 2],
    strides: [usize; 2],
    dilations: [usize; 2],
    value: f64,
) -> candle_core::Result<Tensor> {
    let mut x = x.clone();
    for a in 0..2 {
        x = crate::window::pad_with_value(&x, axes[a], win[a].pad_before, win[a].pad_after, value)?;
        let used = win[a].used_extent(ksize[a], strides[a], dilations[a]);
        if x.dim(axes[a])? > used {
            x = x.narrow(axes[a], 0, used)?;
        }
    }
    Ok(x)
}

/// Inserts `d - 1` zeros between the elements of `axis`.
fn dilate_axis(k: &Tensor, axis: usize, d: usize) -> candle_core::Result<Tensor> {
    if d == 1 {
        return Ok(k.clone());
    }
    let n = k.dim(axis)?;
    let mut parts = vec![k.clone()];
    parts.extend(std::iter::repeat_n(k.zeros_like()?, d - 1));
    let stacked = Tensor::stack(&parts, axis + 1)?;
    let mut dims = k.dims().to_vec();
    dims[axis] = n * d;
    stacked.reshape(dims)?.narrow(axis, 0, (n - 1) * d + 1)
}

/// `tf.nn.conv2d` / `tf.nn.convolution` in 2-D: `x` `[N, H, W, C]` (or
/// NCHW), `filter` HWIO `[kh, kw, C, O]`.
pub fn conv2d(x: &Tensor, filter: &Tensor, cfg: &Conv2dConfig) -> Result<Tensor> {
    conv2d_fused(x, filter, cfg, &Fused::default())
}

/// Checks a conv2d's shapes and geometry; its two spatial windows.
fn conv2d_windows(x: &Tensor, filter: &Tensor, cfg: &Conv2dConfig) -> Result<[Window; 2]> {
    const OP: &str = "conv2d";
    let xd = dims_of(OP, "input", x, 4)?;
    let fd = dims_of(OP, "filter", filter, 4)?;
    check_geometry(OP, cfg.strides, cfg.dilations)?;
    let [ah, aw] = cfg.data_format.spatial_axes();
    let c = xd[cfg.data_format.channel_axis(4)];
    if fd[2] != c {
        return Err(shape_err(
            OP,
            format!(
                "filter {fd:?} (HWIO) expects {} input channels, the input {xd:?} has {c}",
                fd[2]
            ),
        ));
    }
    windows(
        OP,
        [xd[ah], xd[aw]],
        [fd[0], fd[1]],
        cfg.strides,
        cfg.dilations,
        cfg.padding,
    )
}

/// The composed conv2d (candle ops, differentiable) on checked shapes.
fn conv2d_checked(
    x: &Tensor,
    filter: &Tensor,
    cfg: &Conv2dConfig,
    win: &[Window; 2],
) -> candle_core::Result<Tensor> {
    let (kh, kw, c, o) = filter.dims4()?;
    let [sh, sw] = cfg.strides;
    if cfg.data_format == DataFormat::ChannelsLast {
        // im2col in NHWC from kernel taps: the kh*kw tap slices concatenated
        // on the channel axis are [N, Ho, Wo, kh*kw*C] in (i, j, c) order,
        // which is HWIO's row order, so one matmul with the filter viewed as
        // [kh*kw*C, O] is the convolution (a 1x1 one is just the matmul).
        let padded = pad_and_cut(x, [1, 2], win, [kh, kw], cfg.strides, cfg.dilations, 0.0)?;
        let taps = Taps {
            axes: [1, 2],
            ksize: [kh, kw],
            strides: cfg.strides,
            dilations: cfg.dilations,
            out: [win[0].output, win[1].output],
        };
        let mut cols = Vec::with_capacity(kh * kw);
        // contiguous taps: candle's cat of strided views on a non-leading
        // axis goes through transposed copies (measured 3x slower here)
        taps.for_each(&padded, |_, _, tap| {
            cols.push(tap.contiguous()?);
            Ok(())
        })?;
        let patches = if cols.len() == 1 {
            cols.pop().expect("one tap")
        } else {
            Tensor::cat(&cols, 3)?
        };
        let (n, ho, wo, _) = patches.dims4()?;
        let y = patches
            .reshape((n * ho * wo, kh * kw * c))?
            .matmul(&filter.reshape((kh * kw * c, o))?)?;
        return y.reshape((n, ho, wo, o));
    }
    let [dh, dw] = cfg.dilations;
    let x = to_nchw(x, cfg.data_format)?;
    let x = pad_and_cut(&x, [2, 3], win, [kh, kw], cfg.strides, cfg.dilations, 0.0)?;
    // HWIO -> OIHW
    let mut k = filter.permute((3, 2, 0, 1))?.contiguous()?;
    let dilation = if dh == dw {
        dh
    } else {
        k = dilate_axis(&dilate_axis(&k, 2, dh)?, 3, dw)?;
        1
    };
    let y = if sh == sw {
        x.conv2d(&k, 0, sh, dilation, 1)?
    } else {
        let y = x.conv2d(&k, 0, 1, dilation, 1)?;
        let y = strided(&y, 2, 0, win[0].output, sh)?;
        strided(&y, 3, 0, win[1].output, sw)?
    };
    from_nchw(&y, cfg.data_format)
}

/// What [`conv2d_fused`] applies per output channel after the
/// convolution: `relu?(y · scale + shift)` (a bias is a `shift`; an
/// inference batch norm is `scale = gamma / sqrt(var + eps)`,
/// `shift = beta - mean · scale`).
#[derive(Clone, Debug, Default)]
pub struct Fused {
    /// `[O]`, or none for 1.
    pub scale: Option<Tensor>,
    /// `[O]`, or none for 0.
    pub shift: Option<Tensor>,
    pub relu: bool,
}

/// `relu?(conv2d(x, filter) · scale + shift)` for channels-last `x`, in one
/// pass on the CPU for untracked f32 tensors (`conv_nhwc.rs`); elsewhere
/// (other devices, dtypes, autograd, NCHW) the same composed from candle
/// ops.
pub fn conv2d_fused(
    x: &Tensor,
    filter: &Tensor,
    cfg: &Conv2dConfig,
    post: &Fused,
) -> Result<Tensor> {
    const OP: &str = "conv2d";
    let win = conv2d_windows(x, filter, cfg)?;
    let o = filter.dims()[3];
    for (what, v) in [("scale", &post.scale), ("shift", &post.shift)] {
        if let Some(v) = v {
            if v.dims() != [o] {
                return Err(shape_err(
                    OP,
                    format!(
                        "{what} {:?} must be [{o}], one per output channel",
                        v.dims()
                    ),
                ));
            }
        }
    }
    let fast = cfg.data_format == DataFormat::ChannelsLast
        && has_fast_path(x)
        && has_fast_path(filter)
        && post.scale.iter().chain(&post.shift).all(has_fast_path);
    if fast {
        return conv2d_nhwc_fast(x, filter, cfg, &win, post).ctx(OP);
    }
    let mut y = conv2d_checked(x, filter, cfg, &win).ctx(OP)?;
    let shape = |v: &Tensor| -> candle_core::Result<Tensor> {
        match cfg.data_format {
            DataFormat::ChannelsLast => Ok(v.clone()),
            DataFormat::ChannelsFirst => v.reshape((o, 1, 1)),
        }
    };
    if let Some(s) = &post.scale {
        y = y.broadcast_mul(&shape(s).ctx(OP)?).ctx(OP)?;
    }
    if let Some(s) = &post.shift {
        y = y.broadcast_add(&shape(s).ctx(OP)?).ctx(OP)?;
    }
    if post.relu {
        y = y.relu().ctx(OP)?;
    }
    Ok(y)
}

fn conv2d_nhwc_fast(
    x: &Tensor,
    filter: &Tensor,
    cfg: &Conv2dConfig,
    win: &[Window; 2],
    post: &Fused,
) -> candle_core::Result<Tensor> {
    use crate::conv_nhwc::{self, Geometry};
    use crate::fast_path::with_contiguous;
    let (n, h, w, c) = x.dims4()?;
    let (kh, kw, _, o) = filter.dims4()?;
    let g = Geometry {
        input: [n, h, w, c],
        ksize: [kh, kw],
        strides: cfg.strides,
        dilations: cfg.dilations,
        windows: *win,
    };
    let vec1 = |v: &Option<Tensor>| v.as_ref().map(|v| v.to_vec1::<f32>()).transpose();
    let (scale, shift) = (vec1(&post.scale)?, vec1(&post.shift)?);
    let out = with_contiguous(x, |xd| {
        with_contiguous(filter, |fd| {
            let epi = crate::sgemm::Epilogue {
                scale: scale.as_deref(),
                shift: shift.as_deref(),
                relu: post.relu,
            };
            Ok(conv_nhwc::conv2d(xd, fd, o, g, epi))
        })
    })?;
    Tensor::from_vec(out, (n, win[0].output, win[1].output, o), x.device())
}

/// `tf.nn.conv1d`: `x` `[N, W, C]` (or NCW), `filter` `[k, C, O]`. Run as a
/// conv2d over a height of 1, as TF does.
pub fn conv1d(x: &Tensor, filter: &Tensor, cfg: &Conv1dConfig) -> Result<Tensor> {
    const OP: &str = "conv1d";
    dims_of(OP, "input", x, 3)?;
    dims_of(OP, "filter", filter, 3)?;
    let h_axis = match cfg.data_format {
        DataFormat::ChannelsLast => 1,
        DataFormat::ChannelsFirst => 2,
    };
    let x4 = x.unsqueeze(h_axis).ctx(OP)?;
    let f4 = filter.unsqueeze(0).ctx(OP)?;
    let cfg2 = Conv2dConfig {
        strides: [1, cfg.stride],
        dilations: [1, cfg.dilation],
        padding: cfg.padding,
        data_format: cfg.data_format,
    };
    let y = conv2d(&x4, &f4, &cfg2).map_err(|e| rename(e, OP))?;
    y.squeeze(h_axis).ctx(OP)
}

fn rename(e: crate::Error, op: &'static str) -> crate::Error {
    use crate::Error;
    match e {
        Error::Shape { what, .. } => Error::Shape { op, what },
        Error::InvalidArgument { what, .. } => Error::InvalidArgument { op, what },
        Error::Candle { source, .. } => Error::Candle { op, source },
        other => other,
    }
}

/// `tf.nn.conv2d_transpose`: `x` `[N, H, W, C_in]` (or NCHW), `filter`
/// `[kh, kw, C_out, C_in]`; the output is `[N, out_h, out_w, C_out]`.
pub fn conv2d_transpose(
    x: &Tensor,
    filter: &Tensor,
    cfg: &Conv2dTransposeConfig,
) -> Result<Tensor> {
    const OP: &str = "conv2d_transpose";
    let xd = dims_of(OP, "input", x, 4)?;
    let fd = dims_of(OP, "filter", filter, 4)?;
    check_geometry(OP, cfg.strides, [1, 1])?;
    let [ah, aw] = cfg.data_format.spatial_axes();
    let c = xd[cfg.data_format.channel_axis(4)];
    if fd[3] != c {
        return Err(shape_err(
            OP,
            format!(
                "filter {fd:?} ([kh, kw, out, in]) expects {} input channels, the input {xd:?} has {c}",
                fd[3]
            ),
        ));
    }
    let in_hw = [xd[ah], xd[aw]];
    let ksize = [fd[0], fd[1]];
    let out_hw = cfg.output_size.unwrap_or_else(|| {
        std::array::from_fn(|a| match cfg.padding {
            Padding::Same => in_hw[a] * cfg.strides[a],
            Padding::Valid => in_hw[a] * cfg.strides[a] + ksize[a].saturating_sub(cfg.strides[a]),
        })
    });
    // The forward convolution from the output size must give back the
    // input size (TF's Conv2DBackpropInput check); it also gives pad_before.
    let win = windows(OP, out_hw, ksize, cfg.strides, [1, 1], cfg.padding)?;
    for a in 0..2 {
        if win[a].output != in_hw[a] {
            return Err(shape_err(
                OP,
                format!(
                    "output size {out_hw:?} does not fit the input {in_hw:?}: a {:?} convolution \
                     of size {} with window {} and stride {} gives {}, not {}",
                    cfg.padding, out_hw[a], ksize[a], cfg.strides[a], win[a].output, in_hw[a]
                ),
            ));
        }
    }
    conv2d_transpose_checked(x, filter, cfg, out_hw, &win).ctx(OP)
}

fn conv2d_transpose_checked(
    x: &Tensor,
    filter: &Tensor,
    cfg: &Conv2dTransposeConfig,
    out_hw: [usize; 2],
    win: &[Window; 2],
) -> candle_core::Result<Tensor> {
    let [sh, sw] = cfg.strides;
    let x = to_nchw(x, cfg.data_format)?;
    // [kh, kw, out, in] -> [in, out, kh, kw]
    let k = filter.permute((3, 2, 0, 1))?.contiguous()?;
    let full = if sh == sw {
        x.conv_transpose2d(&k, 0, 0, sh, 1)?
    } else {
        // a transposed convolution with stride s is one with stride 1 over
        // the input with s - 1 zeros inserted between its elements
        let x = dilate_axis(&dilate_axis(&x, 2, sh)?, 3, sw)?;
        x.conv_transpose2d(&k, 0, 0, 1, 1)?
    };
    // TF's output[j] = full[j + pad_before], zero past full's end.
    let mut y = full;
    for a in 0..2 {
        let axis = 2 + a;
        let len = y.dim(axis)?;
        let need = win[a].pad_before + out_hw[a];
        if need > len {
            y = y.pad_with_zeros(axis, 0, need - len)?;
        }
        y = y.narrow(axis, win[a].pad_before, out_hw[a])?;
    }
    from_nchw(&y, cfg.data_format)
}

/// `tf.nn.depthwise_conv2d`: `x` `[N, H, W, C]` (or NCHW), `filter`
/// `[kh, kw, C, multiplier]`; output channel `c * multiplier + m` is
/// channel `c` convolved with `filter[.., .., c, m]`.
pub fn depthwise_conv2d(x: &Tensor, filter: &Tensor, cfg: &Conv2dConfig) -> Result<Tensor> {
    const OP: &str = "depthwise_conv2d";
    let xd = dims_of(OP, "input", x, 4)?;
    let fd = dims_of(OP, "filter", filter, 4)?;
    check_geometry(OP, cfg.strides, cfg.dilations)?;
    let axes = cfg.data_format.spatial_axes();
    let c = xd[cfg.data_format.channel_axis(4)];
    if fd[2] != c {
        return Err(shape_err(
            OP,
            format!(
                "filter {fd:?} ([kh, kw, in, multiplier]) expects {} channels, the input {xd:?} has {c}",
                fd[2]
            ),
        ));
    }
    let ksize = [fd[0], fd[1]];
    let win = windows(
        OP,
        [xd[axes[0]], xd[axes[1]]],
        ksize,
        cfg.strides,
        cfg.dilations,
        cfg.padding,
    )?;
    depthwise_checked(x, filter, cfg, &win).ctx(OP)
}

fn depthwise_checked(
    x: &Tensor,
    filter: &Tensor,
    cfg: &Conv2dConfig,
    win: &[Window; 2],
) -> candle_core::Result<Tensor> {
    let (kh, kw, c, m) = filter.dims4()?;
    let axes = cfg.data_format.spatial_axes();
    let padded = pad_and_cut(x, axes, win, [kh, kw], cfg.strides, cfg.dilations, 0.0)?;
    let taps = Taps {
        axes,
        ksize: [kh, kw],
        strides: cfg.strides,
        dilations: cfg.dilations,
        out: [win[0].output, win[1].output],
    };
    // Each tap [.., C] times filter[i, j] [C, M], broadcast over N, H, W.
    let (tap_shape, w_shape): (Vec<usize>, Vec<usize>) = match cfg.data_format {
        DataFormat::ChannelsLast => (
            vec![x.dim(0)?, taps.out[0], taps.out[1], c, 1],
            vec![1, 1, 1, c, m],
        ),
        DataFormat::ChannelsFirst => (
            vec![x.dim(0)?, c, 1, taps.out[0], taps.out[1]],
            vec![1, c, m, 1, 1],
        ),
    };
    let mut acc: Option<Tensor> = None;
    taps.for_each(&padded, |i, j, tap| {
        let w = filter.get(i)?.get(j)?.reshape(w_shape.as_slice())?;
        let term = tap.reshape(tap_shape.as_slice())?.broadcast_mul(&w)?;
        acc = Some(match acc.take() {
            None => term,
            Some(a) => (a + term)?,
        });
        Ok(())
    })?;
    let y = acc.expect("a filter has at least one tap");
    let out_shape = match cfg.data_format {
        DataFormat::ChannelsLast => (x.dim(0)?, taps.out[0], taps.out[1], c * m),
        DataFormat::ChannelsFirst => (x.dim(0)?, c * m, taps.out[0], taps.out[1]),
    };
    y.reshape(out_shape)
}

/// `tf.nn.separable_conv2d`: [`depthwise_conv2d`] with `cfg`, then a 1x1
/// VALID convolution with `pointwise_filter` `[1, 1, C * multiplier, O]`.
pub fn separable_conv2d(
    x: &Tensor,
    depthwise_filter: &Tensor,
    pointwise_filter: &Tensor,
    cfg: &Conv2dConfig,
) -> Result<Tensor> {
    const OP: &str = "separable_conv2d";
    let dd = dims_of(OP, "depthwise_filter", depthwise_filter, 4)?;
    let pd = dims_of(OP, "pointwise_filter", pointwise_filter, 4)?;
    if pd[0] != 1 || pd[1] != 1 || pd[2] != dd[2] * dd[3] {
        return Err(shape_err(
            OP,
            format!(
                "pointwise filter {pd:?} must be [1, 1, {}, out] for the depthwise filter {dd:?}",
                dd[2] * dd[3]
            ),
        ));
    }
    let mid = depthwise_conv2d(x, depthwise_filter, cfg).map_err(|e| rename(e, OP))?;
    let pw = Conv2dConfig {
        data_format: cfg.data_format,
        ..Conv2dConfig::default()
    };
    conv2d(&mid, pointwise_filter, &pw).map_err(|e| rename(e, OP))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::padding::effective_size;
    use candle_core::Device;

    #[test]
    fn dilate_axis_inserts_zeros() {
        let k = Tensor::new(&[[1f32, 2., 3.]], &Device::Cpu).unwrap();
        let d = dilate_axis(&k, 1, 3).unwrap();
        assert_eq!(
            d.to_vec2::<f32>().unwrap(),
            vec![vec![1., 0., 0., 2., 0., 0., 3.]]
        );
    }

    #[test]
    fn effective_size_of_dilated_kernel() {
        assert_eq!(effective_size(3, 2), 5);
    }
}
