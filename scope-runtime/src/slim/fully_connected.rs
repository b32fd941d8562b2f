//! `slim.fully_connected`: scope `fully_connected` (`_1`, ...), `weights`
//! `[in, out]` and `biases` over the last axis, ReLU by default; with a
//! `normalizer_fn` no biases.

use super::arg_scope::call_args;
use super::args::Args;
use super::common::{invalid, open_scope, variable_count};
use super::error::SlimResult;
use super::getter;
use super::setters::arg_setters;
use super::weighted::WeightedArgs;
use crate::layers::{self, LayerName, LayerOutput, LayerValue};

const FUNC: &str = "fully_connected";
const KNOWN: &[&str] = &[
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

/// A `slim.fully_connected(inputs, num_outputs, ...)` call.
#[derive(Clone, Debug)]
pub struct FullyConnected {
    num_outputs: usize,
    args: Args,
}

/// `slim.fully_connected(inputs, num_outputs)`.
pub fn fully_connected(num_outputs: usize) -> FullyConnected {
    FullyConnected {
        num_outputs,
        args: Args::new(),
    }
}

arg_setters!(FullyConnected {
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

impl FullyConnected {
    /// Runs the layer on `x` (rank >= 2, values or a shape).
    #[track_caller]
    pub fn apply(&self, x: impl Into<LayerValue>) -> SlimResult<LayerOutput> {
        let _call = crate::call_site::layer_call();
        let x = x.into();
        let call = call_args(FUNC, &self.args)?;
        call.check_known(KNOWN)?;
        let a = WeightedArgs::read(&call)?;

        let guard = open_scope(a.scope.as_ref(), "fully_connected", a.reuse)?;
        let sc = guard.scope().clone();
        let shape = x.shape();
        if shape.len() < 2 {
            return Err(invalid(
                FUNC,
                sc.name(),
                format!("expected an input of rank >= 2, got rank {}", shape.len()),
            ));
        }
        let cin = shape[shape.len() - 1].unwrap_or(0);
        let use_bias = a.use_bias();
        let frame = getter::push(getter::WEIGHTS_BIASES);
        let mut layer = layers::dense(self.num_outputs)
            .use_bias(use_bias)
            .kernel_initializer(
                a.weights
                    .clone()
                    .map(|i| i.resolve(&[cin, self.num_outputs])),
            )
            .bias_initializer(a.biases.clone().map(|i| i.resolve(&[self.num_outputs])))
            .trainable(a.trainable)
            .name(LayerName::Entered(sc.clone()));
        if let Some(r) = a.reuse {
            layer = layer.reuse(r);
        }
        let before = variable_count();
        let out = layer.apply(x)?;
        let out = a.finish(
            out,
            &sc,
            before,
            &[("weights", "kernel", false), ("biases", "bias", true)],
        )?;
        drop(frame);
        guard.exit()?;
        Ok(out)
    }
}
