//! `slim.layer_norm` under `arg_scope`: the layers module's `layer_norm`
//! (scope `LayerNorm`) with its arguments read through the arg scope.

use super::arg_scope::call_args;
use super::args::{Args, ScopeArg};
use super::common::collect;
use super::error::SlimResult;
use super::setters::arg_setters;
use crate::layers::{self, Activation, LayerName, LayerOutput, LayerValue};

const FUNC: &str = "layer_norm";
const KNOWN: &[&str] = &[
    "center",
    "scale",
    "activation_fn",
    "reuse",
    "outputs_collections",
    "trainable",
    "begin_norm_axis",
    "begin_params_axis",
    "scope",
];

/// A `slim.layer_norm(inputs, ...)` call.
#[derive(Clone, Debug, Default)]
pub struct LayerNorm {
    args: Args,
}

/// `slim.layer_norm(inputs)`.
pub fn layer_norm() -> LayerNorm {
    LayerNorm::default()
}

arg_setters!(LayerNorm {
    center,
    scale,
    activation_fn,
    reuse,
    outputs_collections,
    trainable,
    begin_norm_axis,
    begin_params_axis,
    scope,
});

impl LayerNorm {
    /// Runs the layer on `x` (values or a shape).
    #[track_caller]
    pub fn apply(&self, x: impl Into<LayerValue>) -> SlimResult<LayerOutput> {
        let _call = crate::call_site::layer_call();
        let call = call_args(FUNC, &self.args)?;
        call.check_known(KNOWN)?;
        let int = |k: &str, d: isize| -> SlimResult<isize> {
            Ok(match call.get(k) {
                Some(super::ArgValue::Int(i)) => *i as isize,
                _ => call.float(k, d as f64)? as isize,
            })
        };
        let mut l = layers::layer_norm()
            .center(call.bool("center", true)?)
            .scale(call.bool("scale", true)?)
            .activation(call.activation("activation_fn", Activation::None)?)
            .trainable(call.bool("trainable", true)?)
            .begin_norm_axis(int("begin_norm_axis", 1)?)
            .begin_params_axis(int("begin_params_axis", -1)?);
        l = l.scope(match call.scope("scope")? {
            Some(ScopeArg::Name(n)) => LayerName::Name(n),
            Some(ScopeArg::Scope(s)) => LayerName::Scope(s),
            None => LayerName::Default,
        });
        if let Some(r) = call.reuse("reuse")? {
            l = l.reuse(r);
        }
        let out = l.apply(x)?;
        if let Some(c) = call.opt_str("outputs_collections")? {
            let alias = out.variables.first().map_or(String::new(), |v| {
                let n = v.name();
                n.rsplit_once('/').map_or(n, |(s, _)| s).to_string()
            });
            collect(Some(&c), &alias, &out.value);
        }
        Ok(out)
    }
}
