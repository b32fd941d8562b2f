//! The variable handle: its name, dtype, shape and flags, and its value, a
//! candle `Var` made lazily (`store`). Creating variables is in
//! `new_variable` (`tf.Variable`) and `get_variable`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use candle_core::{Device, Tensor, Var};

use crate::dtype::DType;
use crate::error::{DefinedAt, Result, ScopeError};
use crate::init::Initializer;
use crate::scope_object::VariableScope;
use crate::store::ValueCell;
use crate::value::Value;

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
    value: ValueCell,
    initializer: Option<Initializer>,
    defined_at: DefinedAt,
    index: usize,
    graph_id: u64,
    save_slice: OnceLock<SaveSlice>,
    /// The variable scope current at creation and the name asked for, for
    /// `Graph::explain`.
    created_in: Option<VariableScope>,
    requested: Option<Box<str>>,
}

/// Where a part of a partitioned variable sits in the full variable (TF's
/// `SaveSliceInfo`): checkpoints store the part as this slice of the entry
/// `full_name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaveSlice {
    /// The partitioned variable's name (`"emb/w"`), the checkpoint key.
    pub full_name: String,
    pub full_shape: Vec<usize>,
    /// The part's offset in the full variable, per dimension.
    pub offset: Vec<usize>,
}

/// A variable's `get_variable` store key: usually its op name (stored
/// once), different when the op name was uniquified or made absolute.
enum StoreKey {
    None,
    OpName,
    Other(Box<str>),
}

/// Everything a new variable needs besides its name and place in the graph.
pub(crate) struct NewVar<'k> {
    pub(crate) store_key: Option<&'k str>,
    pub(crate) dtype: DType,
    pub(crate) shape: Box<[usize]>,
    pub(crate) value: ValueCell,
    pub(crate) trainable: bool,
    pub(crate) initializer: Option<Initializer>,
    pub(crate) defined_at: DefinedAt,
    /// Collections to join (`None`: `variables`); see `GraphState::add_variable`.
    pub(crate) collections: Option<Vec<String>>,
    pub(crate) created_in: Option<VariableScope>,
    /// What `tf.Variable` was asked to name it (`get_variable`: the store key).
    pub(crate) requested: Option<String>,
}

impl Variable {
    /// The handle for a variable the graph is adding (`GraphState::add_variable`).
    pub(crate) fn from_parts(
        op_name: String,
        new: NewVar<'_>,
        index: usize,
        graph_id: u64,
    ) -> Self {
        let store_key = match new.store_key {
            None => StoreKey::None,
            Some(key) if key == op_name => StoreKey::OpName,
            Some(key) => StoreKey::Other(key.into()),
        };
        let op_len = op_name.len();
        let mut name = op_name;
        name.push_str(":0");
        Variable(Arc::new(VarInner {
            name,
            op_len,
            store_key,
            dtype: new.dtype,
            shape: new.shape,
            trainable: new.trainable,
            value: new.value,
            initializer: new.initializer,
            defined_at: new.defined_at,
            index,
            graph_id,
            save_slice: OnceLock::new(),
            created_in: new.created_in,
            requested: new.requested.map(Into::into),
        }))
    }

    /// For a part of a partitioned variable: its slice of the full one.
    pub fn save_slice(&self) -> Option<&SaveSlice> {
        self.0.save_slice.get()
    }

    pub(crate) fn created_in(&self) -> Option<&VariableScope> {
        self.0.created_in.as_ref()
    }

    pub(crate) fn requested(&self) -> Option<&str> {
        self.0.requested.as_deref()
    }

    /// Marks the variable as a part of a partitioned variable (set once).
    pub(crate) fn set_save_slice(&self, slice: SaveSlice) {
        let _ = self.0.save_slice.set(slice);
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

    /// The initializer that gives the variable its first value (`None` for
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

    /// The device the value lives on (the graph's).
    pub fn device(&self) -> &Device {
        self.0.value.device()
    }

    /// Whether the value exists yet (made by a read, `initialize`, a
    /// restore or an assignment); TF1's `is_variable_initialized`.
    pub fn is_initialized(&self) -> bool {
        self.0.value.is_ready()
    }

    /// Makes the value now if it does not exist yet (runs the initializer).
    pub fn initialize(&self) -> Result<()> {
        self.var().map(drop)
    }

    /// The candle `Var` holding the value (made now if pending). Clones
    /// share the storage: give it to a candle-nn optimizer to train the
    /// variable.
    pub fn var(&self) -> Result<Var> {
        self.0
            .value
            // Random streams are keyed by the name asked of `get_variable`.
            .var(
                self.store_key().unwrap_or(self.op_name()),
                self.0.dtype,
                &self.0.shape,
            )
            .map_err(|e| self.engine_error("making its value", e))
    }

    /// The value as a candle tensor: the variable's own storage (not a
    /// copy), tracked by candle's autograd as a variable.
    pub fn tensor(&self) -> Result<Tensor> {
        Ok(self.var()?.as_tensor().clone())
    }

    /// The value as a candle tensor that autograd does not track, for
    /// inference: the same storage, but ops on it record no backward graph
    /// (with [`tensor`](Self::tensor), every result keeps its inputs alive
    /// for a later `backward`).
    pub fn detached(&self) -> Result<Tensor> {
        Ok(self.var()?.as_detached_tensor())
    }

    /// The value's elements in row-major order, as `T` (which must be the
    /// stored candle dtype; `bool` variables read as `u8`).
    pub fn to_vec<T: candle_core::WithDType>(&self) -> Result<Vec<T>> {
        if T::DTYPE != self.0.dtype.candle() {
            return Err(match DType::from_candle(T::DTYPE) {
                Some(requested) => self.dtype_mismatch(requested),
                None => ScopeError::InvalidArgument(format!(
                    "variable `{}` holds {} values; candle dtype {:?} cannot read them",
                    self.op_name(),
                    self.0.dtype,
                    T::DTYPE
                )),
            });
        }
        self.tensor()?
            .flatten_all()
            .and_then(|t| t.to_vec1::<T>())
            .map_err(|e| self.engine_error("reading its value", e))
    }

    /// The value's elements converted to `f64`, in row-major order.
    pub fn to_f64_vec(&self) -> Result<Vec<f64>> {
        self.tensor()?
            .flatten_all()
            .and_then(|t| t.to_dtype(candle_core::DType::F64))
            .and_then(|t| t.to_vec1::<f64>())
            .map_err(|e| self.engine_error("reading its value", e))
    }

    /// Replaces the value (TF's `assign`), writing into the variable's own
    /// storage. The value must have the variable's dtype and shape.
    pub fn assign(&self, value: impl Into<Value>) -> Result<()> {
        let value = value.into();
        let value_dtype = value.dtype().map_err(|candle| {
            ScopeError::InvalidArgument(format!(
                "cannot assign to variable `{}`: candle dtype {candle:?} has no TensorFlow dtype",
                self.op_name()
            ))
        })?;
        let dtype_ok = value_dtype == self.0.dtype
            || (self.0.dtype == DType::Bool && value_dtype == DType::U8);
        if !dtype_ok || value.shape() != &self.0.shape[..] {
            return Err(ScopeError::AssignMismatch {
                name: self.op_name().to_string(),
                dtype: self.0.dtype,
                shape: self.0.shape.to_vec(),
                value_dtype,
                value_shape: value.shape().to_vec(),
            });
        }
        self.0
            .value
            .set(value.tensor())
            .map_err(|e| self.engine_error("assigning its value", e))
    }

    /// Takes elements just read from a file as the value (no copy on the CPU).
    pub(crate) fn assign_owned<T: candle_core::WithDType>(&self, data: Vec<T>) -> Result<()> {
        self.0
            .value
            .set_owned(data, &self.0.shape)
            .map_err(|e| self.engine_error("assigning its value", e))
    }

    /// Whether both handles are the same variable.
    pub fn same(&self, other: &Variable) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    pub(crate) fn dtype_mismatch(&self, requested: DType) -> ScopeError {
        ScopeError::DtypeMismatch {
            name: self.store_key().unwrap_or(self.op_name()).to_string(),
            existing: self.0.dtype,
            requested,
            defined_at: self.0.defined_at,
        }
    }

    fn engine_error(&self, doing: &str, e: candle_core::Error) -> ScopeError {
        ScopeError::Engine {
            name: self.op_name().to_string(),
            doing: doing.to_string(),
            detail: e.to_string(),
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
