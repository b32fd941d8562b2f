//! `slim.fully_connected`: scope `fully_connected` (`_1`, ...), `weights`
//! `[in, out]` and `biases` over the last axis, ReLU by default; with a
//! `normalizer_fn` no biases.

use super::arg_scope::call_args;
use super::args::Args;
use super::common::{finish, invalid, open_scope, regularize, variable_count, Regularized};
use super::error::SlimResult;
use super::getter;
use super::init::Init;
use super::setters::arg_setters;
use crate::init::Initializer;
use crate::layers::{self, Activation, LayerName, LayerOutput, LayerValue};

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
    pub fn apply(&self, x: impl Into<LayerValue>) -> SlimResult<LayerOutput> {
        let x = x.into();
        let call = call_args(FUNC, &self.args)?;
        call.check_known(KNOWN)?;
        let w_reg = call.regularizer("weights_regularizer")?;
        let b_reg = call.regularizer("biases_regularizer")?;
        let activation = call.activation("activation_fn", Activation::Relu)?;
        let normalizer = call.normalizer("normalizer_fn")?;
        let params = call.params("normalizer_params")?;
        let w_init = call.init("weights_initializer", Some(Init::xavier()))?;
        let b_init = call.init("biases_initializer", Some(Initializer::Zeros.into()))?;
        let trainable = call.bool("trainable", true)?;
        let reuse = call.reuse("reuse")?;
        let collection = call.opt_str("outputs_collections")?;
        let scope = call.scope("scope")?;

        let guard = open_scope(scope.as_ref(), "fully_connected", reuse)?;
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
        let use_bias = normalizer.is_none() && b_init.is_some();
        let frame = getter::push(getter::WEIGHTS_BIASES);
        let mut layer = layers::dense(self.num_outputs)
            .use_bias(use_bias)
            .kernel_initializer(w_init.map(|i| i.resolve(&[cin, self.num_outputs])))
            .bias_initializer(b_init.map(|i| i.resolve(&[self.num_outputs])))
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
                    slim: "weights",
                    keras: "kernel",
                    regularizer: w_reg.clone(),
                },
                Regularized {
                    slim: "biases",
                    keras: "bias",
                    regularizer: b_reg.clone(),
                },
            ],
        )?;
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
