//! Custom getters (TF1's `custom_getter=`): what a `get_variable` request
//! is, what a getter may return, and how getters compose. A getter receives
//! the next getter and the request (TF's `getter(next, name, **kwargs)`),
//! may change the request, call `next` any number of times, and return a
//! variable, a partitioned variable, or a tensor derived from them.
//!
//! Getters compose innermost first: for scopes `S1 ⊃ S2` opened with
//! getters `g1`, `g2`, a request in `S2` calls `g2`, whose next getter is
//! `g1`, whose next is TF's own getter (`true_getter`).

use std::fmt;
use std::sync::Arc;

use candle_core::Tensor;

use crate::derived_tensor::DerivedTensor;
use crate::dtype::DType;
use crate::error::{DefinedAt, Result, ScopeError};
use crate::init::Initializer;
use crate::partitioned::PartitionedVariable;
use crate::partitioner::Partitioner;
use crate::regularizer::Regularizer;
use crate::scope_object::Reuse;
use crate::variable::Variable;

/// A `get_variable` request as getters see it: TF's keyword arguments.
/// A getter may change any field before passing the request on.
#[derive(Clone, Debug)]
pub struct VariableRequest {
    /// The full name (`"scope/w"`).
    pub name: String,
    /// The shape as the call gave it (`None`: not given; `None` entries
    /// are unknown dimensions).
    pub shape: Option<Vec<Option<usize>>>,
    /// The call's dtype, else the scope's.
    pub dtype: DType,
    /// The call's initializer, else the scope's (`None`: TF's default).
    pub initializer: Option<Initializer>,
    pub regularizer: Option<Regularizer>,
    pub partitioner: Option<Partitioner>,
    /// The current scope's reuse mode.
    pub reuse: Reuse,
    pub trainable: bool,
    /// Collections a new variable joins (`None`: `variables`).
    pub collections: Option<Vec<String>>,
    pub(crate) defined_at: DefinedAt,
    /// The scope of the `get_variable` call.
    pub(crate) scope: Option<crate::scope_object::VariableScope>,
}

/// What `get_variable` (and a getter) returns, and what collections hold:
/// a variable, a partitioned variable, or a tensor derived from variables.
#[derive(Clone, Debug)]
pub enum GraphObject {
    Variable(Variable),
    Partitioned(PartitionedVariable),
    Tensor(DerivedTensor),
}

impl GraphObject {
    /// TF's `.name`: `"w:0"` for a variable or tensor, `"p"` for a
    /// partitioned variable.
    pub fn name(&self) -> &str {
        match self {
            GraphObject::Variable(v) => v.name(),
            GraphObject::Partitioned(p) => p.name(),
            GraphObject::Tensor(t) => t.name(),
        }
    }

    pub fn shape(&self) -> &[usize] {
        match self {
            GraphObject::Variable(v) => v.shape(),
            GraphObject::Partitioned(p) => p.shape(),
            GraphObject::Tensor(t) => t.shape(),
        }
    }

    pub fn dtype(&self) -> DType {
        match self {
            GraphObject::Variable(v) => v.dtype(),
            GraphObject::Partitioned(p) => p.dtype(),
            GraphObject::Tensor(t) => t.dtype(),
        }
    }

    /// The value: a variable's own storage, the concatenated parts, or the
    /// derived tensor computed now; tracked by autograd unless a
    /// [`no_grad`](crate::no_grad) guard is alive on this thread.
    pub fn value(&self) -> Result<Tensor> {
        let tracked = crate::no_grad::grad_enabled();
        Ok(match self {
            GraphObject::Variable(v) if tracked => v.tensor()?,
            GraphObject::Variable(v) => v.detached()?,
            GraphObject::Partitioned(p) => p.value()?,
            GraphObject::Tensor(t) => t.value()?,
        })
        .map(|t| {
            if tracked || !t.track_op() {
                t
            } else {
                t.detach()
            }
        })
    }

    /// The variable, if this is one.
    pub fn as_variable(&self) -> Option<&Variable> {
        match self {
            GraphObject::Variable(v) => Some(v),
            _ => None,
        }
    }

    /// The variable, or `NotAVariable` naming what it is instead.
    pub fn into_variable(self) -> Result<Variable> {
        match self {
            GraphObject::Variable(v) => Ok(v),
            other => Err(ScopeError::NotAVariable {
                name: other.name().to_string(),
                got: other.kind().to_string(),
            }),
        }
    }

    /// The partitioned variable, or `NotAVariable`.
    pub fn into_partitioned(self) -> Result<PartitionedVariable> {
        match self {
            GraphObject::Partitioned(p) => Ok(p),
            other => Err(ScopeError::NotAVariable {
                name: other.name().to_string(),
                got: other.kind().to_string(),
            }),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            GraphObject::Variable(_) => "a variable",
            GraphObject::Partitioned(_) => "a partitioned variable",
            GraphObject::Tensor(_) => "a tensor a custom getter derived from a variable",
        }
    }

    /// Whether two handles are the same object.
    pub fn same(&self, other: &GraphObject) -> bool {
        match (self, other) {
            (GraphObject::Variable(a), GraphObject::Variable(b)) => a.same(b),
            (GraphObject::Partitioned(a), GraphObject::Partitioned(b)) => a.same(b),
            (GraphObject::Tensor(a), GraphObject::Tensor(b)) => a.same(b),
            _ => false,
        }
    }
}

impl From<Variable> for GraphObject {
    fn from(v: Variable) -> Self {
        GraphObject::Variable(v)
    }
}
impl From<PartitionedVariable> for GraphObject {
    fn from(p: PartitionedVariable) -> Self {
        GraphObject::Partitioned(p)
    }
}
impl From<DerivedTensor> for GraphObject {
    fn from(t: DerivedTensor) -> Self {
        GraphObject::Tensor(t)
    }
}

type GetterFn = dyn Fn(NextGetter<'_>, VariableRequest) -> Result<GraphObject> + Send + Sync;

/// A custom getter: `Fn(next, request) -> Result<GraphObject>`.
#[derive(Clone)]
pub struct CustomGetter(pub(crate) Arc<GetterFn>);

impl CustomGetter {
    /// A getter from a closure; call `next.get(request)` to pass the
    /// (possibly changed) request on.
    pub fn new(
        f: impl Fn(NextGetter<'_>, VariableRequest) -> Result<GraphObject> + Send + Sync + 'static,
    ) -> CustomGetter {
        CustomGetter(Arc::new(f))
    }
}

impl fmt::Debug for CustomGetter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomGetter")
    }
}

/// A scope's composed getters: this one, then the ones it was composed on.
#[derive(Clone, Debug)]
pub(crate) struct GetterChain {
    pub(crate) getter: CustomGetter,
    pub(crate) next: Option<Arc<GetterChain>>,
}

impl GetterChain {
    /// `getter` composed on `parent` (TF's `_maybe_wrap_custom_getter`).
    pub(crate) fn compose(getter: CustomGetter, parent: Option<Arc<GetterChain>>) -> Arc<Self> {
        Arc::new(GetterChain {
            getter,
            next: parent,
        })
    }
}

/// The getter a custom getter passes requests on to: the enclosing scopes'
/// getters, ending with TF's own (see `true_getter`).
#[derive(Clone, Copy)]
pub struct NextGetter<'a> {
    pub(crate) chain: Option<&'a GetterChain>,
}
