//! `slim.conv2d` (`convolution2d`): scope `Conv` (`Conv_1`, ...),
//! `weights` `[kh, kw, in, out]` and `biases`, SAME padding, ReLU, atrous
//! `rate`; with a `normalizer_fn` no biases and the normalizer's
//! variables inside the layer scope (`Conv/BatchNorm/...`).

use super::arg_scope::call_args;
use super::args::Args;
use super::common::{invalid, open_scope, padding, two, variable_count};
use super::error::SlimResult;
use super::getter;
use super::setters::arg_setters;
use super::weighted::WeightedArgs;
use crate::layers::{self, LayerName, LayerOutput, LayerValue};

const FUNC: &str = "conv2d";
const KNOWN: &[&str] = &[
    "stride",
    "padding",
    "data_format",
    "rate",
    "activation_fn",
    "normalizer_fn",
    "normalizer_params",
    "weights_initializer",
    "weights_regularizer",
    "biases_initializer",
    "biases_regularizer",
    "reuse",
    "variables_collections",
    "outputs_collections",
    "trainable",
    "scope",
];

/// A `slim.conv2d(inputs, num_outputs, kernel_size, ...)` call.
#[derive(Clone, Debug)]
pub struct Conv2d {
    num_outputs: usize,
    kernel_size: Vec<usize>,
    args: Args,
}

/// `slim.conv2d(inputs, num_outputs, kernel_size)`; one `kernel_size`
/// entry means a square kernel.
pub fn conv2d(num_outputs: usize, kernel_size: &[usize]) -> Conv2d {
    Conv2d {
        num_outputs,
        kernel_size: kernel_size.to_vec(),
        args: Args::new(),
    }
}

arg_setters!(Conv2d {
    stride,
    padding,
    data_format,
    rate,
    activation_fn,
    normalizer_fn,
    normalizer_params,
    weights_initializer,
    weights_regularizer,
    biases_initializer,
    biases_regularizer,
    reuse,
    variables_collections,
    outputs_collections,
    trainable,
    scope,
});

impl Conv2d {
    /// Runs the layer on `x` (NHWC values or a shape).
    #[track_caller]
    pub fn apply(&self, x: impl Into<LayerValue>) -> SlimResult<LayerOutput> {
        let _call = crate::call_site::layer_call();
        let x = x.into();
        let call = call_args(FUNC, &self.args)?;
        call.check_known(KNOWN)?;
        let a = WeightedArgs::read(&call)?;
        let kernel = two(FUNC, "kernel_size", &self.kernel_size)?;
        let stride = call.pair("stride", [1, 1])?;
        let rate = call.pair("rate", [1, 1])?;
        let pad = padding(&call, "SAME")?;
        let format = match call.str("data_format", "NHWC")?.as_str() {
            "NHWC" => layers::DataFormat::ChannelsLast,
            "NCHW" => layers::DataFormat::ChannelsFirst,
            other => return Err(invalid(FUNC, "", format!("unknown data_format {other:?}"))),
        };

        let guard = open_scope(a.scope.as_ref(), "Conv", a.reuse)?;
        let sc = guard.scope().clone();
        let shape = x.shape();
        if shape.len() != 4 {
            return Err(invalid(
                FUNC,
                sc.name(),
                format!("Convolution expects input with rank 4, got {}", shape.len()),
            ));
        }
        let cin = shape[format.channel_axis(4)].unwrap_or(0);
        let kshape = [kernel[0], kernel[1], cin, self.num_outputs];
        let use_bias = a.use_bias();
        let frame = getter::push(getter::WEIGHTS_BIASES);
        let mut layer = layers::conv2d(self.num_outputs, &kernel)
            .strides(&stride)
            .dilation_rate(&rate)
            .padding(pad)
            .data_format(format)
            .use_bias(use_bias)
            .kernel_initializer(a.weights.clone().map(|i| i.resolve(&kshape)))
            .bias_initializer(a.biases.clone().map(|i| i.resolve(&[self.num_outputs])))
            .trainable(a.trainable)
            .name(LayerName::Entered(sc.clone()));
        if let Some(r) = a.reuse {
            layer = layer.reuse(r);
        }
        let before = variable_count();
        let weights = [("weights", "kernel", false), ("biases", "bias", true)];
        let out = match a.fusable_batch_norm(&x) {
            // Inference: the layer and its batch norm run on the shape (every
            // name, variable and op as on values), then one convolution
            // applies the folded batch norm and the ReLU as it stores.
            Some((bn, xt)) if format == layers::DataFormat::ChannelsLast => {
                let out = layer.apply(LayerValue::Shape(shape))?;
                let kernel = out
                    .variables
                    .iter()
                    .find(|v| v.op_name().ends_with("/weights"))
                    .map(|v| v.detached())
                    .transpose()?
                    .ok_or_else(|| invalid(FUNC, sc.name(), "no `weights` variable"))?;
                a.finish_fused(out, &sc, before, &weights, bn, |f, relu| {
                    let post = scope_ops::Fused {
                        scale: Some(f.scale.clone()),
                        shift: Some(f.shift.clone()),
                        relu,
                    };
                    Ok(layer.fused_conv2d(sc.name(), xt, &kernel, &post)?)
                })?
            }
            _ => {
                let out = layer.apply(x)?;
                a.finish(out, &sc, before, &weights)?
            }
        };
        drop(frame);
        guard.exit()?;
        Ok(out)
    }
}
