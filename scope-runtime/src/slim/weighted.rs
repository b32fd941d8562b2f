//! The arguments slim's weighted layers (`conv2d`, `separable_conv2d`,
//! `fully_connected`) share, with slim's defaults (ReLU, xavier weights,
//! zero biases), and the end of such a call inside its scope: the
//! regularizers' losses for what it created, the normalizer, the
//! activation and the outputs collection.

use super::args::{Args, CallArgs, ScopeArg};
use super::batch_norm::{batch_norm, BatchNorm, Folded};
use super::common::{collect, finish, regularize, Regularized};
use super::error::SlimResult;
use super::init::Init;
use super::normalizer::Normalizer;
use crate::init::Initializer;
use crate::layers::base::ops;
use crate::layers::{Activation, LayerOutput, LayerValue};
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

    /// The batch norm that a channels-last convolution can fold into its
    /// output, when this call may fuse: the input's values are f32 on the
    /// CPU outside autograd (a [`no_grad`](crate::no_grad) block), the
    /// normalizer is a [foldable](BatchNorm::foldable) batch norm and the
    /// activation is none or ReLU.
    pub(crate) fn fusable_batch_norm<'x>(
        &self,
        x: &'x LayerValue,
    ) -> Option<(BatchNorm, &'x candle_core::Tensor)> {
        let LayerValue::Tensor(t) = x else {
            return None;
        };
        let activation = matches!(self.activation, Activation::None | Activation::Relu);
        if !(scope_ops::has_fast_path(t) && activation && !crate::no_grad::grad_enabled()) {
            return None;
        }
        let bn = match self.normalizer {
            Some(Normalizer::BatchNorm) => batch_norm().args(&self.params),
            _ => return None,
        };
        bn.foldable().then_some((bn, t))
    }

    /// [`finish`](Self::finish) for a call whose layer ran on the input's
    /// shape (`out`, its weights made): regularizes, runs the batch norm
    /// on the shape, registers the activation's op, and lets `compute`
    /// make the value from the folded scale and shift (and whether to
    /// apply ReLU) before collecting it.
    pub(crate) fn finish_fused(
        &self,
        out: LayerOutput,
        sc: &VariableScope,
        before: usize,
        weights: &[(&str, &str, bool)],
        bn: BatchNorm,
        compute: impl FnOnce(&Folded, bool) -> SlimResult<candle_core::Tensor>,
    ) -> SlimResult<LayerOutput> {
        self.regularize_created(&out, sc, before, weights)?;
        let folded = bn.apply_folded(out.value.shape())?;
        ops(&self.activation.op().into_iter().collect::<Vec<_>>())?;
        let value = LayerValue::Tensor(compute(&folded, self.activation == Activation::Relu)?);
        collect(self.collection.as_deref(), sc.name(), &value);
        let mut variables = out.variables;
        variables.extend(folded.variables);
        Ok(LayerOutput { value, variables })
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
        self.regularize_created(&out, sc, before, weights)?;
        finish(
            out,
            self.normalizer.as_ref(),
            &self.params,
            self.activation,
            self.collection.as_deref(),
            sc.name(),
        )
    }

    /// The regularizers' losses for the variables the layer created (from
    /// index `before`).
    fn regularize_created(
        &self,
        out: &LayerOutput,
        sc: &VariableScope,
        before: usize,
        weights: &[(&str, &str, bool)],
    ) -> SlimResult<()> {
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
        )
    }
}
