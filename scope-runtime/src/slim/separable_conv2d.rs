//! `slim.separable_conv2d` (`separable_convolution2d`): scope
//! `SeparableConv2d`, `depthwise_weights` `[kh, kw, in, multiplier]`,
//! `pointwise_weights` `[1, 1, in * multiplier, out]` and `biases`; with
//! `num_outputs = None` only the depthwise convolution (and `biases` of
//! `in * multiplier`).

use super::arg_scope::call_args;
use super::args::Args;
use super::common::{invalid, model_variable, open_scope, padding, two, variable_count};
use super::error::SlimResult;
use super::getter;
use super::setters::arg_setters;
use super::weighted::WeightedArgs;
use crate::init::Initializer;
use crate::layers::base::{op_err, ops};
use crate::layers::{self, LayerName, LayerOutput, LayerPadding, LayerValue};
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
    #[track_caller]
    pub fn apply(&self, x: impl Into<LayerValue>) -> SlimResult<LayerOutput> {
        let _call = crate::call_site::layer_call();
        let x = x.into();
        let call = call_args(FUNC, &self.args)?;
        call.check_known(KNOWN)?;
        let a = WeightedArgs::read(&call)?;
        if call.str("data_format", "NHWC")? != "NHWC" {
            return Err(invalid(FUNC, "", "only data_format NHWC is supported"));
        }
        let kernel = two(FUNC, "kernel_size", &self.kernel_size)?;
        let multiplier = call.count("depth_multiplier")?.unwrap_or(1);
        let stride = call.pair("stride", [1, 1])?;
        let rate = call.pair("rate", [1, 1])?;
        let pad = padding(&call, "SAME")?;
        let p_init = call
            .init("pointwise_initializer", None)?
            .or(a.weights.clone());

        let guard = open_scope(a.scope.as_ref(), "SeparableConv2d", a.reuse)?;
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
        let use_bias = a.use_bias();
        let frame = getter::push(getter::SEPARABLE);
        let before = variable_count();
        let out = match self.num_outputs {
            Some(n) => {
                let mut layer = layers::separable_conv2d(n, &kernel)
                    .depth_multiplier(multiplier)
                    .strides(&stride)
                    .dilation_rate(&rate)
                    .padding(pad)
                    .use_bias(use_bias)
                    .kernel_initializer(a.weights.clone().map(|i| i.resolve(&dshape)))
                    .pointwise_initializer(p_init.map(|i| i.resolve(&[1, 1, cin * multiplier, n])))
                    .bias_initializer(a.biases.clone().map(|i| i.resolve(&[n])))
                    .trainable(a.trainable)
                    .name(LayerName::Entered(sc.clone()));
                if let Some(r) = a.reuse {
                    layer = layer.reuse(r);
                }
                layer.apply(x)?
            }
            None => {
                let depthwise = Depthwise {
                    scope: sc.name(),
                    dshape,
                    stride,
                    rate,
                    padding: pad,
                    weights: a.weights.clone().map(|i| i.resolve(&dshape)),
                    biases: use_bias
                        .then(|| a.biases.clone().map(|i| i.resolve(&[cin * multiplier])))
                        .flatten(),
                    trainable: a.trainable,
                    weights_regularizer: a.weights_regularizer.clone(),
                    biases_regularizer: a.biases_regularizer.clone(),
                };
                depthwise.apply(&x)?
            }
        };
        // The depthwise-only path regularized through model_variable.
        let keras: &[(&str, &str, bool)] = match self.num_outputs {
            Some(_) => &[
                ("depthwise_weights", "depthwise_kernel", false),
                ("pointwise_weights", "pointwise_kernel", false),
                ("biases", "bias", true),
            ],
            None => &[],
        };
        let out = a.finish(out, &sc, before, keras)?;
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
