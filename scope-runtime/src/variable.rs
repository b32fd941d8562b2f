//! Variables: `Variable::new` (TF's `tf.Variable`, always creates) and
//! `get_variable` (get-or-create by variable-scope name, with shape and
//! dtype checks when sharing).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::panic::Location;
use std::sync::Arc;

use ndarray::ArrayD;
use parking_lot::RwLock;

use crate::context::with_current;
use crate::error::{DefinedAt, NameKind, Result, ScopeError};
use crate::graph::{Graph, GraphState, Op};
use crate::init::Initializer;
use crate::names::{join, validate};
use crate::scope::{scope_stack, Reuse};
use crate::tensor::{DType, Element, Tensor};

/// A variable in a graph. Cheap to clone; clones are the same variable
/// (`==` compares identity).
#[derive(Clone)]
pub struct Variable(Arc<VarInner>);

struct VarInner {
    /// `"a/w:0"`; the op name is the part before `:`.
    name: String,
    op_len: usize,
    store_key: StoreKey,
    dtype: DType,
    shape: Box<[usize]>,
    trainable: bool,
    value: RwLock<Tensor>,
    initializer: Option<Initializer>,
    defined_at: DefinedAt,
    index: usize,
    graph_id: u64,
}

impl Variable {
    /// `tf.Variable(value, name=name)`: always creates a new variable named
    /// uniquely in the current name scope (`var`, `var_1`, ...).
    #[track_caller]
    pub fn new(name: &str, value: impl Into<Tensor>) -> Result<Variable> {
        Variable::builder(value).name(name).build()
    }

    /// Options for `tf.Variable`: name (default `"Variable"`) and trainable flag.
    pub fn builder(value: impl Into<Tensor>) -> NewVariable<'static> {
        NewVariable {
            name: None,
            value: value.into(),
            trainable: true,
        }
    }

    /// TF's `v.name`: the op name plus `:0` (`"a/w:0"`).
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The op name (`"a/w"`): the key used by checkpoints.
    pub fn op_name(&self) -> &str {
        &self.0.name[..self.0.op_len]
    }

    /// The `get_variable` store key (`"a/w"`), or `None` for `Variable::new`.
    pub fn store_key(&self) -> Option<&str> {
        match &self.0.store_key {
            StoreKey::None => None,
            StoreKey::OpName => Some(self.op_name()),
            StoreKey::Other(key) => Some(key),
        }
    }

    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    pub fn shape(&self) -> &[usize] {
        &self.0.shape
    }

    /// Number of elements.
    pub fn num_elements(&self) -> usize {
        self.0.shape.iter().product()
    }

    pub fn trainable(&self) -> bool {
        self.0.trainable
    }

    /// The initializer that gave the variable its first value (`None` for
    /// `Variable::new`, which takes a value).
    pub fn initializer(&self) -> Option<&Initializer> {
        self.0.initializer.as_ref()
    }

    /// Where the variable was defined in the user's code.
    pub fn defined_at(&self) -> DefinedAt {
        self.0.defined_at
    }

    /// Position in the graph's creation order.
    pub fn index(&self) -> usize {
        self.0.index
    }

    /// Id of the graph the variable belongs to.
    pub fn graph_id(&self) -> u64 {
        self.0.graph_id
    }

    /// A copy of the current value.
    pub fn value(&self) -> Tensor {
        self.0.value.read().clone()
    }

    /// Holds the value's read lock (for saving without copies).
    pub(crate) fn value_guard(&self) -> parking_lot::RwLockReadGuard<'_, Tensor> {
        self.0.value.read()
    }

    /// Runs `f` on the current value without copying it.
    pub fn read<R>(&self, f: impl FnOnce(&Tensor) -> R) -> R {
        f(&self.0.value.read())
    }

    /// Runs `f` on the value as an array of `T`; `DtypeMismatch` if the
    /// variable holds another dtype.
    pub fn with_array<T: Element, R>(&self, f: impl FnOnce(&ArrayD<T>) -> R) -> Result<R> {
        let value = self.0.value.read();
        match value.as_array::<T>() {
            Some(a) => Ok(f(a)),
            None => Err(self.dtype_mismatch(T::DTYPE)),
        }
    }

    /// A copy of the value as an array of `T`.
    pub fn array<T: Element>(&self) -> Result<ArrayD<T>> {
        self.with_array(ArrayD::clone)
    }

    /// A copy of the value as an array of `T` with a fixed number of
    /// dimensions (`Ix1`, `Ix2`, ...); `ShapeMismatch` if the rank differs.
    pub fn array_nd<T: Element, D: ndarray::Dimension>(&self) -> Result<ndarray::Array<T, D>> {
        self.array::<T>()?
            .into_dimensionality::<D>()
            .map_err(|_| ScopeError::ShapeMismatch {
                name: self.op_name().to_string(),
                existing: self.shape().to_vec(),
                requested: vec![None; D::NDIM.unwrap_or(0)],
                defined_at: self.defined_at(),
            })
    }

    /// Replaces the value; the new value must have the variable's dtype and shape.
    pub fn assign(&self, value: impl Into<Tensor>) -> Result<()> {
        let value = value.into();
        if value.dtype() != self.0.dtype || value.shape() != &self.0.shape[..] {
            return Err(ScopeError::AssignMismatch {
                name: self.op_name().to_string(),
                dtype: self.0.dtype,
                shape: self.0.shape.to_vec(),
                value_dtype: value.dtype(),
                value_shape: value.shape().to_vec(),
            });
        }
        *self.0.value.write() = value;
        Ok(())
    }

    /// Whether both handles are the same variable.
    pub fn same(&self, other: &Variable) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    fn dtype_mismatch(&self, requested: DType) -> ScopeError {
        ScopeError::DtypeMismatch {
            name: self.store_key().unwrap_or(self.op_name()).to_string(),
            existing: self.0.dtype,
            requested,
            defined_at: self.0.defined_at,
        }
    }
}

impl PartialEq for Variable {
    fn eq(&self, other: &Self) -> bool {
        self.same(other)
    }
}
impl Eq for Variable {}
impl Hash for Variable {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (Arc::as_ptr(&self.0) as usize).hash(state)
    }
}

impl fmt::Debug for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<Variable '{}' shape={:?} dtype={}>",
            self.name(),
            self.shape(),
            self.dtype()
        )
    }
}

/// A variable's `get_variable` store key: usually its op name (stored
/// once), different when the op name was uniquified or made absolute.
enum StoreKey {
    None,
    OpName,
    Other(Box<str>),
}

/// Everything a new variable needs besides its name.
struct NewVar {
    store_key: Option<String>,
    value: Tensor,
    trainable: bool,
    initializer: Option<Initializer>,
    defined_at: DefinedAt,
}

/// Adds a variable with op name `op_name` to the graph, or `DuplicateName`
/// if an op of that name exists. Called with the graph's write lock held.
fn insert_variable(
    state: &mut GraphState,
    graph: &Graph,
    op_name: String,
    new: NewVar,
) -> Result<Variable> {
    if state.ops.contains(op_name.as_str()) {
        return Err(ScopeError::DuplicateName { name: op_name });
    }
    let store_key = match &new.store_key {
        None => StoreKey::None,
        Some(key) if *key == op_name => StoreKey::OpName,
        Some(key) => StoreKey::Other(key.as_str().into()),
    };
    let op_len = op_name.len();
    let mut name = op_name;
    name.push_str(":0");
    let var = Variable(Arc::new(VarInner {
        op_len,
        store_key,
        dtype: new.value.dtype(),
        shape: new.value.shape().into(),
        trainable: new.trainable,
        value: RwLock::new(new.value),
        initializer: new.initializer,
        defined_at: new.defined_at,
        index: state.variables.len(),
        graph_id: graph.id(),
        name,
    }));
    state.ops.insert(Op::Variable(var.clone()));
    if let Some(key) = new.store_key {
        state.store.insert(key, var.clone());
    }
    state.variables.push(var.clone());
    if var.trainable() {
        state.trainable.push(var.clone());
    }
    Ok(var)
}

/// Options for `Variable::new`.
pub struct NewVariable<'a> {
    name: Option<&'a str>,
    value: Tensor,
    trainable: bool,
}

impl<'a> NewVariable<'a> {
    /// The requested name (made unique in the current name scope; a trailing
    /// `/` makes it absolute).
    pub fn name<'b>(self, name: &'b str) -> NewVariable<'b> {
        NewVariable {
            name: Some(name),
            value: self.value,
            trainable: self.trainable,
        }
    }

    pub fn trainable(mut self, trainable: bool) -> Self {
        self.trainable = trainable;
        self
    }

    /// Creates the variable.
    #[track_caller]
    pub fn build(self) -> Result<Variable> {
        let defined_at = DefinedAt(Location::caller());
        with_current(|graph, st| {
            let name = self.name.unwrap_or("Variable");
            if name.is_empty() {
                return Err(ScopeError::InvalidName {
                    name: String::new(),
                    kind: NameKind::Variable,
                    reason: "it is empty".to_string(),
                });
            }
            let mut state = graph.inner.state.write();
            // The op name is the name scope `name` would open (§6).
            let op_name = scope_stack(&mut state, &st.name_stack, Some(name), NameKind::Variable)?;
            insert_variable(
                &mut state,
                graph,
                op_name,
                NewVar {
                    store_key: None,
                    value: self.value,
                    trainable: self.trainable,
                    initializer: None,
                    defined_at,
                },
            )
        })
    }
}

/// The shape asked of `get_variable`.
#[derive(Clone, Copy, Debug)]
enum RequestedShape<'a> {
    Unknown,
    Known(&'a [usize]),
    Partial(&'a [Option<usize>]),
}

impl RequestedShape<'_> {
    fn is_given(&self) -> bool {
        !matches!(self, RequestedShape::Unknown)
    }

    fn compatible_with(&self, shape: &[usize]) -> bool {
        match self {
            RequestedShape::Unknown => true,
            // Compared inline: shapes are short, a `memcmp` call costs more.
            RequestedShape::Known(s) => {
                s.len() == shape.len() && s.iter().zip(shape).all(|(a, b)| a == b)
            }
            RequestedShape::Partial(s) => {
                s.len() == shape.len()
                    && s.iter().zip(shape).all(|(a, b)| a.is_none_or(|a| a == *b))
            }
        }
    }

    fn fully_defined(&self) -> Option<std::borrow::Cow<'_, [usize]>> {
        match self {
            RequestedShape::Unknown => None,
            RequestedShape::Known(s) => Some(std::borrow::Cow::Borrowed(s)),
            RequestedShape::Partial(s) => s
                .iter()
                .copied()
                .collect::<Option<Vec<usize>>>()
                .map(Into::into),
        }
    }

    fn to_partial(self) -> Option<Vec<Option<usize>>> {
        match self {
            RequestedShape::Unknown => None,
            RequestedShape::Known(s) => Some(s.iter().map(|&d| Some(d)).collect()),
            RequestedShape::Partial(s) => Some(s.to_vec()),
        }
    }
}

/// `tf.compat.v1.get_variable(name, ...)`: set options, then `get()`.
pub fn get_variable(name: &str) -> GetVariable<'_> {
    GetVariable {
        name,
        shape: RequestedShape::Unknown,
        dtype: None,
        initializer: None,
        trainable: true,
    }
}

/// Options of a `get_variable` call.
#[must_use = "call .get() to get or create the variable"]
pub struct GetVariable<'a> {
    name: &'a str,
    shape: RequestedShape<'a>,
    dtype: Option<DType>,
    initializer: Option<Initializer>,
    trainable: bool,
}

impl<'a> GetVariable<'a> {
    /// A fully defined shape.
    pub fn shape(mut self, shape: &'a [usize]) -> Self {
        self.shape = RequestedShape::Known(shape);
        self
    }

    /// A shape with unknown dimensions (`None`): matches any size there when
    /// sharing; cannot create.
    pub fn partial_shape(mut self, shape: &'a [Option<usize>]) -> Self {
        self.shape = RequestedShape::Partial(shape);
        self
    }

    /// The dtype (default: the scope's, float32 at the root).
    pub fn dtype(mut self, dtype: DType) -> Self {
        self.dtype = Some(dtype);
        self
    }

    /// The initializer (default: the scope's, else glorot uniform for
    /// floats and zeros for integers). A `Tensor` is a value initializer.
    pub fn initializer(mut self, initializer: impl Into<Initializer>) -> Self {
        self.initializer = Some(initializer.into());
        self
    }

    /// Whether a new variable joins the `trainable` collection (default true).
    pub fn trainable(mut self, trainable: bool) -> Self {
        self.trainable = trainable;
        self
    }

    /// Gets the variable named `scope/name`, or creates it, following the
    /// current variable scope's reuse mode.
    #[track_caller]
    pub fn get(self) -> Result<Variable> {
        let defined_at = DefinedAt(Location::caller());
        with_current(|graph, st| {
            let scope = &st.var_scope;
            if let (Some(Initializer::Value(v)), Some(dtype)) = (&self.initializer, self.dtype) {
                // TF compares the dtypes by converting the value to a tensor:
                // a `Const` op at the root, made even when the call fails.
                {
                    let mut state = graph.inner.state.write();
                    let op = state.used.unique_name("", "Const");
                    if !state.ops.contains(&op) {
                        state.ops.insert(Op::Named(op.into()));
                    }
                }
                if v.dtype() != dtype {
                    return Err(ScopeError::InvalidArgument(format!(
                        "get_variable `{}`: the initial value has dtype {} but dtype {} was given",
                        join(scope.name(), self.name),
                        v.dtype(),
                        dtype
                    )));
                }
            }
            let initializer = self.initializer.as_ref().or(scope.initializer());
            let dtype = self.dtype.unwrap_or(scope.dtype());
            if matches!(initializer, Some(Initializer::Value(_))) && self.shape.is_given() {
                return Err(ScopeError::InvalidArgument(format!(
                    "get_variable `{}`: a value initializer carries its own shape; \
                     do not pass a shape with it",
                    join(scope.name(), self.name)
                )));
            }
            let reuse = scope.reuse();
            // Variables never leave the store, so this thread remembers the
            // ones it found and skips the graph's lock next time.
            if let Some(existing) = st.found.get(scope, self.name) {
                return share(
                    existing,
                    || join(scope.name(), self.name),
                    reuse,
                    self.shape,
                    dtype,
                );
            }
            let scratch = &mut st.scratch;
            scratch.clear();
            if !scope.name().is_empty() {
                scratch.push_str(scope.name());
                scratch.push('/');
            }
            scratch.push_str(self.name);
            let found = graph
                .inner
                .state
                .read()
                .store
                .get(scratch.as_str())
                .cloned();
            if let Some(existing) = found {
                st.found.insert(scope, self.name, scratch, existing.clone());
                return share(&existing, || scratch.clone(), reuse, self.shape, dtype);
            }
            let full = scratch.clone();
            if reuse == Reuse::True {
                let suggestions = suggest(&graph.inner.state.read(), &full);
                return Err(ScopeError::NotFound {
                    name: full,
                    suggestions,
                });
            }

            // Create: decide shape, dtype and value before taking the write lock.
            // An initializer that cannot fill the dtype fails only after the
            // name was chosen, as in TF (the name stays used).
            let mut init_problem = None;
            let (value, initializer) = match initializer {
                Some(Initializer::Value(v)) => (Tensor::clone(v), Initializer::Value(v.clone())),
                other => {
                    let shape =
                        self.shape
                            .fully_defined()
                            .ok_or_else(|| ScopeError::UnknownShape {
                                name: full.clone(),
                                shape: self.shape.to_partial(),
                            })?;
                    let init = other
                        .cloned()
                        .unwrap_or_else(|| Initializer::default_for(dtype));
                    let elements = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
                    if elements.is_none_or(|n| n > isize::MAX as usize / 8) {
                        return Err(ScopeError::InvalidArgument(format!(
                            "get_variable `{full}`: shape {:?} has more elements than memory can hold",
                            &shape[..]
                        )));
                    }
                    init_problem = init.dtype_problem(dtype);
                    let value = match init_problem {
                        Some(_) => Tensor::full(dtype, &[], 0.0),
                        None => init.generate(&full, dtype, &shape, graph.seed()),
                    };
                    (value, init)
                }
            };
            validate(&full, true, NameKind::Variable)?;

            let mut state = graph.inner.state.write();
            if let Some(existing) = state.store.get(&full) {
                // Another thread created it meanwhile.
                return share(existing, || full.clone(), reuse, self.shape, dtype);
            }
            let op_name = match full.strip_suffix('/') {
                Some(absolute) => absolute.to_string(),
                None => state.used.unique_name("", &full),
            };
            if let Some(problem) = init_problem {
                return Err(ScopeError::InvalidArgument(format!(
                    "get_variable `{full}`: {problem}"
                )));
            }
            insert_variable(
                &mut state,
                graph,
                op_name,
                NewVar {
                    store_key: Some(full),
                    value,
                    trainable: self.trainable,
                    initializer: Some(initializer),
                    defined_at,
                },
            )
        })
    }
}

/// Returns an existing variable after TF's sharing checks.
/// `full` gives the variable's full name, built only for an error.
fn share(
    existing: &Variable,
    full: impl FnOnce() -> String,
    reuse: Reuse,
    shape: RequestedShape<'_>,
    dtype: DType,
) -> Result<Variable> {
    if reuse == Reuse::False {
        return Err(ScopeError::AlreadyExists {
            name: full(),
            defined_at: existing.defined_at(),
        });
    }
    if !shape.compatible_with(existing.shape()) {
        return Err(ScopeError::ShapeMismatch {
            name: full(),
            existing: existing.shape().to_vec(),
            requested: shape.to_partial().unwrap_or_default(),
            defined_at: existing.defined_at(),
        });
    }
    if dtype != existing.dtype() {
        return Err(existing.dtype_mismatch(dtype));
    }
    Ok(existing.clone())
}

/// Up to three stored names closest to `full`, for `NotFound`.
fn suggest(state: &GraphState, full: &str) -> Vec<String> {
    scope_checkpoint::closest_names(full, state.store.keys().map(String::as_str))
}
