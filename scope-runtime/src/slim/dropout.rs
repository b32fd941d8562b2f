//! `slim.dropout`: scope `Dropout`, `keep_prob` 0.5 and `is_training`
//! **true** by default (slim's, unlike tf.layers'); tf.layers' dropout
//! does the work inside the scope.

use super::arg_scope::call_args;
use super::args::Args;
use super::common::{collect, invalid, open_scope};
use super::error::SlimResult;
use super::setters::arg_setters;
use crate::layers::{self, LayerOutput, LayerValue};

const FUNC: &str = "dropout";
const KNOWN: &[&str] = &[
    "keep_prob",
    "noise_shape",
    "is_training",
    "outputs_collections",
    "scope",
    "seed",
];

/// A `slim.dropout(inputs, ...)` call.
#[derive(Clone, Debug, Default)]
pub struct Dropout {
    args: Args,
}

/// `slim.dropout(inputs)`.
pub fn dropout() -> Dropout {
    Dropout::default()
}

arg_setters!(Dropout {
    keep_prob,
    is_training,
    outputs_collections,
    scope,
    seed,
});

impl Dropout {
    /// Runs the layer on `x` (values or a shape).
    #[track_caller]
    pub fn apply(&self, x: impl Into<LayerValue>) -> SlimResult<LayerOutput> {
        let _call = crate::call_site::layer_call();
        let x = x.into();
        let call = call_args(FUNC, &self.args)?;
        call.check_known(KNOWN)?;
        if call
            .get("noise_shape")
            .is_some_and(|v| !matches!(v, super::ArgValue::None))
        {
            return Err(invalid(FUNC, "", "`noise_shape` is not supported"));
        }
        let keep = call.float("keep_prob", 0.5)?;
        let training = call.bool("is_training", true)?;
        let seed = call.count("seed")?;
        let collection = call.opt_str("outputs_collections")?;
        let scope = call.scope("scope")?;
        let guard = open_scope(scope.as_ref(), "Dropout", None)?;
        let sc = guard.scope().clone();
        let mut layer = layers::dropout().rate(1.0 - keep).training(training);
        if let Some(s) = seed {
            layer = layer.seed(s as u64);
        }
        let out = layer.apply(x)?;
        collect(collection.as_deref(), sc.name(), &out.value);
        guard.exit()?;
        Ok(out)
    }
}
