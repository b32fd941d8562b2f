//! `tf.compat.v1.get_variable` and `get_local_variable`: the call's
//! options, then TF's `VariableScope.get_variable` — the scope's defaults
//! filled in, the custom getters called with the name stack at the root,
//! and TF's own getter at the end of the chain (`true_getter`). A call with
//! no getter, partitioner or regularizer anywhere takes a fast path that
//! remembers the variables this thread found.

use std::panic::Location;

use crate::context::with_current;
use crate::dtype::DType;
use crate::error::{DefinedAt, Result, ScopeError};
use crate::getter::{CustomGetter, GetterChain, GraphObject, NextGetter, VariableRequest};
use crate::graph::LOCAL_VARIABLES;
use crate::init::Initializer;
use crate::names::join;
use crate::partitioned::PartitionedVariable;
use crate::partitioner::Partitioner;
use crate::regularizer::Regularizer;
use crate::scope::name_scope;
use crate::true_getter::{absent_variable, share, RequestedShape, SingleRequest};
use crate::variable::Variable;

/// `tf.compat.v1.get_variable(name, ...)`: set options, then `get()`.
pub fn get_variable(name: &str) -> GetVariable<'_> {
    GetVariable {
        name,
        shape: RequestedShape::Unknown,
        dtype: None,
        initializer: None,
        trainable: None,
        regularizer: None,
        partitioner: None,
        custom_getter: None,
        collections: None,
        local: false,
    }
}

/// `tf.compat.v1.get_local_variable(name, ...)`: as `get_variable`, but a
/// new variable joins `local_variables` (not `variables`) and is never
/// trainable.
pub fn get_local_variable(name: &str) -> GetVariable<'_> {
    GetVariable {
        local: true,
        ..get_variable(name)
    }
}

/// Options of a `get_variable` call.
#[must_use = "call .get() to get or create the variable"]
pub struct GetVariable<'a> {
    name: &'a str,
    shape: RequestedShape<'a>,
    dtype: Option<DType>,
    initializer: Option<Initializer>,
    trainable: Option<bool>,
    regularizer: Option<Regularizer>,
    partitioner: Option<Partitioner>,
    custom_getter: Option<CustomGetter>,
    collections: Option<Vec<String>>,
    local: bool,
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

    /// Whether a new variable joins the `trainable` collection (default
    /// true; always false for `get_local_variable`).
    pub fn trainable(mut self, trainable: bool) -> Self {
        self.trainable = Some(trainable);
        self
    }

    /// The regularizer for a variable this call creates (default: the
    /// scope's). Its loss joins `regularization_losses`.
    pub fn regularizer(mut self, regularizer: Regularizer) -> Self {
        self.regularizer = Some(regularizer);
        self
    }

    /// Partition the variable into `name/part_<i>` (default: the scope's
    /// partitioner). Get the result with `get_partitioned()` or `get_object()`.
    pub fn partitioner(mut self, partitioner: Partitioner) -> Self {
        self.partitioner = Some(partitioner);
        self
    }

    /// A custom getter for this call alone: the scope's getters are not used.
    pub fn custom_getter(mut self, getter: CustomGetter) -> Self {
        self.custom_getter = Some(getter);
        self
    }

    /// The collections a new variable joins instead of `variables`
    /// (`trainable_variables` is added if trainable, as in TF).
    pub fn collections<S: AsRef<str>>(mut self, keys: &[S]) -> Self {
        self.collections = Some(keys.iter().map(|k| k.as_ref().to_string()).collect());
        self
    }

    fn is_plain(&self) -> bool {
        self.regularizer.is_none()
            && self.partitioner.is_none()
            && self.custom_getter.is_none()
            && self.collections.is_none()
            && !self.local
    }

    /// Gets the variable named `scope/name`, or creates it, following the
    /// current variable scope's reuse mode. A custom getter that returns
    /// something else than a variable, or a partitioner, makes this
    /// `NotAVariable`: use `get_object()` or `get_partitioned()` then.
    #[track_caller]
    pub fn get(self) -> Result<Variable> {
        let defined_at = crate::call_site::defined_at(Location::caller());
        if self.is_plain() {
            let fast = with_current(|graph, st| {
                if st.var_scope.has_extras() {
                    return Ok(None);
                }
                let scope = &st.var_scope;
                self.check_value_dtype(graph, scope.name())?;
                let dtype = self.dtype.unwrap_or(scope.dtype());
                let initializer = self.initializer.as_ref().or(scope.initializer());
                if matches!(initializer, Some(Initializer::Value(_))) && self.shape.is_given() {
                    return Err(ScopeError::InvalidArgument(format!(
                        "get_variable `{}`: a value initializer carries its own shape; \
                         do not pass a shape with it",
                        join(scope.name(), self.name)
                    )));
                }
                let reuse = scope.reuse();
                // Variables never leave the store, so this thread remembers
                // the ones it found and skips the graph's lock next time.
                if let Some(existing) = st.found.get(scope, self.name) {
                    return share(
                        existing,
                        || join(scope.name(), self.name),
                        reuse,
                        self.shape,
                        dtype,
                    )
                    .map(Some);
                }
                let scratch = &mut st.scratch;
                scratch.clear();
                if !scope.name().is_empty() {
                    scratch.push_str(scope.name());
                    scratch.push('/');
                }
                scratch.push_str(self.name);
                if let Some(existing) = graph.state().stored(scratch.as_str()).cloned() {
                    st.found.insert(scope, self.name, scratch, existing.clone());
                    return share(&existing, || scratch.clone(), reuse, self.shape, dtype)
                        .map(Some);
                }
                // The store was just looked in: create (or `NotFound`).
                absent_variable(
                    graph,
                    SingleRequest {
                        full: scratch.as_str(),
                        reuse,
                        shape: self.shape,
                        dtype,
                        initializer,
                        trainable: self.trainable.unwrap_or(true),
                        collections: None,
                        regularizer: None,
                        fan_shape: None,
                        defined_at,
                        scope: Some(scope),
                    },
                )
                .map(Some)
            })?;
            if let Some(var) = fast {
                return Ok(var);
            }
        }
        self.object_at(defined_at)?.into_variable()
    }

    /// Gets or creates the partitioned variable `scope/name` (a
    /// partitioner must apply: the call's or the scope's).
    #[track_caller]
    pub fn get_partitioned(self) -> Result<PartitionedVariable> {
        let defined_at = crate::call_site::defined_at(Location::caller());
        self.object_at(defined_at)?.into_partitioned()
    }

    /// What TF's `get_variable` returns, whatever it is: a variable, a
    /// partitioned variable, or a tensor a custom getter derived.
    #[track_caller]
    pub fn get_object(self) -> Result<GraphObject> {
        let defined_at = crate::call_site::defined_at(Location::caller());
        self.object_at(defined_at)
    }

    /// TF compares a value initializer's dtype with an explicit dtype by
    /// converting the value to a tensor: a `Const` op at the root, made
    /// even when the call fails, before any getter runs.
    fn check_value_dtype(&self, graph: &crate::graph::Graph, scope_name: &str) -> Result<()> {
        if let (Some(Initializer::Value(v)), Some(dtype)) = (&self.initializer, self.dtype) {
            graph.state_mut().add_root_const();
            if v.dtype() != Ok(dtype) {
                return Err(ScopeError::InvalidArgument(format!(
                    "get_variable `{}`: the initial value has dtype {} but dtype {} was given",
                    join(scope_name, self.name),
                    value_dtype_name(v.dtype()),
                    dtype
                )));
            }
        }
        Ok(())
    }

    fn object_at(self, defined_at: DefinedAt) -> Result<GraphObject> {
        let (request, chain) = with_current(|graph, st| {
            let scope = &st.var_scope;
            self.check_value_dtype(graph, scope.name())?;
            let extras = scope.extras();
            let (mut collections, mut trainable) =
                (self.collections, self.trainable.unwrap_or(true));
            if self.local {
                collections
                    .get_or_insert_with(Vec::new)
                    .push(LOCAL_VARIABLES.to_string());
                trainable = false;
            }
            let request = VariableRequest {
                name: join(scope.name(), self.name),
                shape: self.shape.to_partial(),
                dtype: self.dtype.unwrap_or(scope.dtype()),
                initializer: self.initializer.or_else(|| scope.initializer().cloned()),
                regularizer: self.regularizer.or(extras.regularizer),
                partitioner: self.partitioner.or(extras.partitioner),
                reuse: scope.reuse(),
                trainable,
                collections,
                defined_at,
                scope: Some(scope.clone()),
            };
            let chain = match self.custom_getter {
                Some(g) => Some(GetterChain::compose(g, None)),
                None => extras.getter,
            };
            Ok((request, chain))
        })?;
        // Getters run with the name stack at the root (TF's
        // `name_scope(None)` around them).
        let root = name_scope(None).enter()?;
        let result = NextGetter {
            chain: chain.as_deref(),
        }
        .get(request);
        root.exit()?;
        result
    }
}

fn value_dtype_name(dtype: std::result::Result<DType, candle_core::DType>) -> String {
    match dtype {
        Ok(d) => d.to_string(),
        Err(candle) => format!("{candle:?}"),
    }
}
