//! Update ops: the deferred assignments TF collects in `UPDATE_OPS` (batch
//! normalization's moving-average steps). Each has TF's op name and, when
//! the layer ran on values, the new value it assigns when run.

use std::sync::Arc;

use candle_core::Tensor;
use parking_lot::Mutex;

use crate::error::Result;
use crate::variable::Variable;

/// One entry of the `UPDATE_OPS` collection. Cheap to clone: clones share
/// the pending value.
#[derive(Clone, Debug)]
pub struct UpdateOp {
    name: Arc<str>,
    variable: Variable,
    value: Arc<Mutex<Option<Tensor>>>,
}

impl UpdateOp {
    /// An update of `variable` named `name` (TF's op name, e.g.
    /// `"bn/AssignMovingAvg/AssignSubVariableOp"`); `value` is the value it
    /// assigns when run (`None` for a layer that ran on shapes only).
    pub fn new(name: String, variable: Variable, value: Option<Tensor>) -> UpdateOp {
        UpdateOp {
            name: name.into(),
            variable,
            value: Arc::new(Mutex::new(value)),
        }
    }

    /// The op name, without an output index.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The variable it updates.
    pub fn variable(&self) -> &Variable {
        &self.variable
    }

    /// The value it would assign, if it has one pending.
    pub fn pending(&self) -> Option<Tensor> {
        self.value.lock().clone()
    }

    /// Assigns the pending value (detached from autograd) and clears it;
    /// `false` if there was none.
    pub fn run(&self) -> Result<bool> {
        let Some(value) = self.value.lock().take() else {
            return Ok(false);
        };
        let value = value.detach().to_dtype(self.variable.dtype().candle())?;
        self.variable.assign(value)?;
        Ok(true)
    }
}
