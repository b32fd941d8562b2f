//! The one error type of this crate.

use std::io;
use std::path::{Path, PathBuf};

use crate::dtype::DataType;

/// Result alias used throughout the crate.
pub type Result<T, E = CheckpointError> = std::result::Result<T, E>;

/// Everything that can go wrong while reading or writing a checkpoint.
///
/// Every variant names the file involved and, where there is one, the
/// tensor. Messages end with a hint about what to do. Bad input never
/// panics: it always ends up here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// An operating-system error other than "not found" (permissions, disk full, ...).
    #[error("{}: {op} failed: {source}", path.display())]
    Io {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: io::Error,
    },

    /// A file that must exist does not: the `.index`, a `.data` shard, the
    /// `checkpoint` state file or a safetensors file.
    #[error("{}: no such file{}; {hint}", path.display(), tensor_suffix(tensor))]
    NotFound {
        path: PathBuf,
        tensor: Option<String>,
        hint: String,
    },

    /// The path is neither a checkpoint prefix, a directory with a
    /// `checkpoint` state file, nor a safetensors file.
    #[error("{}: not a checkpoint: {reason}", path.display())]
    NotACheckpoint { path: PathBuf, reason: String },

    /// The `.index` file is shorter than the 48-byte table footer.
    #[error("{}: file is too short to be an sstable ({len} bytes, the footer alone is 48); the index was truncated, restore it from a backup or re-save", path.display())]
    TruncatedIndex { path: PathBuf, len: u64 },

    /// The table footer does not end in the LevelDB table magic number.
    #[error("{}: not an sstable (bad magic number {found:#018x}); this is not a TF V2 checkpoint index, or it is damaged", path.display())]
    BadMagic { path: PathBuf, found: u64 },

    /// A block of the `.index` table fails its masked crc32c.
    #[error("{}: block checksum mismatch in the block at offset {offset} (stored {stored:#010x}, computed {computed:#010x}); the index is corrupt, restore it from a backup or re-save", path.display())]
    BlockChecksum {
        path: PathBuf,
        offset: u64,
        stored: u32,
        computed: u32,
    },

    /// The `.index` table is structurally invalid (bad handles, varints, restarts, key order ...).
    #[error("{}: corrupt index: {detail}; the file is damaged or not a TF V2 checkpoint index", path.display())]
    CorruptIndex { path: PathBuf, detail: String },

    /// A tensor's `BundleEntryProto` (or the header entry) does not decode or is inconsistent.
    #[error("{}: corrupt entry for tensor '{tensor}': {detail}; the index is damaged, re-save the checkpoint", path.display())]
    CorruptEntry {
        path: PathBuf,
        tensor: String,
        detail: String,
    },

    /// The bytes of a tensor fail its crc32c.
    #[error("{}: checksum mismatch for tensor '{tensor}' (stored {stored:#010x}, computed {computed:#010x}); the data file is corrupt, restore it from a backup or re-save", path.display())]
    DataChecksum {
        path: PathBuf,
        tensor: String,
        stored: u32,
        computed: u32,
    },

    /// A tensor's bytes lie (partly) beyond the end of its data file.
    #[error("{}: tensor '{tensor}' needs bytes [{offset}, {end}) but the file has only {file_len} bytes; the data file was truncated, restore it from a backup or re-save", path.display())]
    DataOutOfRange {
        path: PathBuf,
        tensor: String,
        offset: u64,
        end: u128,
        file_len: u64,
    },

    /// A dtype number this crate does not know (quantized types, resource, variant, ...).
    #[error("{}: tensor '{tensor}' has unknown or unsupported TF DataType number {dtype}; only plain numeric, bool, complex and string tensors can be read", path.display())]
    UnknownDtype {
        path: PathBuf,
        tensor: String,
        dtype: i64,
    },

    /// A known dtype that the requested operation cannot handle
    /// (strings in safetensors, a zero-copy view of strings, ...).
    #[error("{}: tensor '{tensor}' of dtype {dtype}: {what}", path.display())]
    UnsupportedDtype {
        path: PathBuf,
        tensor: String,
        dtype: DataType,
        what: String,
    },

    /// A shape that is negative, overflows, or disagrees with the stored byte size.
    #[error("{}: tensor '{tensor}' has a bad shape or size: {detail}; the file is damaged", path.display())]
    BadShape {
        path: PathBuf,
        tensor: String,
        detail: String,
    },

    /// No tensor of that name.
    #[error("{}: no tensor named '{tensor}'{}; list the names with `scope-ckpt list {}`", path.display(), suggest(suggestions), path.display())]
    TensorNotFound {
        path: PathBuf,
        tensor: String,
        /// Up to 3 existing names closest to the one asked for.
        suggestions: Vec<String>,
    },

    /// The tensor exists but has another dtype than the one asked for.
    #[error("{}: tensor '{tensor}' is {found}, not {expected}; read it with the matching element type or use `read` and convert", path.display())]
    DtypeMismatch {
        path: PathBuf,
        tensor: String,
        expected: DataType,
        found: DataType,
    },

    /// A zero-copy view was asked for bytes whose offset is not aligned for the element type.
    #[error("{}: tensor '{tensor}' starts at byte {offset}, not a multiple of {align}, so it cannot be viewed in place as {dtype}; use `read` (which copies) instead", path.display())]
    Misaligned {
        path: PathBuf,
        tensor: String,
        dtype: DataType,
        offset: u64,
        align: usize,
    },

    /// A valid feature of the format that this crate does not implement
    /// (big-endian bundles, compressed blocks, newer versions, views of partitioned variables).
    #[error("{}: {feature} is not supported{}", path.display(), tensor_suffix(tensor))]
    Unsupported {
        path: PathBuf,
        tensor: Option<String>,
        feature: String,
    },

    /// The `checkpoint` state file cannot be used.
    #[error("{}: bad checkpoint state file: {detail}", path.display())]
    StateFile { path: PathBuf, detail: String },

    /// A safetensors file whose header or layout is invalid.
    #[error("{}: corrupt safetensors file: {detail}; the file is damaged or not safetensors", path.display())]
    CorruptSafetensors { path: PathBuf, detail: String },

    /// A partitioned variable's slice key or slice spec is damaged or does
    /// not agree with its full entry. TF writes these consistently, so the
    /// index is damaged.
    #[error("{}: partitioned tensor '{tensor}': bad slice key or slice spec: {source}; the index is damaged, re-save the checkpoint", path.display())]
    BadSlice {
        path: PathBuf,
        tensor: String,
        #[source]
        source: crate::slice::SliceError,
    },

    /// A partitioned variable whose slices do not cover it (a valid file:
    /// TF writes this when only some partitions were saved).
    #[error("{}: tensor '{tensor}' is partitioned and its {slices} slices hold only {covered} of its {total} elements (only some partitions were saved); read the slices one by one with `read_slice`", path.display())]
    MissingSlices {
        path: PathBuf,
        tensor: String,
        slices: usize,
        covered: usize,
        total: usize,
    },

    /// The buffer given to `read_into` does not have the tensor's byte size.
    #[error("{}: tensor '{tensor}' has {expected} bytes but the buffer given has {got}; pass a buffer of num_elements × element size bytes", path.display())]
    BufferSize {
        path: PathBuf,
        tensor: String,
        expected: u128,
        got: usize,
    },

    /// The caller passed something that cannot be saved (duplicate or empty names, ...).
    #[error("{}: cannot save: {detail}", path.display())]
    InvalidInput { path: PathBuf, detail: String },
}

fn tensor_suffix(t: &Option<String>) -> String {
    match t {
        Some(t) => format!(" (tensor '{t}')"),
        None => String::new(),
    }
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        let quoted: Vec<String> = s.iter().map(|n| format!("'{n}'")).collect();
        format!(" (did you mean {}?)", quoted.join(", "))
    }
}

impl CheckpointError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        use CheckpointError::*;
        match self {
            Io { path, .. }
            | NotFound { path, .. }
            | NotACheckpoint { path, .. }
            | TruncatedIndex { path, .. }
            | BadMagic { path, .. }
            | BlockChecksum { path, .. }
            | CorruptIndex { path, .. }
            | CorruptEntry { path, .. }
            | DataChecksum { path, .. }
            | DataOutOfRange { path, .. }
            | UnknownDtype { path, .. }
            | UnsupportedDtype { path, .. }
            | BadShape { path, .. }
            | TensorNotFound { path, .. }
            | DtypeMismatch { path, .. }
            | Misaligned { path, .. }
            | Unsupported { path, .. }
            | StateFile { path, .. }
            | CorruptSafetensors { path, .. }
            | BadSlice { path, .. }
            | MissingSlices { path, .. }
            | BufferSize { path, .. }
            | InvalidInput { path, .. } => path,
        }
    }

    /// The tensor the error is about, if any.
    pub fn tensor(&self) -> Option<&str> {
        use CheckpointError::*;
        match self {
            CorruptEntry { tensor, .. }
            | DataChecksum { tensor, .. }
            | DataOutOfRange { tensor, .. }
            | UnknownDtype { tensor, .. }
            | UnsupportedDtype { tensor, .. }
            | BadShape { tensor, .. }
            | TensorNotFound { tensor, .. }
            | DtypeMismatch { tensor, .. }
            | Misaligned { tensor, .. }
            | BadSlice { tensor, .. }
            | MissingSlices { tensor, .. }
            | BufferSize { tensor, .. } => Some(tensor),
            NotFound { tensor, .. } | Unsupported { tensor, .. } => tensor.as_deref(),
            _ => None,
        }
    }

    /// True when the file is damaged (as opposed to missing, unsupported or misused):
    /// TF reports these as `DataLoss` or `OutOfRange`.
    pub fn is_corruption(&self) -> bool {
        use CheckpointError::*;
        matches!(
            self,
            TruncatedIndex { .. }
                | BadMagic { .. }
                | BlockChecksum { .. }
                | CorruptIndex { .. }
                | CorruptEntry { .. }
                | DataChecksum { .. }
                | DataOutOfRange { .. }
                | BadShape { .. }
                | CorruptSafetensors { .. }
                | BadSlice { .. }
        )
    }

    /// `DtypeMismatch` unless the tensor is stored as `expected`.
    pub(crate) fn check_dtype(
        path: &Path,
        tensor: &str,
        found: DataType,
        expected: DataType,
    ) -> Result<()> {
        if found == expected {
            return Ok(());
        }
        Err(CheckpointError::DtypeMismatch {
            path: path.to_path_buf(),
            tensor: tensor.to_string(),
            expected,
            found,
        })
    }

    pub(crate) fn io(path: &Path, op: &'static str, source: io::Error) -> Self {
        if source.kind() == io::ErrorKind::NotFound {
            CheckpointError::NotFound {
                path: path.to_path_buf(),
                tensor: None,
                hint: format!("{op} failed; check the path"),
            }
        } else {
            CheckpointError::Io {
                path: path.to_path_buf(),
                op,
                source,
            }
        }
    }
}

/// The one "did you mean" rule of scope (the `scope-names` crate), shared by
/// this crate's errors and scope-runtime's `NotFound` and load reports.
pub use scope_names::closest_names;
