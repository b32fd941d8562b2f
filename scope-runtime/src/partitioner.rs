//! Variable partitioners: TF1's `fixed_size_partitioner`,
//! `min_max_variable_partitioner`, `variable_axis_size_partitioner`, a
//! fixed list, or a user's function. A partitioner maps a variable's full
//! shape and dtype to a partitions list (one entry per dimension, at most
//! one above 1); `get_variable` then makes the parts `name/part_<i>`.
//! Slicing follows TF's `_iter_slices` (the first `D mod n` parts get one
//! more row).

use std::fmt;
use std::sync::Arc;

use crate::dtype::DType;
use crate::error::{Result, ScopeError};

type PartitionFn = dyn Fn(&[usize], DType) -> Vec<usize> + Send + Sync;

/// A partitioner (`partitioner=` of `variable_scope` / `get_variable`).
#[derive(Clone)]
pub struct Partitioner(Kind);

#[derive(Clone)]
enum Kind {
    FixedSize {
        shards: usize,
        axis: usize,
    },
    MinMax {
        max_partitions: usize,
        axis: usize,
        min_slice_size: usize,
    },
    VariableAxisSize {
        max_shard_bytes: u64,
        axis: usize,
        max_shards: Option<usize>,
    },
    List(Arc<[usize]>),
    Custom(Arc<PartitionFn>),
}

impl Partitioner {
    /// `fixed_size_partitioner(num_shards, axis)`: `min(num_shards, S[axis])`
    /// parts along `axis`.
    pub fn fixed_size(num_shards: usize, axis: usize) -> Partitioner {
        Partitioner(Kind::FixedSize {
            shards: num_shards,
            axis,
        })
    }

    /// `min_max_variable_partitioner(max_partitions, axis, min_slice_size)`
    /// (TF's default `min_slice_size` is 256 KiB: 262144).
    pub fn min_max(max_partitions: usize, axis: usize, min_slice_size: usize) -> Result<Self> {
        if min_slice_size == 0 {
            return Err(ScopeError::InvalidArgument(
                "min_max_variable_partitioner: min_slice_size must be positive".to_string(),
            ));
        }
        Ok(Partitioner(Kind::MinMax {
            max_partitions,
            axis,
            min_slice_size,
        }))
    }

    /// `variable_axis_size_partitioner(max_shard_bytes, axis, max_shards)`:
    /// as few parts as keep each below `max_shard_bytes`; `max_shards` caps
    /// the count (`Some(0)` means no cap, as in TF).
    pub fn variable_axis_size(
        max_shard_bytes: i64,
        axis: usize,
        max_shards: Option<i64>,
    ) -> Result<Self> {
        if max_shard_bytes < 1 {
            return Err(ScopeError::InvalidArgument(format!(
                "variable_axis_size_partitioner: max_shard_bytes must be positive, got {max_shard_bytes}"
            )));
        }
        if max_shards.is_some_and(|m| m < 0) {
            return Err(ScopeError::InvalidArgument(format!(
                "variable_axis_size_partitioner: max_shards must be >= 0, got {}",
                max_shards.unwrap_or_default()
            )));
        }
        Ok(Partitioner(Kind::VariableAxisSize {
            max_shard_bytes: max_shard_bytes as u64,
            axis,
            max_shards: max_shards.map(|m| m as usize),
        }))
    }

    /// A partitioner that returns `partitions` whatever the shape.
    pub fn list(partitions: &[usize]) -> Partitioner {
        Partitioner(Kind::List(partitions.into()))
    }

    /// A user's partitioner: `(full shape, dtype) -> partitions list`.
    pub fn custom(f: impl Fn(&[usize], DType) -> Vec<usize> + Send + Sync + 'static) -> Self {
        Partitioner(Kind::Custom(Arc::new(f)))
    }

    /// The partitions list for a variable of `shape` and `dtype`, checked
    /// as TF's `_call_partitioner` checks it. `name` is for errors.
    pub(crate) fn partitions(
        &self,
        name: &str,
        shape: &[usize],
        dtype: DType,
    ) -> Result<Vec<usize>> {
        let bad = |detail: String| ScopeError::InvalidPartitioning {
            name: name.to_string(),
            detail,
        };
        let along = |axis: usize, n: usize| -> Result<Vec<usize>> {
            if axis >= shape.len() {
                return Err(bad(format!(
                    "axis {axis} is not below the rank {} of shape {shape:?}",
                    shape.len()
                )));
            }
            let mut l = vec![1; shape.len()];
            l[axis] = n;
            Ok(l)
        };
        let size = dtype.size_in_bytes() as u64;
        let elements: u64 = shape.iter().map(|&d| d as u64).product();
        let list = match &self.0 {
            Kind::FixedSize { shards, axis } => {
                let dim = shape.get(*axis).copied().unwrap_or(0);
                along(*axis, (*shards).min(dim))?
            }
            Kind::MinMax {
                max_partitions,
                axis,
                min_slice_size,
            } => {
                let dim = shape.get(*axis).copied().unwrap_or(0) as u64;
                let by_size = (elements * size).div_ceil(*min_slice_size as u64);
                let n = dim.min(*max_partitions as u64).min(by_size).max(1);
                along(*axis, n as usize)?
            }
            Kind::VariableAxisSize {
                max_shard_bytes,
                axis,
                max_shards,
            } => {
                let dim = shape.get(*axis).copied().unwrap_or(0) as u64;
                if dim == 0 {
                    return along(*axis, 1);
                }
                let slice_bytes = (elements / dim) * size;
                let per_shard = (max_shard_bytes / slice_bytes.max(1)).max(1);
                let mut n = dim.div_ceil(per_shard) as usize;
                if let Some(cap) = max_shards.filter(|&m| m > 0) {
                    n = n.min(cap);
                }
                along(*axis, n)?
            }
            Kind::List(l) => l.to_vec(),
            Kind::Custom(f) => f(shape, dtype),
        };
        if list.len() != shape.len() {
            return Err(bad(format!(
                "the partitioner returned {list:?}, which has {} entries for a variable of rank {} \
                 (shape {shape:?}); it needs one per dimension",
                list.len(),
                shape.len()
            )));
        }
        if list.contains(&0) {
            return Err(bad(format!(
                "the partitioner returned {list:?}: every entry must be at least 1"
            )));
        }
        if list.iter().filter(|&&p| p > 1).count() > 1 {
            return Err(bad(format!(
                "the partitioner returned {list:?}: a variable can be sliced along one dimension only"
            )));
        }
        Ok(list)
    }
}

/// The axis and count of a partitions list (TF's
/// `_get_slice_dim_and_num_slices`): the first entry above 1, else axis 0
/// in one part.
pub(crate) fn slice_axis(partitions: &[usize]) -> (usize, usize) {
    partitions
        .iter()
        .position(|&p| p > 1)
        .map_or((0, 1), |a| (a, partitions[a]))
}

/// Part `i`'s offset along the slice axis and its size there, of
/// `dim` elements in `n` parts (TF's `_iter_slices`).
pub(crate) fn slice(dim: usize, n: usize, i: usize) -> (usize, usize) {
    let (base, extra) = (dim / n, dim % n);
    let size = base + usize::from(i < extra);
    let offset = i * base + i.min(extra);
    (offset, size)
}

impl fmt::Debug for Partitioner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::FixedSize { shards, axis } => {
                write!(f, "fixed_size_partitioner({shards}, axis={axis})")
            }
            Kind::MinMax {
                max_partitions,
                axis,
                min_slice_size,
            } => write!(
                f,
                "min_max_variable_partitioner({max_partitions}, axis={axis}, min_slice_size={min_slice_size})"
            ),
            Kind::VariableAxisSize {
                max_shard_bytes,
                axis,
                max_shards,
            } => write!(
                f,
                "variable_axis_size_partitioner({max_shard_bytes}, axis={axis}, max_shards={max_shards:?})"
            ),
            Kind::List(l) => write!(f, "partitions {l:?}"),
            Kind::Custom(_) => f.write_str("custom partitioner"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_follow_tf() {
        let sizes = |d, n| (0..n).map(|i| slice(d, n, i)).collect::<Vec<_>>();
        assert_eq!(sizes(7, 3), vec![(0, 3), (3, 2), (5, 2)]);
        assert_eq!(sizes(10, 4), vec![(0, 3), (3, 3), (6, 2), (8, 2)]);
        assert_eq!(sizes(2, 3)[2], (2, 0));
    }

    #[test]
    fn min_max_counts_bytes() {
        let p = Partitioner::min_max(4, 0, 64).unwrap();
        // 8x4 float32 = 128 bytes -> 2 slices of 64.
        assert_eq!(p.partitions("w", &[8, 4], DType::F32).unwrap(), vec![2, 1]);
        assert_eq!(p.partitions("w", &[8, 4], DType::F64).unwrap(), vec![4, 1]);
    }
}
