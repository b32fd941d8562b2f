//! Kernel taps: for a (padded) 4-D input and a window geometry, the slice of
//! the input that one kernel position `(i, j)` sees at every output pixel,
//! `x[.., i * dh + r * sh, j * dw + c * sw, ..]` for `r < out_h`, `c < out_w`.
//!
//! Pooling and the depthwise convolution are sums / maxima / channel-wise
//! products of these slices. Candle's own `max_pool2d` / `avg_pool2d` have
//! no padding and no backward pass when the window differs from the stride
//! (ResNet's 3x3 / 2 max pool, TF's SAME average pool), so these ops are
//! composed here from `narrow` and `index_select`, which candle
//! differentiates.

use candle_core::{Result, Tensor};

/// Pads `axis` with `before` / `after` copies of `value` (differentiable:
/// a `cat` with constant blocks).
pub(crate) fn pad_with_value(
    x: &Tensor,
    axis: usize,
    before: usize,
    after: usize,
    value: f64,
) -> Result<Tensor> {
    if before == 0 && after == 0 {
        return Ok(x.clone());
    }
    if value == 0.0 {
        return x.pad_with_zeros(axis, before, after);
    }
    let block = |n: usize| -> Result<Tensor> {
        let mut dims = x.dims().to_vec();
        dims[axis] = n;
        Tensor::full(value, dims, x.device())?.to_dtype(x.dtype())
    };
    let mut parts = Vec::with_capacity(3);
    if before > 0 {
        parts.push(block(before)?);
    }
    parts.push(x.clone());
    if after > 0 {
        parts.push(block(after)?);
    }
    Tensor::cat(&parts, axis)
}

/// `len` positions `offset, offset + stride, ...` of `axis`.
pub(crate) fn strided(
    x: &Tensor,
    axis: usize,
    offset: usize,
    len: usize,
    stride: usize,
) -> Result<Tensor> {
    if stride == 1 {
        return x.narrow(axis, offset, len);
    }
    let start = offset as u32;
    let end = (offset + len * stride) as u32;
    let idx = Tensor::arange_step(start, end, stride as u32, x.device())?;
    x.contiguous()?.index_select(&idx, axis)
}

/// The geometry of a windowed op over two spatial axes of a padded input.
pub(crate) struct Taps {
    pub axes: [usize; 2],
    pub ksize: [usize; 2],
    pub strides: [usize; 2],
    pub dilations: [usize; 2],
    pub out: [usize; 2],
}

impl Taps {
    /// Calls `f(i, j, tap)` for every kernel position, in row-major order.
    pub fn for_each(
        &self,
        padded: &Tensor,
        mut f: impl FnMut(usize, usize, Tensor) -> Result<()>,
    ) -> Result<()> {
        let [ah, aw] = self.axes;
        for i in 0..self.ksize[0] {
            let rows = strided(
                padded,
                ah,
                i * self.dilations[0],
                self.out[0],
                self.strides[0],
            )?;
            for j in 0..self.ksize[1] {
                let tap = strided(
                    &rows,
                    aw,
                    j * self.dilations[1],
                    self.out[1],
                    self.strides[1],
                )?;
                f(i, j, tap)?;
            }
        }
        Ok(())
    }
}
