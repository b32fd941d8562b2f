//! `tf.compat.v1.get_variable`: get-or-create by variable-scope name under
//! the scope's reuse mode, with TF's shape and dtype checks when sharing. A
//! created variable's value is made lazily (`store`).

use std::panic::Location;

use crate::context::with_current;
use crate::dtype::DType;
use crate::error::{DefinedAt, NameKind, Result, ScopeError};
use crate::graph::GraphState;
use crate::init::Initializer;
use crate::names::{join, validate};
use crate::scope_object::Reuse;
use crate::store::ValueCell;
use crate::variable::{NewVar, Variable};

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
    /// floats and zeros for integers). A candle `Tensor` or a [`Value`](crate::Value) is a value initializer.
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
                graph.state_mut().add_root_const();
                if v.dtype() != Ok(dtype) {
                    return Err(ScopeError::InvalidArgument(format!(
                        "get_variable `{}`: the initial value has dtype {} but dtype {} was given",
                        join(scope.name(), self.name),
                        value_dtype_name(v.dtype()),
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
            let found = graph.state().stored(scratch.as_str()).cloned();
            if let Some(existing) = found {
                st.found.insert(scope, self.name, scratch, existing.clone());
                return share(&existing, || scratch.clone(), reuse, self.shape, dtype);
            }
            let full = scratch.clone();
            if reuse == Reuse::True {
                let suggestions = suggest(&graph.state(), &full);
                return Err(ScopeError::NotFound {
                    name: full,
                    suggestions,
                });
            }

            // Create: decide shape, dtype and value before taking the write lock.
            // An initializer that cannot fill the dtype fails only after the
            // name was chosen, as in TF (the name stays used).
            let mut init_problem = None;
            let (dtype, shape, initializer): (DType, Box<[usize]>, Initializer) = match initializer
            {
                Some(Initializer::Value(v)) => {
                    let value_dtype = v.dtype().map_err(|candle| {
                        ScopeError::InvalidArgument(format!(
                            "get_variable `{full}`: the initial value's candle dtype {candle:?} \
                             has no TensorFlow dtype"
                        ))
                    })?;
                    (value_dtype, v.shape().into(), Initializer::Value(v.clone()))
                }
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
                    (dtype, shape.as_ref().into(), init)
                }
            };
            validate(&full, true, NameKind::Variable)?;

            let mut state = graph.state_mut();
            if let Some(existing) = state.stored(&full) {
                // Another thread created it meanwhile.
                return share(existing, || full.clone(), reuse, self.shape, dtype);
            }
            let op_name = match full.strip_suffix('/') {
                Some(absolute) => absolute.to_string(),
                None => state.unique_name("", &full),
            };
            if let Some(problem) = init_problem {
                return Err(ScopeError::InvalidArgument(format!(
                    "get_variable `{full}`: {problem}"
                )));
            }
            let value =
                ValueCell::pending(initializer.clone(), state.seed(), graph.device().clone());
            state.add_variable(
                graph.id(),
                op_name,
                NewVar {
                    store_key: Some(full),
                    dtype,
                    shape,
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
    scope_checkpoint::closest_names(full, state.store_keys())
}

fn value_dtype_name(dtype: std::result::Result<DType, candle_core::DType>) -> String {
    match dtype {
        Ok(d) => d.to_string(),
        Err(candle) => format!("{candle:?}"),
    }
}
