//! The convolution layers: `tf.compat.v1.layers.conv1d`, `conv2d`,
//! `conv2d_transpose` and `separable_conv2d`, with kernels in TF's layouts
//! (`[k, in, filters]`, HWIO, `[kh, kw, filters, in]`, depthwise
//! `[kh, kw, in, multiplier]` + pointwise `[1, 1, in * multiplier,
//! filters]`) and TF's padding arithmetic for the static output shape.

use candle_core::Tensor;

use super::base::{
    candle_err, choose_scope, fmt_shape, input_dtype, op_err, ops, positive, request, Activation,
    LayerName, LayerPadding, Scope, Weight,
};
use super::value::{LayerOutput, LayerValue};
use crate::error::{Result, ScopeError};
use crate::init::Initializer;
use crate::scope_object::Reuse;
use scope_ops::{DataFormat, Padding};

/// Which convolution layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvKind {
    Conv1d,
    Conv2d,
    Conv2dTranspose,
    SeparableConv2d,
}

impl ConvKind {
    fn base(self) -> &'static str {
        match self {
            ConvKind::Conv1d => "conv1d",
            ConvKind::Conv2d => "conv2d",
            ConvKind::Conv2dTranspose => "conv2d_transpose",
            ConvKind::SeparableConv2d => "separable_conv2d",
        }
    }
    fn spatial(self) -> usize {
        if self == ConvKind::Conv1d {
            1
        } else {
            2
        }
    }
}

/// Options of a convolution layer with TF's defaults.
#[derive(Clone, Debug)]
pub struct Conv {
    kind: ConvKind,
    filters: usize,
    kernel_size: Vec<usize>,
    strides: Vec<usize>,
    dilation_rate: Vec<usize>,
    padding: LayerPadding,
    data_format: DataFormat,
    depth_multiplier: usize,
    activation: Activation,
    use_bias: bool,
    kernel_initializer: Option<Initializer>,
    pointwise_initializer: Option<Initializer>,
    bias_initializer: Option<Initializer>,
    trainable: bool,
    name: LayerName,
    reuse: Option<Reuse>,
}

fn conv(kind: ConvKind, filters: usize, kernel_size: &[usize]) -> Conv {
    Conv {
        kind,
        filters,
        kernel_size: kernel_size.to_vec(),
        strides: vec![1],
        dilation_rate: vec![1],
        padding: LayerPadding::Valid,
        data_format: DataFormat::ChannelsLast,
        depth_multiplier: 1,
        activation: Activation::None,
        use_bias: true,
        kernel_initializer: None,
        pointwise_initializer: None,
        bias_initializer: Some(Initializer::Zeros),
        trainable: true,
        name: LayerName::Default,
        reuse: None,
    }
}

/// `tf.compat.v1.layers.conv1d(inputs, filters, kernel_size)`.
pub fn conv1d(filters: usize, kernel_size: usize) -> Conv {
    conv(ConvKind::Conv1d, filters, &[kernel_size])
}

/// `tf.compat.v1.layers.conv2d(inputs, filters, kernel_size)`; one entry
/// of `kernel_size` means a square window.
pub fn conv2d(filters: usize, kernel_size: &[usize]) -> Conv {
    conv(ConvKind::Conv2d, filters, kernel_size)
}

/// `tf.compat.v1.layers.conv2d_transpose(inputs, filters, kernel_size)`.
pub fn conv2d_transpose(filters: usize, kernel_size: &[usize]) -> Conv {
    conv(ConvKind::Conv2dTranspose, filters, kernel_size)
}

/// `tf.compat.v1.layers.separable_conv2d(inputs, filters, kernel_size)`.
pub fn separable_conv2d(filters: usize, kernel_size: &[usize]) -> Conv {
    conv(ConvKind::SeparableConv2d, filters, kernel_size)
}

/// An integer or one per spatial axis, as Keras' `normalize_tuple`.
fn per_axis<const N: usize>(layer: &str, arg: &str, v: &[usize]) -> Result<[usize; N]> {
    let out: [usize; N] = match v.len() {
        1 => [v[0]; N],
        n if n == N => v
            .try_into()
            .map_err(|_| ScopeError::InvalidArgument(arg.into()))?,
        _ => {
            return Err(ScopeError::InvalidArgument(format!(
                "{layer}: `{arg}` must have 1 or {N} entries, received {v:?}"
            )))
        }
    };
    positive(layer, arg, out)
}

impl Conv {
    /// One stride, or one per spatial axis (default 1).
    pub fn strides(mut self, s: &[usize]) -> Self {
        self.strides = s.to_vec();
        self
    }
    /// One rate, or one per spatial axis (default 1).
    pub fn dilation_rate(mut self, d: &[usize]) -> Self {
        self.dilation_rate = d.to_vec();
        self
    }
    pub fn padding(mut self, p: LayerPadding) -> Self {
        self.padding = p;
        self
    }
    pub fn data_format(mut self, f: DataFormat) -> Self {
        self.data_format = f;
        self
    }
    /// `separable_conv2d` only (default 1).
    pub fn depth_multiplier(mut self, m: usize) -> Self {
        self.depth_multiplier = m;
        self
    }
    pub fn activation(mut self, a: Activation) -> Self {
        self.activation = a;
        self
    }
    pub fn use_bias(mut self, b: bool) -> Self {
        self.use_bias = b;
        self
    }
    /// The kernel's (`separable_conv2d`: the depthwise kernel's)
    /// initializer; `None`: the scope's, else glorot uniform.
    pub fn kernel_initializer(mut self, i: impl Into<Option<Initializer>>) -> Self {
        self.kernel_initializer = i.into();
        self
    }
    /// `separable_conv2d`'s pointwise kernel initializer.
    pub fn pointwise_initializer(mut self, i: impl Into<Option<Initializer>>) -> Self {
        self.pointwise_initializer = i.into();
        self
    }
    /// Default zeros; `None`: the scope's initializer, else glorot uniform.
    pub fn bias_initializer(mut self, i: impl Into<Option<Initializer>>) -> Self {
        self.bias_initializer = i.into();
        self
    }
    pub fn trainable(mut self, t: bool) -> Self {
        self.trainable = t;
        self
    }
    pub fn name(mut self, n: impl Into<LayerName>) -> Self {
        self.name = n.into();
        self
    }
    pub fn reuse(mut self, r: impl Into<Reuse>) -> Self {
        self.reuse = Some(r.into());
        self
    }

    /// Runs the layer on `x` (values or a shape).
    #[track_caller]
    pub fn apply(&self, x: impl Into<LayerValue>) -> Result<LayerOutput> {
        let _call = crate::call_site::layer_call();
        let x = x.into();
        let kind = self.kind;
        let base = kind.base();
        // Checked when TF makes the layer object, before any name is chosen.
        if self.filters == 0 {
            return Err(ScopeError::InvalidArgument(format!(
                "{base}: `filters` must be strictly positive, received 0"
            )));
        }
        if self.padding == LayerPadding::Causal && kind != ConvKind::Conv1d {
            return Err(ScopeError::InvalidArgument(format!(
                "{base}: causal padding is only supported for conv1d"
            )));
        }
        let (ks, st, dl) = if kind.spatial() == 1 {
            let k: [usize; 1] = per_axis(base, "kernel_size", &self.kernel_size)?;
            let s: [usize; 1] = per_axis(base, "strides", &self.strides)?;
            let d: [usize; 1] = per_axis(base, "dilation_rate", &self.dilation_rate)?;
            (vec![k[0]], vec![s[0]], vec![d[0]])
        } else {
            let k: [usize; 2] = per_axis(base, "kernel_size", &self.kernel_size)?;
            let s: [usize; 2] = per_axis(base, "strides", &self.strides)?;
            let d: [usize; 2] = per_axis(base, "dilation_rate", &self.dilation_rate)?;
            (k.to_vec(), s.to_vec(), d.to_vec())
        };
        let dtype = input_dtype(&x)?;
        let c = choose_scope(base, &self.name, self.reuse)?;
        let shape = x.shape();
        let rank = kind.spatial() + 2;
        if shape.len() != rank {
            return Err(c.invalid(
                base,
                format!(
                    "expected ndim={rank}, found ndim={}; full shape received: {}",
                    shape.len(),
                    fmt_shape(&shape)
                ),
            ));
        }
        let ch_axis = self.data_format.channel_axis(rank);
        let Some(cin) = shape[ch_axis] else {
            return Err(c.invalid(
                base,
                format!("the channel dimension (axis {ch_axis}) of the inputs should be defined; received {}", fmt_shape(&shape)),
            ));
        };
        let spatial: Vec<usize> = match self.data_format {
            DataFormat::ChannelsLast => (1..rank - 1).collect(),
            DataFormat::ChannelsFirst => (2..rank).collect(),
        };
        c.run(|| {
            let mut vars = Vec::new();
            let trainable = self.trainable;
            fn w<'a>(
                name: &'a str,
                shape: &'a [usize],
                initializer: Option<&'a Initializer>,
                trainable: bool,
            ) -> Weight<'a> {
                Weight {
                    name,
                    shape,
                    initializer,
                    trainable,
                }
            }
            let kshape: Vec<usize> = match kind {
                ConvKind::Conv2dTranspose => [&ks[..], &[self.filters, cin]].concat(),
                ConvKind::SeparableConv2d => [&ks[..], &[cin, self.depth_multiplier]].concat(),
                _ => [&ks[..], &[cin, self.filters]].concat(),
            };
            let kname = if kind == ConvKind::SeparableConv2d {
                "depthwise_kernel"
            } else {
                "kernel"
            };
            let kernel = request(
                w(kname, &kshape, self.kernel_initializer.as_ref(), trainable),
                dtype,
                &mut vars,
            )?;
            let pointwise = if kind == ConvKind::SeparableConv2d {
                let pshape = [1, 1, cin * self.depth_multiplier, self.filters];
                Some(request(
                    w(
                        "pointwise_kernel",
                        &pshape,
                        self.pointwise_initializer.as_ref(),
                        trainable,
                    ),
                    dtype,
                    &mut vars,
                )?)
            } else {
                None
            };
            let bias = if self.use_bias {
                Some(request(
                    w(
                        "bias",
                        &[self.filters],
                        self.bias_initializer.as_ref(),
                        trainable,
                    ),
                    dtype,
                    &mut vars,
                )?)
            } else {
                None
            };
            // The static output shape (TF's graph shape inference).
            let mut out = shape.clone();
            out[ch_axis] = Some(self.filters);
            for (i, &axis) in spatial.iter().enumerate() {
                out[axis] = match shape[axis] {
                    None => None,
                    Some(n) => Some(self.output_size(&c, n, ks[i], st[i], dl[i])?),
                };
            }
            let first = match kind {
                ConvKind::Conv1d => "Conv1D",
                ConvKind::Conv2d => "Conv2D",
                ConvKind::Conv2dTranspose => "conv2d_transpose",
                ConvKind::SeparableConv2d => "separable_conv2d",
            };
            let mut names = vec![first];
            if self.use_bias {
                names.push("BiasAdd");
            }
            names.extend(self.activation.op());
            ops(&names)?;
            let value = match &x {
                LayerValue::Shape(_) => LayerValue::Shape(out),
                LayerValue::Tensor(t) => {
                    let k = kernel.value()?;
                    let p = pointwise.as_ref().map(|p| p.value()).transpose()?;
                    let mut y = self.compute(&c, t, &k, p.as_ref(), &ks, &st, &dl)?;
                    if let Some(b) = &bias {
                        let b = b.value()?;
                        let b = match self.data_format {
                            DataFormat::ChannelsLast => b,
                            DataFormat::ChannelsFirst => {
                                let mut d = vec![self.filters];
                                d.extend(std::iter::repeat_n(1, rank - 2));
                                b.reshape(d).map_err(|e| candle_err(c.name(), e))?
                            }
                        };
                        y = y.broadcast_add(&b).map_err(|e| candle_err(c.name(), e))?;
                    }
                    LayerValue::Tensor(self.activation.apply(y)?)
                }
            };
            Ok(LayerOutput {
                value,
                variables: vars,
            })
        })
    }

    /// `relu?(conv2d(x, kernel) · scale + shift)` with this 2-D layer's
    /// strides, rates, padding and format, for a caller (slim's `conv2d`)
    /// that has made the layer's variables on `x`'s shape and folds what
    /// follows the convolution into it.
    pub(crate) fn fused_conv2d(
        &self,
        name: &str,
        x: &Tensor,
        kernel: &Tensor,
        post: &scope_ops::Fused,
    ) -> Result<Tensor> {
        let base = self.kind.base();
        let s: [usize; 2] = per_axis(base, "strides", &self.strides)?;
        let d: [usize; 2] = per_axis(base, "dilation_rate", &self.dilation_rate)?;
        let cfg = scope_ops::Conv2dConfig {
            strides: s,
            dilations: d,
            padding: self.padding.op_padding(base)?,
            data_format: self.data_format,
        };
        scope_ops::conv2d_fused(x, kernel, &cfg, post).map_err(|e| op_err(name, e))
    }

    /// One spatial output size; a window larger than a VALID input is TF's
    /// "Negative dimension size" error.
    fn output_size(&self, c: &Scope, n: usize, k: usize, s: usize, d: usize) -> Result<usize> {
        let base = self.kind.base();
        match (self.kind, self.padding) {
            (ConvKind::Conv2dTranspose, LayerPadding::Same) => Ok(n * s),
            (ConvKind::Conv2dTranspose, _) => Ok(n * s + k.saturating_sub(s)),
            (_, LayerPadding::Causal) => {
                let padded = n + (k - 1) * d;
                scope_ops::windowed_output_size(padded, k, s, d, Padding::Valid)
                    .map(|w| w.output)
                    .map_err(|e| c.invalid(base, e))
            }
            (_, p) => {
                let p = p.op_padding(base)?;
                scope_ops::windowed_output_size(n, k, s, d, p).map(|w| w.output).map_err(|_| {
                    c.invalid(
                        base,
                        format!(
                            "negative dimension size caused by a window of {} (kernel {k}, dilation {d}) over an input of {n}",
                            scope_ops::padding::effective_size(k, d)
                        ),
                    )
                })
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn compute(
        &self,
        c: &Scope,
        x: &Tensor,
        k: &Tensor,
        pointwise: Option<&Tensor>,
        ks: &[usize],
        st: &[usize],
        dl: &[usize],
    ) -> Result<Tensor> {
        let name = c.name();
        let fmt = self.data_format;
        match self.kind {
            ConvKind::Conv1d => {
                let (x, padding) = if self.padding == LayerPadding::Causal {
                    let axis = if fmt == DataFormat::ChannelsLast {
                        1
                    } else {
                        2
                    };
                    let x = x
                        .pad_with_zeros(axis, (ks[0] - 1) * dl[0], 0)
                        .map_err(|e| candle_err(name, e))?;
                    (x, Padding::Valid)
                } else {
                    (x.clone(), self.padding.op_padding("conv1d")?)
                };
                let cfg = scope_ops::Conv1dConfig {
                    stride: st[0],
                    dilation: dl[0],
                    padding,
                    data_format: fmt,
                };
                scope_ops::conv1d(&x, k, &cfg).map_err(|e| op_err(name, e))
            }
            ConvKind::Conv2d | ConvKind::SeparableConv2d => {
                let cfg = scope_ops::Conv2dConfig {
                    strides: [st[0], st[1]],
                    dilations: [dl[0], dl[1]],
                    padding: self.padding.op_padding(self.kind.base())?,
                    data_format: fmt,
                };
                match pointwise {
                    Some(p) => scope_ops::separable_conv2d(x, k, p, &cfg),
                    None => scope_ops::conv2d(x, k, &cfg),
                }
                .map_err(|e| op_err(name, e))
            }
            ConvKind::Conv2dTranspose => {
                let cfg = scope_ops::Conv2dTransposeConfig {
                    strides: [st[0], st[1]],
                    padding: self.padding.op_padding("conv2d_transpose")?,
                    data_format: fmt,
                    output_size: None,
                };
                scope_ops::conv2d_transpose(x, k, &cfg).map_err(|e| op_err(name, e))
            }
        }
    }
}
