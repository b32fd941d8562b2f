//! A partitioned variable (TF's `PartitionedVariable`): one logical
//! variable `name` of the full shape, stored as parts `name/part_<i>`
//! sliced along one axis. Each part is an ordinary variable carrying its
//! slice (`Variable::save_slice`), so checkpoints hold TF's slice entries.

use std::fmt;
use std::sync::Arc;

use candle_core::Tensor;

use crate::dtype::DType;
use crate::error::Result;
use crate::variable::Variable;

/// A partitioned variable. Cheap to clone; clones are the same object.
#[derive(Clone)]
pub struct PartitionedVariable(Arc<Inner>);

struct Inner {
    name: String,
    shape: Vec<usize>,
    dtype: DType,
    partitions: Vec<usize>,
    parts: Vec<Variable>,
}

impl PartitionedVariable {
    pub(crate) fn new(
        name: String,
        shape: Vec<usize>,
        dtype: DType,
        partitions: Vec<usize>,
        parts: Vec<Variable>,
    ) -> Self {
        PartitionedVariable(Arc::new(Inner {
            name,
            shape,
            dtype,
            partitions,
            parts,
        }))
    }

    /// The full name (`"emb/w"`, no `:0`: it is not an op).
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The full shape.
    pub fn shape(&self) -> &[usize] {
        &self.0.shape
    }

    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    /// The partitions list (`[3, 1]`: three parts along axis 0).
    pub fn partitions(&self) -> &[usize] {
        &self.0.partitions
    }

    /// The parts, `part_0` first.
    pub fn parts(&self) -> &[Variable] {
        &self.0.parts
    }

    /// The axis the parts are sliced along.
    pub fn axis(&self) -> usize {
        crate::partitioner::slice_axis(&self.0.partitions).0
    }

    /// The full value: the parts concatenated along the axis (tracked by
    /// autograd through each part).
    pub fn value(&self) -> Result<Tensor> {
        let parts = self
            .0
            .parts
            .iter()
            .map(Variable::tensor)
            .collect::<Result<Vec<_>>>()?;
        Ok(Tensor::cat(&parts, self.axis())?)
    }

    /// Whether two handles are the same partitioned variable.
    pub fn same(&self, other: &PartitionedVariable) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for PartitionedVariable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartitionedVariable")
            .field("name", &self.name())
            .field("shape", &self.shape())
            .field("dtype", &self.dtype())
            .field("partitions", &self.partitions())
            .finish()
    }
}
