//! TF's own getter (`_VariableStore._true_getter`), the end of every getter
//! chain: the partitioned path (`_get_partitioned_variable`) and the single
//! variable get-or-create (`_get_single_variable`) with TF's checks, in
//! TF's order, plus the regularizer run on each variable it creates.
//! `SEMANTICS-tf1-api.md` §4–§5 and S§8 give the rules.

use candle_core::Tensor;

use crate::derived_tensor::DerivedTensor;
use crate::dtype::DType;
use crate::error::{DefinedAt, NameKind, Result, ScopeError};
use crate::getter::{GraphObject, NextGetter, VariableRequest};
use crate::graph::{Graph, GraphState, REGULARIZATION_LOSSES};
use crate::init::Initializer;
use crate::names::validate;
use crate::partitioned::PartitionedVariable;
use crate::partitioner::{slice, slice_axis, Partitioner};
use crate::regularizer::Regularizer;
use crate::scope_object::{Reuse, VariableScope};
use crate::store::ValueCell;
use crate::variable::{NewVar, SaveSlice, Variable};

impl NextGetter<'_> {
    /// Passes `request` on: to the next getter of the chain, or to TF's
    /// own getter at its end.
    pub fn get(&self, request: VariableRequest) -> Result<GraphObject> {
        match self.chain {
            Some(link) => (link.getter.0)(
                NextGetter {
                    chain: link.next.as_deref(),
                },
                request,
            ),
            None => true_getter(request),
        }
    }
}

/// The shape asked of `get_variable`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RequestedShape<'a> {
    Unknown,
    Known(&'a [usize]),
    Partial(&'a [Option<usize>]),
}

impl<'a> RequestedShape<'a> {
    pub(crate) fn from_request(shape: &'a Option<Vec<Option<usize>>>) -> Self {
        match shape {
            None => RequestedShape::Unknown,
            Some(s) => RequestedShape::Partial(s),
        }
    }

    pub(crate) fn is_given(&self) -> bool {
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

    pub(crate) fn to_partial(self) -> Option<Vec<Option<usize>>> {
        match self {
            RequestedShape::Unknown => None,
            RequestedShape::Known(s) => Some(s.iter().map(|&d| Some(d)).collect()),
            RequestedShape::Partial(s) => Some(s.to_vec()),
        }
    }
}

/// A request for one store variable under its full name.
pub(crate) struct SingleRequest<'a> {
    pub(crate) full: &'a str,
    pub(crate) reuse: Reuse,
    pub(crate) shape: RequestedShape<'a>,
    pub(crate) dtype: DType,
    pub(crate) initializer: Option<&'a Initializer>,
    pub(crate) trainable: bool,
    pub(crate) collections: Option<&'a [String]>,
    pub(crate) regularizer: Option<&'a Regularizer>,
    /// The shape glorot's fans come from (a part's full variable).
    pub(crate) fan_shape: Option<&'a [usize]>,
    pub(crate) defined_at: DefinedAt,
    /// The variable scope of the `get_variable` call (for `explain`).
    pub(crate) scope: Option<&'a VariableScope>,
}

/// `_true_getter`: which path a request takes (§4 "Which path").
fn true_getter(req: VariableRequest) -> Result<GraphObject> {
    let graph = Graph::current();
    let is_scalar = matches!(&req.shape, Some(s) if s.is_empty());
    if let Some(p) = req.partitioner.as_ref().filter(|_| !is_scalar) {
        return partitioned(&graph, &req, Some(p)).map(Into::into);
    }
    if req.reuse == Reuse::True && graph.state().partitioned(&req.name).is_some() {
        return partitioned(&graph, &req, None).map(Into::into);
    }
    if graph.state().stored(&part_name(&req.name, 0)).is_some() {
        return Err(ScopeError::PartitionMismatch {
            name: req.name.clone(),
            detail: format!(
                "no partitioner was given, but a partitioned version of the variable exists \
                 (`{}`); give the same partitioner, or reuse = true",
                part_name(&req.name, 0)
            ),
        });
    }
    single_variable(
        &graph,
        SingleRequest {
            full: &req.name,
            reuse: req.reuse,
            shape: RequestedShape::from_request(&req.shape),
            dtype: req.dtype,
            initializer: req.initializer.as_ref(),
            trainable: req.trainable,
            collections: req.collections.as_deref(),
            regularizer: req.regularizer.as_ref(),
            fan_shape: None,
            defined_at: req.defined_at,
            scope: req.scope.as_ref(),
        },
    )
    .map(Into::into)
}

fn part_name(name: &str, i: usize) -> String {
    format!("{name}/part_{i}")
}

/// `_get_partitioned_variable` (§4 "Partitioned path").
fn partitioned(
    graph: &Graph,
    req: &VariableRequest,
    partitioner: Option<&Partitioner>,
) -> Result<PartitionedVariable> {
    let name = req.name.as_str();
    let mismatch = |detail: String| ScopeError::PartitionMismatch {
        name: name.to_string(),
        detail,
    };
    if graph.state().stored(name).is_some() {
        return Err(mismatch(
            "a partitioner was given, but an unpartitioned variable of this name exists".into(),
        ));
    }
    let requested = RequestedShape::from_request(&req.shape);
    let partitions = match partitioner {
        Some(p) => {
            let shape = requested
                .fully_defined()
                .ok_or_else(|| ScopeError::UnknownShape {
                    name: name.to_string(),
                    shape: req.shape.clone(),
                })?;
            Some((p.partitions(name, &shape, req.dtype)?, shape.into_owned()))
        }
        None => None,
    };
    let existing = graph.state().partitioned(name).cloned();
    if let Some(existing) = existing {
        if req.reuse == Reuse::False {
            return Err(ScopeError::AlreadyExists {
                name: name.to_string(),
                defined_at: existing.parts()[0].defined_at(),
            });
        }
        if !requested.compatible_with(existing.shape()) {
            return Err(ScopeError::ShapeMismatch {
                name: name.to_string(),
                existing: existing.shape().to_vec(),
                requested: req.shape.clone().unwrap_or_default(),
                defined_at: existing.parts()[0].defined_at(),
            });
        }
        if req.dtype != existing.dtype() {
            return Err(existing.parts()[0].dtype_mismatch(req.dtype));
        }
        if let Some((list, _)) = &partitions {
            if list.as_slice() != existing.partitions() {
                return Err(mismatch(format!(
                    "it was made with partitions {:?}, this request gives {list:?}",
                    existing.partitions()
                )));
            }
        }
        return Ok(existing);
    }
    // Without a partitioner only reuse `true` comes this far.
    let (list, shape) = match partitions {
        Some(p) if req.reuse != Reuse::True => p,
        _ => {
            return Err(ScopeError::NotFound {
                name: name.to_string(),
                suggestions: Vec::new(),
            })
        }
    };
    let (axis, n) = slice_axis(&list);
    {
        let state = graph.state();
        if state.stored(&part_name(name, 0)).is_some()
            && (state.stored(&part_name(name, n - 1)).is_none()
                || state.stored(&part_name(name, n)).is_some())
        {
            return Err(mismatch(format!(
                "parts `{name}/part_*` exist, but not the {n} that partitions {list:?} make"
            )));
        }
    }
    let initializer = req.initializer.clone();
    let value = match &initializer {
        Some(Initializer::Value(v)) => {
            if v.shape() != shape.as_slice() {
                return Err(ScopeError::InvalidArgument(format!(
                    "get_variable `{name}`: the initial value has shape {:?}, the partitioned \
                     variable {shape:?}",
                    v.shape()
                )));
            }
            Some(v.tensor().to_dtype(req.dtype.candle())?)
        }
        _ => None,
    };
    let default_init = Initializer::default_for(req.dtype);
    let mut parts = Vec::with_capacity(n);
    for i in 0..n {
        let (offset_a, size_a) = slice(shape[axis], n, i);
        if offset_a >= shape[axis] {
            return Err(ScopeError::InvalidPartitioning {
                name: name.to_string(),
                detail: format!(
                    "{n} slices along axis {axis} of shape {shape:?} leave part {i} empty"
                ),
            });
        }
        let mut part_shape = shape.clone();
        part_shape[axis] = size_a;
        let mut offset = vec![0; shape.len()];
        offset[axis] = offset_a;
        let part = part_name(name, i);
        graph
            .state_mut()
            .unique_name("", &format!("{part}/PartitionedInitializer"));
        let sliced;
        let (part_init, part_req_shape) = match &value {
            Some(full) => {
                sliced = Initializer::Value(full.narrow(axis, offset_a, size_a)?.into());
                (&sliced, RequestedShape::Unknown)
            }
            None => (
                initializer.as_ref().unwrap_or(&default_init),
                RequestedShape::Known(&part_shape),
            ),
        };
        let var = single_variable(
            graph,
            SingleRequest {
                full: &part,
                reuse: req.reuse,
                shape: part_req_shape,
                dtype: req.dtype,
                initializer: Some(part_init),
                trainable: req.trainable,
                collections: req.collections.as_deref(),
                regularizer: req.regularizer.as_ref(),
                fan_shape: Some(&shape),
                defined_at: req.defined_at,
                scope: req.scope.as_ref(),
            },
        )?;
        var.set_save_slice(SaveSlice {
            full_name: name.to_string(),
            full_shape: shape.clone(),
            offset,
        });
        parts.push(var);
    }
    let p = PartitionedVariable::new(name.to_string(), shape, req.dtype, list, parts);
    graph.state_mut().add_partitioned(p.clone());
    Ok(p)
}

/// `_get_single_variable`: returns the store variable `req.full` after
/// TF's sharing checks, or creates it.
pub(crate) fn single_variable(graph: &Graph, req: SingleRequest<'_>) -> Result<Variable> {
    let full = req.full;
    if matches!(req.initializer, Some(Initializer::Value(_))) && req.shape.is_given() {
        return Err(ScopeError::InvalidArgument(format!(
            "get_variable `{full}`: a value initializer carries its own shape; \
             do not pass a shape with it"
        )));
    }
    let found = graph.state().stored(full).cloned();
    if let Some(existing) = found {
        return share(
            &existing,
            || full.to_string(),
            req.reuse,
            req.shape,
            req.dtype,
        );
    }
    absent_variable(graph, req)
}

/// `single_variable` once the store was found not to hold `req.full`:
/// `NotFound` under `reuse = true`, else creates it.
pub(crate) fn absent_variable(graph: &Graph, req: SingleRequest<'_>) -> Result<Variable> {
    let full = req.full;
    if req.reuse == Reuse::True {
        let suggestions = scope_checkpoint::closest_names(full, graph.state().store_keys());
        return Err(ScopeError::NotFound {
            name: full.to_string(),
            suggestions,
        });
    }

    // Create: decide shape, dtype and value before taking the write lock.
    // An initializer that cannot fill the dtype fails only after the name
    // was chosen, as in TF (the name stays used).
    let mut init_problem = None;
    let (dtype, shape, initializer): (DType, Box<[usize]>, Initializer) = match req.initializer {
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
            let shape = req
                .shape
                .fully_defined()
                .ok_or_else(|| ScopeError::UnknownShape {
                    name: full.to_string(),
                    shape: req.shape.to_partial(),
                })?;
            let init = other
                .cloned()
                .unwrap_or_else(|| Initializer::default_for(req.dtype));
            let elements = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
            if elements.is_none_or(|n| n > isize::MAX as usize / 8) {
                return Err(ScopeError::InvalidArgument(format!(
                    "get_variable `{full}`: shape {:?} has more elements than memory can hold",
                    &shape[..]
                )));
            }
            init_problem = init.dtype_problem(req.dtype);
            (req.dtype, shape.as_ref().into(), init)
        }
    };
    validate(full, true, NameKind::Variable)?;
    let regularizer = req.regularizer.filter(|r| r.op_name().is_some());
    if regularizer.is_some() && !dtype.is_float() {
        return Err(ScopeError::InvalidArgument(format!(
            "get_variable `{full}`: a regularizer needs a floating-point variable, this one is {dtype}"
        )));
    }

    let mut state = graph.state_mut();
    if let Some(existing) = state.stored(full) {
        // Another thread created it meanwhile.
        return share(
            existing,
            || full.to_string(),
            req.reuse,
            req.shape,
            req.dtype,
        );
    }
    let op_name = match full.strip_suffix('/') {
        Some(absolute) => absolute.to_string(),
        None => state.unique_name("", full),
    };
    if let Some(problem) = init_problem {
        return Err(ScopeError::InvalidArgument(format!(
            "get_variable `{full}`: {problem}"
        )));
    }
    let value = ValueCell::pending(
        initializer.clone(),
        state.seed(),
        graph.device().clone(),
        req.fan_shape,
    );
    let var = state.add_variable(
        graph.id(),
        op_name,
        NewVar {
            store_key: Some(full),
            dtype,
            shape,
            value,
            trainable: req.trainable,
            initializer: Some(initializer),
            defined_at: req.defined_at,
            collections: req.collections.map(<[String]>::to_vec),
            created_in: req.scope.cloned(),
            requested: None,
        },
    )?;
    if let Some(r) = regularizer {
        regularize(&mut state, full, &var, r);
    }
    Ok(var)
}

/// Runs a regularizer on a variable just created under store name `full`
/// (§5): its names at the root, then its loss `full/Regularizer/K:0` in
/// `regularization_losses`.
fn regularize(state: &mut GraphState, full: &str, var: &Variable, r: &Regularizer) {
    let Some(k) = r.op_name() else { return };
    let root = state.unique_name("", k);
    for inner in r.inner_op_names() {
        state.unique_name(&root, inner);
    }
    let loss_scope = format!("{full}/Regularizer");
    let loss = state.unique_name(&loss_scope, k);
    for inner in r.inner_op_names() {
        state.unique_name(&loss, inner);
    }
    let (v, reg) = (var.clone(), r.clone());
    let tensor = DerivedTensor::new(&loss, &[], var.dtype(), move || {
        let w: Tensor = v.tensor()?;
        reg.loss(&w)?.ok_or_else(|| {
            ScopeError::InvalidArgument(format!(
                "the regularizer of `{}` gave no loss",
                v.op_name()
            ))
        })
    });
    state
        .collection_mut(REGULARIZATION_LOSSES)
        .push(tensor.into());
}

/// Returns an existing variable after TF's sharing checks.
/// `full` gives the variable's full name, built only for an error.
pub(crate) fn share(
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
