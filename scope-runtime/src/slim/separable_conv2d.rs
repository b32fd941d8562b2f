//! `slim.separable_conv2d` (`separable_convolution2d`): scope
//! `SeparableConv2d`, `depthwise_weights` `[kh, kw, in, multiplier]`,
//! `pointwise_weights` `[1, 1, in * multiplier, out]` and `biases`; with
//! `num_outputs = None` only the depthwise convolution (and `biases` of
//! `in * multiplier`).

use super::arg_scope::call_args;
use super::args::Args;
use super::common::{
    finish, invalid, model_variable, open_scope, padding, regularize, two, variable_count,
    Regularized,
};
use super::error::SlimResult;
use super::getter;
use super::init::Init;
use super::setters::arg_setters;
use crate::init::Initializer;
use crate::layers::base::{op_err, ops};
use crate::layers::{self, Activation, LayerName, LayerOutput, LayerPadding, LayerValue};
use crate::regularizer::Regularizer;

const FUNC: &str = "separable_conv2d";
const KNOWN: &[&str] = &[
    "depth_multiplier",
    "stride",
    "padding",
    "data_format",
    "rate",
    "activation_fn",
    "normalizer_fn",
    "normalizer_params",
    "weights_initializer",
    "pointwise_initializer",
    "weights_regularizer",
    "biases_initializer",
    "biases_regularizer",
    "reuse",
    "variables_collections",
    "outputs_collections",
    "trainable",
    "scope",
];

/// A `slim.separable_conv2d(inputs, num_outputs, kernel_size, ...)` call.
#[derive(Clone, Debug)]
pub struct SeparableConv2d {
    num_outputs: Option<usize>,
    kernel_size: Vec<usize>,
    args: Args,
}

/// `slim.separable_conv2d(inputs, num_outputs, kernel_size)`;
/// `num_outputs = None`: depthwise only.
pub fn separable_conv2d(num_outputs: Option<usize>, kernel_size: &[usize]) -> SeparableConv2d {
    SeparableConv2d {
        num_outputs,
        kernel_size: kernel_size.to_vec(),
        args: Args::new(),
    }
}

arg_setters!(SeparableConv2d {
    depth_multiplier,
    stride,
    padding,
    data_format,
    rate,
    activation_fn,
    normalizer_fn,
    normalizer_params,
    weights_initializer,
    pointwise_initializer,
    weights_regularizer,
    biases_initializer,
    biases_regularizer,
    reuse,
    variables_collections,
    outputs_collections,
    trainable,
    scope,
});

impl SeparableConv2d {
    /// Runs the layer on `x` (NHWC values or a shape).
    pub fn apply(&self, x: impl Into<LayerValue>) -> SlimResult<LayerOutput> {
        let x = x.into();
        let call = call_args(FUNC, &self.args)?;
        call.check_known(KNOWN)?;
        let w_reg = call.regularizer("weights_regularizer")?;
        let b_reg = call.regularizer("biases_regularizer")?;
        if call.str("data_format", "NHWC")? != "NHWC" {
            return Err(invalid(FUNC, "", "only data_format NHWC is supported"));
        }
        let kernel = two(FUNC, "kernel_size", &self.kernel_size)?;
        let multiplier = call.count("depth_multiplier")?.unwrap_or(1);
        let stride = call.pair("stride", [1, 1])?;
        let rate = call.pair("rate", [1, 1])?;
        let pad = padding(&call, "SAME")?;
        let activation = call.activation("activation_fn", Activation::Relu)?;
        let normalizer = call.normalizer("normalizer_fn")?;
        let params = call.params("normalizer_params")?;
        let w_init = call.init("weights_initializer", Some(Init::xavier()))?;
        let p_init = call.init("pointwise_initializer", None)?.or(w_init.clone());
        let b_init = call.init("biases_initializer", Some(Initializer::Zeros.into()))?;
        let trainable = call.bool("trainable", true)?;
        let reuse = call.reuse("reuse")?;
        let collection = call.opt_str("outputs_collections")?;
        let scope = call.scope("scope")?;

        let guard = open_scope(scope.as_ref(), "SeparableConv2d", reuse)?;
        let sc = guard.scope().clone();
        let shape = x.shape();
        if shape.len() != 4 {
            return Err(invalid(
                FUNC,
                sc.name(),
                format!("expected an input of rank 4, got rank {}", shape.len()),
            ));
        }
        let cin = shape[3].unwrap_or(0);
        let dshape = [kernel[0], kernel[1], cin, multiplier];
        let use_bias = normalizer.is_none() && b_init.is_some();
        let frame = getter::push(getter::SEPARABLE);
        let out = match self.num_outputs {
            Some(n) => {
                let mut layer = layers::separable_conv2d(n, &kernel)
                    .depth_multiplier(multiplier)
                    .strides(&stride)
                    .dilation_rate(&rate)
                    .padding(pad)
                    .use_bias(use_bias)
                    .kernel_initializer(w_init.map(|i| i.resolve(&dshape)))
                    .pointwise_initializer(p_init.map(|i| i.resolve(&[1, 1, cin * multiplier, n])))
                    .bias_initializer(b_init.map(|i| i.resolve(&[n])))
                    .trainable(trainable)
                    .name(LayerName::Entered(sc.clone()));
                if let Some(r) = reuse {
                    layer = layer.reuse(r);
                }
                let before = variable_count();
                let out = layer.apply(x)?;
                regularize(
                    sc.original_name_scope(),
                    &out.variables,
                    before,
                    &[
                        Regularized {
                            slim: "depthwise_weights",
                            keras: "depthwise_kernel",
                            regularizer: w_reg.clone(),
                        },
                        Regularized {
                            slim: "pointwise_weights",
                            keras: "pointwise_kernel",
                            regularizer: w_reg.clone(),
                        },
                        Regularized {
                            slim: "biases",
                            keras: "bias",
                            regularizer: b_reg.clone(),
                        },
                    ],
                )?;
                out
            }
            None => {
                let depthwise = Depthwise {
                    scope: sc.name(),
                    dshape,
                    stride,
                    rate,
                    padding: pad,
                    weights: w_init.map(|i| i.resolve(&dshape)),
                    biases: use_bias
                        .then(|| b_init.map(|i| i.resolve(&[cin * multiplier])))
                        .flatten(),
                    trainable,
                    weights_regularizer: w_reg.clone(),
                    biases_regularizer: b_reg.clone(),
                };
                depthwise.apply(&x)?
            }
        };
        let out = finish(
            out,
            normalizer.as_ref(),
            &params,
            activation,
            collection.as_deref(),
            sc.name(),
        )?;
        drop(frame);
        guard.exit()?;
        Ok(out)
    }
}

/// slim's depthwise-only branch, run inside the layer scope.
struct Depthwise<'a> {
    scope: &'a str,
    dshape: [usize; 4],
    stride: [usize; 2],
    rate: [usize; 2],
    padding: LayerPadding,
    weights: Option<Initializer>,
    biases: Option<Initializer>,
    trainable: bool,
    weights_regularizer: Option<Regularizer>,
    biases_regularizer: Option<Regularizer>,
}

impl Depthwise<'_> {
    fn apply(&self, x: &LayerValue) -> SlimResult<LayerOutput> {
        let shape = x.shape();
        if shape[3].is_none() {
            return Err(invalid(
                FUNC,
                self.scope,
                "the channel dimension of the inputs should be defined",
            ));
        }
        let p = self.padding.op_padding(FUNC)?;
        let mut vars = Vec::new();
        let w = model_variable(
            "depthwise_weights",
            &self.dshape,
            self.weights.as_ref(),
            self.trainable,
            self.weights_regularizer.as_ref(),
            &mut vars,
        )?;
        let channels = self.dshape[2] * self.dshape[3];
        let b = match &self.biases {
            Some(init) => Some(model_variable(
                "biases",
                &[channels],
                Some(init),
                self.trainable,
                self.biases_regularizer.as_ref(),
                &mut vars,
            )?),
            None => None,
        };
        ops(if b.is_some() {
            &["depthwise", "BiasAdd"]
        } else {
            &["depthwise"]
        })?;
        let value = match x {
            LayerValue::Shape(s) => {
                let mut out = s.clone();
                for axis in 0..2 {
                    out[axis + 1] = match s[axis + 1] {
                        None => None,
                        Some(n) => Some(
                            scope_ops::windowed_output_size(
                                n,
                                self.dshape[axis],
                                self.stride[axis],
                                self.rate[axis],
                                p,
                            )
                            .map_err(|e| invalid(FUNC, self.scope, e.to_string()))?
                            .output,
                        ),
                    };
                }
                out[3] = Some(channels);
                LayerValue::Shape(out)
            }
            LayerValue::Tensor(t) => {
                let cfg = scope_ops::Conv2dConfig {
                    strides: self.stride,
                    dilations: self.rate,
                    padding: p,
                    data_format: scope_ops::DataFormat::ChannelsLast,
                };
                let mut y = scope_ops::depthwise_conv2d(t, &w.value()?, &cfg)
                    .map_err(|e| op_err(self.scope, e))?;
                if let Some(b) = &b {
                    y = y
                        .broadcast_add(&b.value()?)
                        .map_err(|e| crate::layers::base::candle_err(self.scope, e))?;
                }
                LayerValue::Tensor(y)
            }
        };
        Ok(LayerOutput {
            value,
            variables: vars,
        })
    }
}
