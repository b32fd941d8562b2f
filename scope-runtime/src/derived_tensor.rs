//! A tensor derived from variables that the graph knows by TF's name: what
//! a custom getter returns instead of a variable (`Cast:0`), a
//! regularization loss (`w/Regularizer/l2_regularizer:0`), or a summed
//! loss. Its value is computed on demand from the variables' current
//! values (as a TF graph evaluates the op), so a restore or an optimizer
//! step is seen by the next `value()`, and candle's autograd tracks it.

use std::fmt;
use std::sync::Arc;

use candle_core::Tensor;

use crate::dtype::DType;
use crate::error::Result;

type Compute = dyn Fn() -> Result<Tensor> + Send + Sync;

/// A named tensor computed from variables. Cheap to clone.
#[derive(Clone)]
pub struct DerivedTensor(Arc<Inner>);

struct Inner {
    /// `"Cast:0"`; the op name is the part before `:`.
    name: String,
    shape: Vec<usize>,
    dtype: DType,
    compute: Box<Compute>,
}

impl DerivedTensor {
    /// A tensor named `op_name:0` of `shape` and `dtype`, whose value
    /// `compute` gives.
    pub fn new(
        op_name: &str,
        shape: &[usize],
        dtype: DType,
        compute: impl Fn() -> Result<Tensor> + Send + Sync + 'static,
    ) -> DerivedTensor {
        DerivedTensor(Arc::new(Inner {
            name: format!("{op_name}:0"),
            shape: shape.to_vec(),
            dtype,
            compute: Box::new(compute),
        }))
    }

    /// TF's `t.name` (`"Cast:0"`).
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The op name (`"Cast"`).
    pub fn op_name(&self) -> &str {
        self.0.name.strip_suffix(":0").unwrap_or(&self.0.name)
    }

    pub fn shape(&self) -> &[usize] {
        &self.0.shape
    }

    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    /// Computes the value from the variables' current values.
    pub fn value(&self) -> Result<Tensor> {
        (self.0.compute)()
    }

    /// Whether two handles are the same tensor.
    pub fn same(&self, other: &DerivedTensor) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for DerivedTensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DerivedTensor")
            .field("name", &self.name())
            .field("shape", &self.shape())
            .field("dtype", &self.dtype())
            .finish()
    }
}
