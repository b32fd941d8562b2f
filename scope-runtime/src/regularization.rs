//! `tf.compat.v1.losses.get_regularization_losses` / `get_regularization_loss`:
//! the losses regularizers added to `regularization_losses`, filtered by a
//! name prefix, and their sum as one tensor named as TF names it.

use candle_core::Tensor;

use crate::context::with_current;
use crate::derived_tensor::DerivedTensor;
use crate::dtype::DType;
use crate::error::Result;
use crate::getter::GraphObject;
use crate::graph::{Graph, REGULARIZATION_LOSSES};

/// The members of `regularization_losses` whose name starts with `scope`.
pub fn get_regularization_losses(scope: &str) -> Vec<GraphObject> {
    Graph::current().get_collection(REGULARIZATION_LOSSES, scope)
}

/// TF's `get_regularization_loss(scope, name)`: the sum of the matching
/// losses, an op `name` (default `total_regularization_loss`) made unique
/// in the current name scope; with no matching loss, a zero constant named
/// like an unnamed op (`Const`, `Const_1`, ...).
pub fn get_regularization_loss(scope: &str, name: Option<&str>) -> Result<DerivedTensor> {
    let losses = get_regularization_losses(scope);
    let graph = Graph::current();
    let device = graph.device().clone();
    let op = with_current(|graph, st| {
        let mut state = graph.state_mut();
        let op = if losses.is_empty() {
            state.unique_name(&st.name_stack, "Const")
        } else {
            state.unique_name(&st.name_stack, name.unwrap_or("total_regularization_loss"))
        };
        // A fresh unique name is never an existing op.
        let _ = state.add_op(&op);
        Ok(op)
    })?;
    let dtype = losses.first().map_or(DType::F32, GraphObject::dtype);
    Ok(DerivedTensor::new(&op, &[], dtype, move || {
        let mut total = Tensor::zeros((), dtype.candle(), &device)?;
        for loss in &losses {
            total = (total + loss.value()?)?;
        }
        Ok(total)
    }))
}
