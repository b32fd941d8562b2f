//! What slim's layers share: opening the layer's variable scope
//! (`variable_scope(scope, default_name, reuse=reuse)`), and finishing a
//! call inside it: the normalizer, the activation (its op named in the
//! layer's name scope) and the outputs collection under the scope's name.

use super::args::{Args, ScopeArg};
use super::error::{SlimError, SlimResult};
use super::normalizer::Normalizer;
use super::outputs::collect_named_outputs;
use crate::layers::base::ops;
use crate::layers::{Activation, LayerOutput, LayerValue};
use crate::scope::{variable_scope, ScopeTarget, VariableScopeGuard};
use crate::scope_object::Reuse;

/// Opens a slim layer's variable scope.
pub(crate) fn open_scope(
    scope: Option<&ScopeArg>,
    default_name: &str,
    reuse: Option<Reuse>,
) -> SlimResult<VariableScopeGuard> {
    let target = match scope {
        Some(ScopeArg::Name(n)) => ScopeTarget::Name(n),
        Some(ScopeArg::Scope(s)) => ScopeTarget::Scope(s),
        None => ScopeTarget::Unnamed,
    };
    let mut vs = variable_scope(target).default_name(default_name);
    if let Some(r) = reuse {
        vs = vs.reuse(r);
    }
    Ok(vs.enter()?)
}

/// Applies `activation` to a layer value (registering its op).
pub(crate) fn activate(x: LayerValue, activation: Activation) -> SlimResult<LayerValue> {
    ops(&activation.op().into_iter().collect::<Vec<_>>())?;
    Ok(match x {
        LayerValue::Tensor(t) => LayerValue::Tensor(activation.apply(t)?),
        shape => shape,
    })
}

/// Adds `value` to `collection` (if any) under `alias`.
pub(crate) fn collect(collection: Option<&str>, alias: &str, value: &LayerValue) {
    if let Some(c) = collection {
        collect_named_outputs(c, alias, value);
    }
}

/// The end of a conv / fully-connected call inside its scope `alias`.
pub(crate) fn finish(
    out: LayerOutput,
    normalizer: Option<&Normalizer>,
    params: &Args,
    activation: Activation,
    collection: Option<&str>,
    alias: &str,
) -> SlimResult<LayerOutput> {
    let mut variables = out.variables;
    let mut value = out.value;
    if let Some(n) = normalizer {
        value = n.apply(value, params, &mut variables)?;
    }
    let value = activate(value, activation)?;
    collect(collection, alias, &value);
    Ok(LayerOutput { value, variables })
}

/// An input the layer rejects.
pub(crate) fn invalid(func: &str, scope: &str, message: impl Into<String>) -> SlimError {
    SlimError::Invalid {
        func: func.to_string(),
        scope: scope.to_string(),
        message: message.into(),
    }
}

/// Rejects a regularizer argument other than None (not wired yet).
pub(crate) fn no_regularizer(call: &super::args::CallArgs, keys: &[&str]) -> SlimResult<()> {
    for k in keys {
        if let Some(v) = call.get(k) {
            if !matches!(v, super::args::ArgValue::None) {
                return Err(invalid(
                    call.func(),
                    "",
                    format!("`{k}` is not supported yet (only None)"),
                ));
            }
        }
    }
    Ok(())
}

/// A layer's padding argument (slim passes it to tf.layers, any case).
pub(crate) fn padding(
    call: &super::args::CallArgs,
    default: &str,
) -> SlimResult<crate::layers::LayerPadding> {
    Ok(call.str("padding", default)?.parse()?)
}

/// A positional int-or-pair argument (`kernel_size`) as two entries.
pub(crate) fn two(func: &str, key: &str, v: &[usize]) -> SlimResult<[usize; 2]> {
    super::args::CallArgs::new(func, Args::new().set(key, v.to_vec())).pair(key, [1, 1])
}
