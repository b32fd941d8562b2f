//! What every TF1 layer call shares (SEMANTICS.md §13.2): the `name`
//! argument, choosing the layer scope once at the call site, working inside
//! it (variables in the scope with the layer's reuse, ops in its original
//! name scope), activations, padding and argument checks.

use candle_core::Tensor;

use super::value::LayerValue;
use crate::dtype::DType;
use crate::error::{Result, ScopeError};
use crate::get_variable::get_variable;
use crate::getter::GraphObject;
use crate::init::Initializer;
use crate::scope::{default_variable_scope, name_scope, variable_scope};
use crate::scope_object::{Reuse, VariableScope};
use crate::variable::Variable;

/// The `name` (tf.layers) or `scope` (layer_norm) argument.
#[derive(Clone, Debug, Default)]
pub enum LayerName {
    /// No name: a default name counted per enclosing variable scope.
    #[default]
    Default,
    /// A name, opened as `variable_scope(name)`.
    Name(String),
    /// A captured variable scope object, re-entered.
    Scope(VariableScope),
    /// TF's `_scope=sc`: the scope the caller has already entered (slim's
    /// layers); the layer opens no scope and takes no default name.
    Entered(VariableScope),
}

impl From<&str> for LayerName {
    fn from(s: &str) -> Self {
        LayerName::Name(s.to_string())
    }
}
impl From<String> for LayerName {
    fn from(s: String) -> Self {
        LayerName::Name(s)
    }
}
impl From<&VariableScope> for LayerName {
    fn from(s: &VariableScope) -> Self {
        LayerName::Scope(s.clone())
    }
}

/// An activation applied to a layer's output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Activation {
    #[default]
    None,
    Relu,
    Tanh,
    Sigmoid,
    /// GELU with `erf` (`tf.nn.gelu(approximate=False)`).
    Gelu,
    /// GELU's tanh approximation (BERT's `modeling.gelu`).
    GeluTanh,
}

impl Activation {
    pub(crate) fn apply(self, x: Tensor) -> Result<Tensor> {
        let op = |r: scope_ops::Result<Tensor>| r.map_err(|e| ScopeError::Compute(e.to_string()));
        Ok(match self {
            Activation::None => x,
            Activation::Relu => op(scope_ops::relu(&x))?,
            Activation::Tanh => op(scope_ops::tanh(&x))?,
            Activation::Sigmoid => op(scope_ops::sigmoid(&x))?,
            Activation::Gelu => op(scope_ops::gelu_erf(&x))?,
            Activation::GeluTanh => op(scope_ops::gelu_tanh(&x))?,
        })
    }

    /// The op TF names the activation after (`Relu`, `Tanh`, ...).
    pub(crate) fn op(self) -> Option<&'static str> {
        match self {
            Activation::None => None,
            Activation::Relu => Some("Relu"),
            Activation::Tanh => Some("Tanh"),
            Activation::Sigmoid => Some("Sigmoid"),
            Activation::Gelu | Activation::GeluTanh => Some("Gelu"),
        }
    }
}

/// A layer's `padding` as tf.layers accepts it (any case).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LayerPadding {
    #[default]
    Valid,
    Same,
    /// Left padding for `conv1d` only.
    Causal,
}

impl std::str::FromStr for LayerPadding {
    type Err = ScopeError;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "valid" => Ok(LayerPadding::Valid),
            "same" => Ok(LayerPadding::Same),
            "causal" => Ok(LayerPadding::Causal),
            _ => Err(ScopeError::InvalidArgument(format!(
                "the `padding` argument must be one of \"valid\", \"same\" (or \"causal\", \
                 only for conv1d); received {s:?}"
            ))),
        }
    }
}

impl LayerPadding {
    /// The TF op padding; `Causal` is rejected for `layer`.
    pub(crate) fn op_padding(self, layer: &str) -> Result<scope_ops::Padding> {
        match self {
            LayerPadding::Valid => Ok(scope_ops::Padding::Valid),
            LayerPadding::Same => Ok(scope_ops::Padding::Same),
            LayerPadding::Causal => Err(ScopeError::InvalidArgument(format!(
                "{layer}: causal padding is only supported for conv1d"
            ))),
        }
    }
}

/// Reuse `false` counts as no argument.
pub(crate) fn layer_reuse(reuse: Option<Reuse>) -> Option<Reuse> {
    match reuse {
        Some(Reuse::False) | None => None,
        other => other,
    }
}

/// Chooses a tf.layers call's scope `C` (§13.2 rules 1–4) by entering and
/// at once leaving a variable scope.
pub(crate) fn choose_scope(base: &str, name: &LayerName, reuse: Option<Reuse>) -> Result<Scope> {
    let reuse = layer_reuse(reuse);
    if let LayerName::Entered(scope) = name {
        let scope = scope.clone();
        return Ok(Scope { scope, reuse });
    }
    let guard = match name {
        LayerName::Name(n) if !n.is_empty() => variable_scope(n.as_str()).enter()?,
        LayerName::Scope(s) => variable_scope(s).enter()?,
        _ if reuse.is_some() => variable_scope(base).enter()?,
        _ => default_variable_scope(base).enter()?,
    };
    let scope = guard.scope().clone();
    guard.exit()?;
    Ok(Scope { scope, reuse })
}

/// The scope of a variable-free layer (`dropout`, `flatten`, pooling): a
/// given name is only a default name.
pub(crate) fn choose_default_scope(base: &str, name: Option<&str>) -> Result<Scope> {
    let d = name.filter(|n| !n.is_empty()).unwrap_or(base);
    let guard = default_variable_scope(d).enter()?;
    let scope = guard.scope().clone();
    guard.exit()?;
    Ok(Scope { scope, reuse: None })
}

/// A chosen layer scope and the reuse the layer's variable requests use.
pub(crate) struct Scope {
    pub(crate) scope: VariableScope,
    reuse: Option<Reuse>,
}

impl Scope {
    /// Runs `f` inside the layer scope: the scope re-entered without a new
    /// name scope (with the layer's own reuse if given), ops in the scope's
    /// original name scope.
    pub(crate) fn run<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let mut vs = variable_scope(&self.scope).auxiliary_name_scope(false);
        if let Some(r) = self.reuse {
            vs = vs.reuse(r);
        }
        let vs = vs.enter()?;
        let ns = name_scope(self.scope.original_name_scope()).enter()?;
        let out = f();
        ns.exit()?;
        vs.exit()?;
        out
    }

    /// The layer's name for messages (`dense_1`, `bert/.../query`).
    pub(crate) fn name(&self) -> &str {
        self.scope.name()
    }

    /// An argument or input the layer rejects, naming the layer.
    pub(crate) fn invalid(&self, kind: &str, what: impl std::fmt::Display) -> ScopeError {
        ScopeError::InvalidArgument(format!("{kind} layer `{}`: {what}", self.name()))
    }
}

/// One `get_variable` request of a layer, recorded in `vars`.
pub(crate) struct Weight<'a> {
    pub(crate) name: &'a str,
    pub(crate) shape: &'a [usize],
    pub(crate) initializer: Option<&'a Initializer>,
    pub(crate) trainable: bool,
}

/// Returns what TF's `add_weight` returns: through the scope's custom
/// getters, so a cast getter makes the layer compute in bfloat16 from
/// float32 variables. `vars` gets the variable when one is returned.
pub(crate) fn request(
    w: Weight<'_>,
    dtype: DType,
    vars: &mut Vec<Variable>,
) -> Result<GraphObject> {
    // Inside a slim layer, slim's variable getter renames and collects.
    let name = crate::slim::getter::name_for(w.name);
    let before = crate::slim::getter::mark();
    let mut gv = get_variable(&name)
        .shape(w.shape)
        .dtype(dtype)
        .trainable(w.trainable);
    if let Some(i) = w.initializer {
        gv = gv.initializer(i.clone());
    }
    let got = gv.get_object()?;
    if let Some(v) = got.as_variable() {
        crate::slim::getter::requested(v, before);
        vars.push(v.clone());
    }
    Ok(got)
}

/// The float dtype of a layer's input (float32 for a shape-only input).
pub(crate) fn input_dtype(x: &LayerValue) -> Result<DType> {
    match x {
        LayerValue::Shape(_) => Ok(DType::F32),
        LayerValue::Tensor(t) => DType::from_candle(t.dtype())
            .filter(|d| d.is_float())
            .ok_or_else(|| {
                ScopeError::InvalidArgument(format!(
                    "layer inputs must be floating point, got candle dtype {:?}",
                    t.dtype()
                ))
            }),
    }
}

/// Registers the op names TF would make in the current name scope.
pub(crate) fn ops(names: &[&str]) -> Result<()> {
    for n in names {
        crate::op::register_op(*n)?;
    }
    Ok(())
}

/// A scope-ops failure on a layer's values, naming the layer.
pub(crate) fn op_err(layer: &str, e: scope_ops::Error) -> ScopeError {
    ScopeError::InvalidArgument(format!("layer `{layer}`: {e}"))
}

/// `Compute` for a candle failure inside a layer, naming it.
pub(crate) fn candle_err(layer: &str, e: candle_core::Error) -> ScopeError {
    ScopeError::Compute(format!("layer `{layer}`: {e}"))
}

/// Formats a static shape as TF prints it: `(2, None)`.
pub(crate) fn fmt_shape(s: &[Option<usize>]) -> String {
    let d: Vec<String> = s
        .iter()
        .map(|d| d.map_or_else(|| "None".to_string(), |d| d.to_string()))
        .collect();
    if d.len() == 1 {
        format!("({},)", d[0])
    } else {
        format!("({})", d.join(", "))
    }
}

/// Checks an integer window argument (kernel size, stride, dilation,
/// pool size): every entry positive.
pub(crate) fn positive<const N: usize>(
    layer: &str,
    arg: &str,
    v: [usize; N],
) -> Result<[usize; N]> {
    if v.contains(&0) {
        return Err(ScopeError::InvalidArgument(format!(
            "{layer}: `{arg}` must be positive, received {v:?}"
        )));
    }
    Ok(v)
}
