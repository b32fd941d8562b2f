//! One reading interface over both formats.

use std::path::Path;

use ndarray::{ArrayD, ArrayViewD};

use crate::error::{CheckpointError, Result};
use crate::paths::Resolution;
use crate::tensor::{typed, view_or_error, Element, TensorData, TensorInfo};

/// The file format behind a [`TensorSource`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// TF V2 checkpoint (tensor bundle).
    TfCheckpoint,
    Safetensors,
}

/// Read access to named tensors, whatever the file format. Object-safe:
/// [`open`] returns a `Box<dyn TensorSource>`.
pub trait TensorSource: Send + Sync {
    /// The checkpoint prefix or the safetensors file.
    fn path(&self) -> &Path;
    fn format(&self) -> Format;
    /// Every tensor, sorted by name (byte-wise). Reads no data.
    fn entries(&self) -> &[TensorInfo];
    /// Name, dtype and shape of one tensor, or [`CheckpointError::TensorNotFound`]
    /// with the closest names.
    fn info(&self, name: &str) -> Result<&TensorInfo>;
    /// Reads a tensor into a fresh array (checksums verified where the format has them).
    fn read(&self, name: &str) -> Result<TensorData>;
    /// The verified stored bytes of a fixed-size tensor, borrowed from the
    /// mapped file (little-endian, row-major).
    fn raw_bytes(&self, name: &str) -> Result<(&TensorInfo, &[u8])>;

    /// Whether a tensor of that name exists.
    fn contains(&self, name: &str) -> bool {
        self.info(name).is_ok()
    }

    /// Fills `out`, whose length must be the tensor's num_elements × element
    /// size ([`CheckpointError::BufferSize`] otherwise), with the full
    /// tensor's little-endian row-major element bytes: checksums verified,
    /// a partitioned variable's slices assembled, copied straight from the
    /// mapped file with no intermediate copy, and the mapped pages dropped
    /// from the process's resident set afterwards, so reading a large file
    /// tensor by tensor needs only the caller's buffer. String tensors have
    /// no such layout ([`CheckpointError::UnsupportedDtype`]). On error the
    /// contents of `out` are unspecified.
    fn read_into(&self, name: &str, out: &mut [u8]) -> Result<()> {
        let info = self.info(name)?;
        crate::tensor::check_out_len(self.path(), info, out.len())?;
        let (_, bytes) = self.raw_bytes(name)?;
        out.copy_from_slice(bytes);
        Ok(())
    }

    /// Set when the source was found through a `checkpoint` state file
    /// naming a prefix that does not exist, and the prefix of the same file
    /// name in the state file's directory was used instead: what was named
    /// and why. `None` otherwise.
    fn resolution(&self) -> Option<&Resolution> {
        None
    }
}

impl dyn TensorSource + '_ {
    /// Reads a tensor as an array of `T` (error if the stored dtype differs).
    pub fn read_as<T: Element>(&self, name: &str) -> Result<ArrayD<T>> {
        let found = self.info(name)?.dtype;
        CheckpointError::check_dtype(self.path(), name, found, T::DTYPE)?;
        typed(self.path(), name, self.read(name)?)
    }

    /// A zero-copy, checksum-verified view over the mapped file; see
    /// [`CheckpointReader::view`] for the alignment rule.
    pub fn view<T: Element>(&self, name: &str) -> Result<ArrayViewD<'_, T>> {
        let found = self.info(name)?.dtype;
        CheckpointError::check_dtype(self.path(), name, found, T::DTYPE)?;
        let (info, bytes) = self.raw_bytes(name)?;
        view_or_error(info, bytes, 0, self.path().to_path_buf())
    }
}
