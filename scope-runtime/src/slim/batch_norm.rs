//! `slim.batch_norm`: scope `BatchNorm`, slim's defaults (`decay` 0.999,
//! `epsilon` 0.001, `center` on, `scale` off, `is_training` **true**,
//! fused). A rank-4 (or any non-2) input runs tf.layers'
//! `batch_normalization` inside the scope (`gamma` before `beta`); a
//! rank-2 input takes slim's own fused path (`beta` before `gamma`).
//! Every variable is a model variable; moving statistics are not
//! trainable; training adds the two moving-average updates to
//! `UPDATE_OPS`.

use super::arg_scope::call_args;
use super::args::{Args, CallArgs};
use super::common::{activate, collect, invalid, open_scope};
use super::error::SlimResult;
use super::getter;
use super::init::Init;
use super::setters::arg_setters;
use crate::dtype::DType;
use crate::graph::Graph;
use crate::init::Initializer;
use crate::layers::base::{op_err, ops, request, Weight};
use crate::layers::{self, Activation, LayerName, LayerOutput, LayerValue};
use crate::op::register_op;
use crate::update_op::UpdateOp;

const FUNC: &str = "batch_norm";
const KNOWN: &[&str] = &[
    "decay",
    "center",
    "scale",
    "epsilon",
    "activation_fn",
    "param_initializers",
    "param_regularizers",
    "updates_collections",
    "is_training",
    "reuse",
    "variables_collections",
    "outputs_collections",
    "trainable",
    "fused",
    "data_format",
    "zero_debias_moving_mean",
    "scope",
];

/// A `slim.batch_norm(inputs, ...)` call.
#[derive(Clone, Debug, Default)]
pub struct BatchNorm {
    args: Args,
}

/// `slim.batch_norm(inputs)`.
pub fn batch_norm() -> BatchNorm {
    BatchNorm::default()
}

arg_setters!(BatchNorm {
    decay,
    center,
    scale,
    epsilon,
    activation_fn,
    param_initializers,
    param_regularizers,
    updates_collections,
    is_training,
    reuse,
    variables_collections,
    outputs_collections,
    trainable,
    fused,
    data_format,
    zero_debias_moving_mean,
    scope,
});

/// The resolved options of one call.
struct Options {
    decay: f64,
    center: bool,
    scale: bool,
    epsilon: f64,
    training: bool,
    trainable: bool,
    inits: [Option<Initializer>; 4],
}

impl Options {
    fn read(call: &CallArgs) -> SlimResult<Options> {
        let inits = call.params("param_initializers")?;
        let inits = CallArgs::new(FUNC, inits);
        inits.check_known(&["beta", "gamma", "moving_mean", "moving_variance"])?;
        let init = |k: &str, d: Initializer| -> SlimResult<Option<Initializer>> {
            Ok(inits.init(k, Some(Init::Fixed(d)))?.map(|i| i.resolve(&[])))
        };
        Ok(Options {
            decay: call.float("decay", 0.999)?,
            center: call.bool("center", true)?,
            scale: call.bool("scale", false)?,
            epsilon: call.float("epsilon", 0.001)?,
            training: call.bool("is_training", true)?,
            trainable: call.bool("trainable", true)?,
            inits: [
                init("beta", Initializer::Zeros)?,
                init("gamma", Initializer::Ones)?,
                init("moving_mean", Initializer::Zeros)?,
                init("moving_variance", Initializer::Ones)?,
            ],
        })
    }
}

impl BatchNorm {
    /// Runs the layer on `x` (channels last, values or a shape).
    #[track_caller]
    pub fn apply(&self, x: impl Into<LayerValue>) -> SlimResult<LayerOutput> {
        let _call = crate::call_site::layer_call();
        let x = x.into();
        let call = call_args(FUNC, &self.args)?;
        call.check_known(KNOWN)?;
        for (k, ok) in [
            (
                "param_regularizers",
                call.params("param_regularizers")?.is_empty(),
            ),
            (
                "updates_collections",
                call.get("updates_collections").is_none(),
            ),
            (
                "zero_debias_moving_mean",
                !call.bool("zero_debias_moving_mean", false)?,
            ),
            ("data_format", call.str("data_format", "NHWC")? == "NHWC"),
        ] {
            if !ok {
                return Err(invalid(
                    FUNC,
                    "",
                    format!("`{k}` other than its default is not supported"),
                ));
            }
        }
        let o = Options::read(&call)?;
        let fused = call.opt_bool("fused")?.unwrap_or(true);
        let activation = call.activation("activation_fn", Activation::None)?;
        let reuse = call.reuse("reuse")?;
        let collection = call.opt_str("outputs_collections")?;
        let scope = call.scope("scope")?;
        let guard = open_scope(scope.as_ref(), "BatchNorm", reuse)?;
        let sc = guard.scope().clone();
        let frame = getter::push(&[]);
        let out = if fused && x.rank() == 2 {
            fused_rank2(&o, &x, sc.name())?
        } else {
            let [beta, gamma, mm, mv] = o.inits.clone();
            let mut layer = layers::batch_normalization()
                .momentum(o.decay)
                .epsilon(o.epsilon)
                .center(o.center)
                .scale(o.scale)
                .training(o.training)
                .fused(Some(fused))
                .beta_initializer(beta)
                .gamma_initializer(gamma)
                .moving_mean_initializer(mm)
                .moving_variance_initializer(mv)
                .trainable(o.trainable)
                .name(LayerName::Entered(sc.clone()));
            if let Some(r) = reuse {
                layer = layer.reuse(r);
            }
            layer.apply(x)?
        };
        let value = activate(out.value, activation)?;
        collect(collection.as_deref(), sc.name(), &value);
        drop(frame);
        guard.exit()?;
        Ok(LayerOutput {
            value,
            variables: out.variables,
        })
    }
}

/// An inference batch norm as the per-channel `x · scale + shift` that a
/// convolution applies while it stores its output (`conv2d`'s fused path),
/// with the variables the call requested.
pub(crate) struct Folded {
    pub(crate) variables: Vec<crate::variable::Variable>,
    pub(crate) scale: candle_core::Tensor,
    pub(crate) shift: candle_core::Tensor,
}

impl BatchNorm {
    /// Whether this call, its arg scope included, only scales and shifts
    /// each channel: inference (`is_training` false) on NHWC, no
    /// activation, no outputs collection, no option that is not supported.
    /// Anything else (errors included) is left to [`apply`](Self::apply).
    pub(crate) fn foldable(&self) -> bool {
        let check = || -> SlimResult<bool> {
            let call = call_args(FUNC, &self.args)?;
            call.check_known(KNOWN)?;
            Ok(!call.bool("is_training", true)?
                && call.activation("activation_fn", Activation::None)? == Activation::None
                && call.opt_str("outputs_collections")?.is_none()
                && call.params("param_regularizers")?.is_empty()
                && call.get("updates_collections").is_none()
                && !call.bool("zero_debias_moving_mean", false)?
                && call.str("data_format", "NHWC")? == "NHWC")
        };
        check().unwrap_or(false)
    }

    /// Runs a [`foldable`](Self::foldable) call on `shape` (its scope,
    /// variables and ops, exactly as on values) and folds TF's inference
    /// arithmetic `(x - mean) · rsqrt(var + eps) · gamma + beta` into
    /// `x · scale + shift`.
    pub(crate) fn apply_folded(&self, shape: Vec<Option<usize>>) -> SlimResult<Folded> {
        let o = Options::read(&call_args(FUNC, &self.args)?)?;
        let out = self.apply(LayerValue::Shape(shape))?;
        let find = |leaf: &str| {
            out.variables
                .iter()
                .find(|v| v.op_name().rsplit('/').next() == Some(leaf))
                .map(|v| v.detached())
                .transpose()
        };
        let missing = |leaf: &str| invalid(FUNC, "", format!("no `{leaf}` variable to fold"));
        let mean = find("moving_mean")?.ok_or_else(|| missing("moving_mean"))?;
        let var = find("moving_variance")?.ok_or_else(|| missing("moving_variance"))?;
        let gamma = if o.scale { find("gamma")? } else { None };
        let beta = if o.center { find("beta")? } else { None };
        let fold = || -> candle_core::Result<(candle_core::Tensor, candle_core::Tensor)> {
            let mut scale = var.affine(1.0, o.epsilon)?.sqrt()?.recip()?;
            if let Some(g) = &gamma {
                scale = (scale * g)?;
            }
            let mut shift = (&mean * &scale)?.neg()?;
            if let Some(b) = &beta {
                shift = (shift + b)?;
            }
            Ok((scale, shift))
        };
        let (scale, shift) = fold().map_err(|e| crate::layers::base::candle_err(FUNC, e))?;
        Ok(Folded {
            variables: out.variables,
            scale,
            shift,
        })
    }
}

/// slim's `_fused_batch_norm` for `[N, C]` inputs.
fn fused_rank2(o: &Options, x: &LayerValue, scope: &str) -> SlimResult<LayerOutput> {
    let shape = x.shape();
    let Some(c) = shape[1] else {
        return Err(invalid(
            FUNC,
            scope,
            "`C` dimension must be known but is None",
        ));
    };
    let mut vars = Vec::new();
    let mut w = |name, init: &Option<Initializer>, trainable| {
        request(
            Weight {
                name,
                shape: &[c],
                initializer: init.as_ref(),
                trainable,
            },
            DType::F32,
            &mut vars,
        )
    };
    let beta = o
        .center
        .then(|| w("beta", &o.inits[0], o.trainable))
        .transpose()?;
    let gamma = o
        .scale
        .then(|| w("gamma", &o.inits[1], o.trainable))
        .transpose()?;
    let mm = w("moving_mean", &o.inits[2], false)?;
    let mv = w("moving_variance", &o.inits[3], false)?;
    ops(&["Reshape", "FusedBatchNormV3"])?;
    let (value, updates) = match x {
        LayerValue::Shape(s) => (LayerValue::Shape(s.clone()), None),
        LayerValue::Tensor(t) => {
            let g = gamma.as_ref().map(|v| v.value()).transpose()?;
            let b = beta.as_ref().map(|v| v.value()).transpose()?;
            let cfg = scope_ops::BatchNormConfig {
                axis: 1,
                epsilon: o.epsilon,
            };
            if o.training {
                let r = scope_ops::batch_norm_training(
                    t,
                    g.as_ref(),
                    b.as_ref(),
                    &mm.value()?,
                    &mv.value()?,
                    o.decay,
                    true,
                    &cfg,
                )
                .map_err(|e| op_err(scope, e))?;
                (
                    LayerValue::Tensor(r.output),
                    Some((r.moving_mean, r.moving_variance)),
                )
            } else {
                let y = scope_ops::batch_norm(
                    t,
                    &mm.value()?,
                    &mv.value()?,
                    g.as_ref(),
                    b.as_ref(),
                    &cfg,
                )
                .map_err(|e| op_err(scope, e))?;
                (LayerValue::Tensor(y), None)
            }
        }
    };
    if o.training {
        let graph = Graph::current();
        let (m, v) = updates.map_or((None, None), |(m, v)| (Some(m), Some(v)));
        for (var, value) in [(&mm, m), (&mv, v)] {
            let scope = register_op("AssignMovingAvg")?;
            let name = format!("{scope}/AssignSubVariableOp");
            graph.add_update_op(UpdateOp::new(name, var.clone().into_variable()?, value));
        }
    }
    ops(&["Reshape_1"])?;
    Ok(LayerOutput {
        value,
        variables: vars,
    })
}
