//! One reading interface over both formats.

use std::path::Path;

use ndarray::{ArrayD, ArrayViewD};

use crate::bundle::CheckpointReader;
use crate::error::{CheckpointError, Result};
use crate::safetensors::SafetensorsReader;
use crate::tensor::{view_from_bytes, Element, TensorData, TensorInfo};

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
}

impl dyn TensorSource + '_ {
    /// Reads a tensor as an array of `T` (error if the stored dtype differs).
    pub fn read_as<T: Element>(&self, name: &str) -> Result<ArrayD<T>> {
        CheckpointError::check_dtype(self.path(), self.info(name)?, T::DTYPE)?;
        self.read(name)
            .map(|d| d.into_array::<T>().expect("dtype checked"))
    }

    /// A zero-copy, checksum-verified view over the mapped file; see
    /// [`CheckpointReader::view`] for the alignment rule.
    pub fn view<T: Element>(&self, name: &str) -> Result<ArrayViewD<'_, T>> {
        let (info, bytes) = self.raw_bytes(name)?;
        CheckpointError::check_dtype(self.path(), info, T::DTYPE)?;
        if bytes.as_ptr().align_offset(std::mem::align_of::<T>()) != 0 {
            return Err(CheckpointError::Misaligned {
                path: self.path().to_path_buf(),
                tensor: name.to_string(),
                dtype: info.dtype,
                offset: 0,
                align: std::mem::align_of::<T>(),
            });
        }
        view_from_bytes::<T>(&info.shape, bytes).ok_or_else(|| CheckpointError::BadShape {
            path: self.path().to_path_buf(),
            tensor: name.to_string(),
            detail: format!("bytes are not valid {} values", info.dtype),
        })
    }
}

impl TensorSource for CheckpointReader {
    fn path(&self) -> &Path {
        self.prefix()
    }
    fn format(&self) -> Format {
        Format::TfCheckpoint
    }
    fn entries(&self) -> &[TensorInfo] {
        CheckpointReader::entries(self)
    }
    fn info(&self, name: &str) -> Result<&TensorInfo> {
        CheckpointReader::info(self, name)
    }
    fn read(&self, name: &str) -> Result<TensorData> {
        CheckpointReader::read(self, name)
    }
    fn raw_bytes(&self, name: &str) -> Result<(&TensorInfo, &[u8])> {
        CheckpointReader::raw_bytes(self, name)
    }
}

impl TensorSource for SafetensorsReader {
    fn path(&self) -> &Path {
        SafetensorsReader::path(self)
    }
    fn format(&self) -> Format {
        Format::Safetensors
    }
    fn entries(&self) -> &[TensorInfo] {
        SafetensorsReader::entries(self)
    }
    fn info(&self, name: &str) -> Result<&TensorInfo> {
        SafetensorsReader::info(self, name)
    }
    fn read(&self, name: &str) -> Result<TensorData> {
        SafetensorsReader::read(self, name)
    }
    fn raw_bytes(&self, name: &str) -> Result<(&TensorInfo, &[u8])> {
        SafetensorsReader::raw_bytes(self, name)
    }
}

/// Guesses the format of `path`: a `.safetensors` extension, or a regular
/// file starting with a plausible safetensors header (u64 length, then `{`),
/// is safetensors; anything else is treated as a TF checkpoint (prefix,
/// `.index`, `.data-*` or directory).
pub fn detect_format(path: &Path) -> Format {
    if path.extension().is_some_and(|e| e == "safetensors") {
        return Format::Safetensors;
    }
    if path.is_file() && path.extension().is_none_or(|e| e != "index") {
        use std::io::Read;
        let mut head = [0u8; 9];
        if let Ok(mut f) = std::fs::File::open(path) {
            if f.read_exact(&mut head).is_ok() && head[8] == b'{' {
                return Format::Safetensors;
            }
        }
    }
    Format::TfCheckpoint
}

/// Opens a TF checkpoint or a safetensors file, chosen by [`detect_format`].
pub fn open(path: impl AsRef<Path>) -> Result<Box<dyn TensorSource>> {
    let path = path.as_ref();
    if !path.exists() {
        let index = crate::bundle::index_path(path);
        if !index.exists() {
            return Err(CheckpointError::NotFound {
                path: path.to_path_buf(),
                tensor: None,
                hint: "expected a safetensors file, a checkpoint prefix P with P.index beside it, or a directory with a `checkpoint` state file".into(),
            });
        }
    }
    Ok(match detect_format(path) {
        Format::Safetensors => Box::new(SafetensorsReader::open(path)?),
        Format::TfCheckpoint => Box::new(CheckpointReader::open(path)?),
    })
}
