//! `slim.flatten`: a name scope `Flatten` around tf.layers' `flatten`
//! (which still counts a default `flatten` variable scope, as in TF).

use super::arg_scope::call_args;
use super::args::{Args, ScopeArg};
use super::common::collect;
use super::error::SlimResult;
use super::setters::arg_setters;
use crate::layers::{self, LayerOutput, LayerValue};
use crate::scope::name_scope;

const FUNC: &str = "flatten";

/// A `slim.flatten(inputs, ...)` call.
#[derive(Clone, Debug, Default)]
pub struct Flatten {
    args: Args,
}

/// `slim.flatten(inputs)`.
pub fn flatten() -> Flatten {
    Flatten::default()
}

arg_setters!(Flatten {
    outputs_collections,
    scope,
});

impl Flatten {
    /// Runs the layer on `x` (values or a shape).
    #[track_caller]
    pub fn apply(&self, x: impl Into<LayerValue>) -> SlimResult<LayerOutput> {
        let _call = crate::call_site::layer_call();
        let x = x.into();
        let call = call_args(FUNC, &self.args)?;
        call.check_known(&["outputs_collections", "scope"])?;
        let collection = call.opt_str("outputs_collections")?;
        let name = match call.scope("scope")? {
            Some(ScopeArg::Name(n)) => Some(n),
            Some(ScopeArg::Scope(s)) => Some(s.name().to_string()),
            None => None,
        };
        let ns = name_scope(name.as_deref())
            .default_name("Flatten")
            .enter()?;
        let sc = ns.scope().to_string();
        let out = layers::flatten().apply(x)?;
        collect(collection.as_deref(), &sc, &out.value);
        ns.exit()?;
        Ok(out)
    }
}
