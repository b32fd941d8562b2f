//! Opening a file or directory of either format as a [`TensorSource`].

use std::path::Path;

use crate::bundle::CheckpointReader;
use crate::error::{CheckpointError, Result};
use crate::paths::index_path;
use crate::safetensors::SafetensorsReader;
use crate::source::{Format, TensorSource};

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
        let index = index_path(path);
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
