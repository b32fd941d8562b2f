//! tf-slim / `tf.contrib.layers.layer_norm`: everything inside
//! `variable_scope(scope, default_name="LayerNorm", reuse=reuse)`, `beta`
//! then `gamma` of shape `x.shape[begin_params_axis:]`, both also in
//! `model_variables`.

use super::base::{fmt_shape, input_dtype, op_err, ops, request, Activation, LayerName, Weight};
use super::value::{LayerOutput, LayerValue};
use crate::error::{Result, ScopeError};
use crate::graph::{Graph, MODEL_VARIABLES};
use crate::init::Initializer;
use crate::scope::{variable_scope, ScopeTarget};
use crate::scope_object::Reuse;

/// Options of [`layer_norm`] with slim's defaults.
#[derive(Clone, Debug)]
pub struct LayerNorm {
    center: bool,
    scale: bool,
    activation: Activation,
    begin_norm_axis: isize,
    begin_params_axis: isize,
    epsilon: f64,
    trainable: bool,
    reuse: Option<Reuse>,
    scope: LayerName,
}

/// `tf.contrib.layers.layer_norm(inputs, ...)`.
pub fn layer_norm() -> LayerNorm {
    LayerNorm {
        center: true,
        scale: true,
        activation: Activation::None,
        begin_norm_axis: 1,
        begin_params_axis: -1,
        epsilon: 1e-12,
        trainable: true,
        reuse: None,
        scope: LayerName::Default,
    }
}

impl LayerNorm {
    pub fn center(mut self, c: bool) -> Self {
        self.center = c;
        self
    }
    pub fn scale(mut self, s: bool) -> Self {
        self.scale = s;
        self
    }
    pub fn activation(mut self, a: Activation) -> Self {
        self.activation = a;
        self
    }
    /// Default 1 (slim); BERT passes -1.
    pub fn begin_norm_axis(mut self, a: isize) -> Self {
        self.begin_norm_axis = a;
        self
    }
    pub fn begin_params_axis(mut self, a: isize) -> Self {
        self.begin_params_axis = a;
        self
    }
    pub fn trainable(mut self, t: bool) -> Self {
        self.trainable = t;
        self
    }
    pub fn reuse(mut self, r: impl Into<Reuse>) -> Self {
        self.reuse = Some(r.into());
        self
    }
    /// The `scope` argument: a name (`""` is the empty scope name) or a
    /// captured scope.
    pub fn scope(mut self, s: impl Into<LayerName>) -> Self {
        self.scope = s.into();
        self
    }

    /// Runs the layer on `x` (values or a shape).
    #[track_caller]
    pub fn apply(&self, x: impl Into<LayerValue>) -> Result<LayerOutput> {
        let _call = crate::call_site::layer_call();
        let x = x.into();
        let dtype = input_dtype(&x)?;
        let target = match &self.scope {
            LayerName::Default => ScopeTarget::Unnamed,
            LayerName::Name(n) => ScopeTarget::Name(n),
            LayerName::Scope(s) | LayerName::Entered(s) => ScopeTarget::Scope(s),
        };
        let mut vs = variable_scope(target).default_name("LayerNorm");
        if let Some(r) = self.reuse {
            vs = vs.reuse(r);
        }
        let guard = vs.enter()?;
        let name = guard.scope().name().to_string();
        let out = self.inside(&name, &x, dtype);
        guard.exit()?;
        out
    }

    fn inside(&self, name: &str, x: &LayerValue, dtype: crate::DType) -> Result<LayerOutput> {
        let invalid =
            |what: String| ScopeError::InvalidArgument(format!("layer_norm `{name}`: {what}"));
        let shape = x.shape();
        let rank = shape.len() as isize;
        let norm = if self.begin_norm_axis < 0 {
            self.begin_norm_axis + rank
        } else {
            self.begin_norm_axis
        };
        if self.begin_params_axis >= rank || norm >= rank || norm < 0 {
            return Err(invalid(format!(
                "begin_params_axis ({}) and begin_norm_axis ({}) must be < rank(inputs) ({rank})",
                self.begin_params_axis, self.begin_norm_axis
            )));
        }
        // Python slicing: a negative start counts from the end, clamped at 0.
        let start = if self.begin_params_axis < 0 {
            (self.begin_params_axis + rank).max(0)
        } else {
            self.begin_params_axis
        } as usize;
        let pshape: Option<Vec<usize>> = shape[start..].iter().copied().collect();
        let Some(pshape) = pshape else {
            return Err(invalid(format!(
                "shape(inputs)[{}:] is not fully defined: {}",
                self.begin_params_axis,
                fmt_shape(&shape)
            )));
        };
        let mut vars = Vec::new();
        let graph = Graph::current();
        let mut w = |n, init| -> Result<crate::GraphObject> {
            let v = request(
                Weight {
                    name: n,
                    shape: &pshape,
                    initializer: Some(&init),
                    trainable: self.trainable,
                },
                dtype,
                &mut vars,
            )?;
            if let Some(var) = v.as_variable() {
                graph.add_to_collection_once(MODEL_VARIABLES, var);
            }
            Ok(v)
        };
        let beta = self
            .center
            .then(|| w("beta", Initializer::Zeros))
            .transpose()?;
        let gamma = self
            .scale
            .then(|| w("gamma", Initializer::Ones))
            .transpose()?;
        ops(&["moments", "batchnorm"])?;
        ops(&self.activation.op().into_iter().collect::<Vec<_>>())?;
        let value = match x {
            LayerValue::Shape(s) => LayerValue::Shape(s.clone()),
            LayerValue::Tensor(t) => {
                let g = gamma.as_ref().map(|v| v.value()).transpose()?;
                let b = beta.as_ref().map(|v| v.value()).transpose()?;
                let cfg = scope_ops::LayerNormConfig {
                    begin_norm_axis: norm,
                    begin_params_axis: start as isize,
                    epsilon: self.epsilon,
                };
                let y = scope_ops::layer_norm(t, g.as_ref(), b.as_ref(), &cfg)
                    .map_err(|e| op_err(name, e))?;
                LayerValue::Tensor(self.activation.apply(y)?)
            }
        };
        Ok(LayerOutput {
            value,
            variables: vars,
        })
    }
}
