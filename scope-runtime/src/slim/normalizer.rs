//! `normalizer_fn`: what slim's conv and fully-connected layers call on
//! their output (with `normalizer_params`) instead of adding biases.

use super::args::Args;
use super::batch_norm::batch_norm;
use super::error::SlimResult;
use crate::layers::{layer_norm, LayerValue};
use crate::variable::Variable;

/// A `normalizer_fn` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Normalizer {
    /// `slim.batch_norm`.
    BatchNorm,
    /// `slim.layer_norm` (no parameters taken from `normalizer_params`
    /// but `center`, `scale`, `trainable`).
    LayerNorm,
}

impl Normalizer {
    /// Runs the normalizer inside the calling layer's scope, appending
    /// the variables it requested.
    pub(crate) fn apply(
        &self,
        x: LayerValue,
        params: &Args,
        vars: &mut Vec<Variable>,
    ) -> SlimResult<LayerValue> {
        let out = match self {
            Normalizer::BatchNorm => batch_norm().args(params).apply(x)?,
            Normalizer::LayerNorm => {
                let call = super::args::CallArgs::new("layer_norm", params.clone());
                call.check_known(&["center", "scale", "trainable"])?;
                layer_norm()
                    .center(call.bool("center", true)?)
                    .scale(call.bool("scale", true)?)
                    .trainable(call.bool("trainable", true)?)
                    .apply(x)?
            }
        };
        vars.extend(out.variables);
        Ok(out.value)
    }
}
