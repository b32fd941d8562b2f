//! What slim's layers share: opening the layer's variable scope
//! (`variable_scope(scope, default_name, reuse=reuse)`), and finishing a
//! call inside it: the normalizer, the activation (its op named in the
//! layer's name scope) and the outputs collection under the scope's name.

use super::args::{Args, ScopeArg};
use super::error::{SlimError, SlimResult};
use super::normalizer::Normalizer;
use super::outputs::collect_named_outputs;
use crate::derived_tensor::DerivedTensor;
use crate::error::ScopeError;
use crate::graph::{Graph, REGULARIZATION_LOSSES};
use crate::layers::base::ops;
use crate::layers::{Activation, LayerOutput, LayerValue};
use crate::op::register_op;
use crate::regularizer::Regularizer;
use crate::scope::{name_scope, variable_scope, ScopeTarget, VariableScopeGuard};
use crate::scope_object::Reuse;
use crate::variable::Variable;

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

/// One weight a slim layer may regularize: its slim (store) name, the
/// name the wrapped tf.layers layer gives it, and the regularizer.
pub(crate) struct Regularized<'a> {
    pub(crate) slim: &'a str,
    pub(crate) keras: &'a str,
    pub(crate) regularizer: Option<Regularizer>,
}

/// The variable count before a layer call (what it creates is above).
pub(crate) fn variable_count() -> usize {
    Graph::current().len()
}

/// TF's `add_weight(regularizer=...)` for the variables a slim layer just
/// created (index >= `before`): the loss `<layer name scope><keras
/// name>/Regularizer/<regularizer>:0` in `regularization_losses`, in
/// creation order. Shared variables add none.
pub(crate) fn regularize(
    layer_scope: &str,
    vars: &[Variable],
    before: usize,
    weights: &[Regularized<'_>],
) -> SlimResult<()> {
    let graph = Graph::current();
    for v in vars.iter().filter(|v| v.index() >= before) {
        let short = v.op_name().rsplit('/').next().unwrap_or_default();
        let Some(w) = weights.iter().find(|w| w.slim == short) else {
            continue;
        };
        let Some(r) = &w.regularizer else { continue };
        let Some(k) = r.op_name() else { continue };
        let ns = name_scope(&format!("{layer_scope}{}/Regularizer/", w.keras)).enter()?;
        let loss = register_op(k)?;
        ns.exit()?;
        let inner = name_scope(&format!("{loss}/")).enter()?;
        for n in r.inner_op_names() {
            register_op(*n)?;
        }
        inner.exit()?;
        let (var, reg) = (v.clone(), r.clone());
        let tensor = DerivedTensor::new(&loss, &[], var.dtype(), move || {
            let w = var.tensor()?;
            reg.loss(&w)?.ok_or_else(|| {
                ScopeError::InvalidArgument(format!(
                    "the regularizer of `{}` gave no loss",
                    var.op_name()
                ))
            })
        });
        graph.add_to_collection(REGULARIZATION_LOSSES, tensor);
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

/// slim's `variables.model_variable(name, shape, initializer, regularizer,
/// trainable)`: a `get_variable` request (the regularizer's loss named by
/// the store name) that joins `model_variables` when it creates.
pub(crate) fn model_variable(
    name: &str,
    shape: &[usize],
    initializer: Option<&crate::init::Initializer>,
    trainable: bool,
    regularizer: Option<&Regularizer>,
    vars: &mut Vec<Variable>,
) -> SlimResult<crate::getter::GraphObject> {
    let before = super::getter::mark();
    let mut gv = crate::get_variable::get_variable(name)
        .shape(shape)
        .trainable(trainable);
    if let Some(i) = initializer {
        gv = gv.initializer(i.clone());
    }
    if let Some(r) = regularizer {
        gv = gv.regularizer(r.clone());
    }
    let got = gv.get_object()?;
    if let Some(v) = got.as_variable() {
        super::getter::requested(v, before);
        vars.push(v.clone());
    }
    Ok(got)
}
