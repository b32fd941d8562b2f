//! The arguments slim's weighted layers (`conv2d`, `separable_conv2d`,
//! `fully_connected`) share, with slim's defaults (ReLU, xavier weights,
//! zero biases), and the end of such a call inside its scope: the
//! regularizers' losses for what it created, the normalizer, the
//! activation and the outputs collection.

use super::args::{Args, CallArgs, ScopeArg};
use super::common::{finish, regularize, Regularized};
use super::error::SlimResult;
use super::init::Init;
use super::normalizer::Normalizer;
use crate::init::Initializer;
use crate::layers::{Activation, LayerOutput};
use crate::regularizer::Regularizer;
use crate::scope_object::{Reuse, VariableScope};

/// The shared arguments of one call.
pub(crate) struct WeightedArgs {
    pub(crate) activation: Activation,
    pub(crate) normalizer: Option<Normalizer>,
    pub(crate) params: Args,
    pub(crate) weights: Option<Init>,
    pub(crate) biases: Option<Init>,
    pub(crate) weights_regularizer: Option<Regularizer>,
    pub(crate) biases_regularizer: Option<Regularizer>,
    pub(crate) trainable: bool,
    pub(crate) reuse: Option<Reuse>,
    pub(crate) collection: Option<String>,
    pub(crate) scope: Option<ScopeArg>,
}

impl WeightedArgs {
    pub(crate) fn read(call: &CallArgs) -> SlimResult<WeightedArgs> {
        Ok(WeightedArgs {
            activation: call.activation("activation_fn", Activation::Relu)?,
            normalizer: call.normalizer("normalizer_fn")?,
            params: call.params("normalizer_params")?,
            weights: call.init("weights_initializer", Some(Init::xavier()))?,
            biases: call.init("biases_initializer", Some(Initializer::Zeros.into()))?,
            weights_regularizer: call.regularizer("weights_regularizer")?,
            biases_regularizer: call.regularizer("biases_regularizer")?,
            trainable: call.bool("trainable", true)?,
            reuse: call.reuse("reuse")?,
            collection: call.opt_str("outputs_collections")?,
            scope: call.scope("scope")?,
        })
    }

    /// slim's `use_bias = not normalizer_fn and biases_initializer`.
    pub(crate) fn use_bias(&self) -> bool {
        self.normalizer.is_none() && self.biases.is_some()
    }

    /// Regularizes what the layer created (variables from index `before`;
    /// `weights` names the regularized weights as `(slim name, tf.layers
    /// name, is a bias)`), then normalizes, activates and collects.
    pub(crate) fn finish(
        &self,
        out: LayerOutput,
        sc: &VariableScope,
        before: usize,
        weights: &[(&str, &str, bool)],
    ) -> SlimResult<LayerOutput> {
        let regularized: Vec<Regularized<'_>> = weights
            .iter()
            .map(|&(slim, keras, bias)| Regularized {
                slim,
                keras,
                regularizer: if bias {
                    self.biases_regularizer.clone()
                } else {
                    self.weights_regularizer.clone()
                },
            })
            .collect();
        regularize(
            sc.original_name_scope(),
            &out.variables,
            before,
            &regularized,
        )?;
        finish(
            out,
            self.normalizer.as_ref(),
            &self.params,
            self.activation,
            self.collection.as_deref(),
            sc.name(),
        )
    }
}
