//! Read and write TensorFlow V2 checkpoints ("tensor bundles") and
//! safetensors files, natively and strictly.
//!
//! # Reading
//!
//! ```no_run
//! use scope_checkpoint::{CheckpointReader, TensorData};
//! # fn main() -> scope_checkpoint::Result<()> {
//! // A prefix, an .index file, or a directory with a `checkpoint` state file.
//! let ckpt = CheckpointReader::open("gpt2/model.ckpt")?;
//! for e in ckpt.entries() {
//!     println!("{} {} {:?}", e.name, e.dtype, e.shape);   // no data read
//! }
//! let wte: ndarray::ArrayD<f32> = ckpt.read_as("model/wte")?; // owned, crc32c checked
//! let wpe = ckpt.view::<f32>("model/wpe")?;                   // zero-copy over the mmap, crc32c checked
//! match ckpt.read("model/h0/ln_1/g")? {
//!     TensorData::Float32(a) => println!("{}", a.sum()),
//!     other => println!("{}", other.dtype()),
//! }
//! # let _ = (wte, wpe); Ok(()) }
//! ```
//!
//! [`open`] picks [`CheckpointReader`] or [`SafetensorsReader`] by extension
//! or content and returns a `Box<dyn` [`TensorSource`]`>`, the one reading
//! interface both implement (`entries`, `info`, `read`, `raw_bytes`, and on
//! `dyn TensorSource` also `read_as` and `view`).
//!
//! # Writing
//!
//! ```no_run
//! use ndarray::ArrayD;
//! # fn main() -> scope_checkpoint::Result<()> {
//! let w = ArrayD::<f32>::zeros(ndarray::IxDyn(&[2, 3]));
//! let step = ndarray::arr0(7i64).into_dyn();
//! // Borrowed, never copied; byte-identical to TF's Saver; updates dir/checkpoint.
//! use scope_checkpoint::TensorView;
//! scope_checkpoint::save_checkpoint(
//!     "dir/model.ckpt",
//!     [("dense/kernel", TensorView::from(&w)), ("global_step", TensorView::from(&step))],
//! )?;
//! scope_checkpoint::save_safetensors("dir/model.safetensors", [("dense/kernel", &w)], [("source", "scope")])?;
//! # Ok(()) }
//! ```
//!
//! Every save is atomic (temporary file beside the target, fsync, rename).
//!
//! # Errors
//!
//! Every failure is a [`CheckpointError`] naming the file and, where there
//! is one, the tensor. Damaged files never panic and never make the reader
//! allocate more than the file size justifies.
//!
//! # For restoring into a graph
//!
//! The intended pattern: open with [`open`] (either format), compare
//! [`TensorSource::entries`] against the model's variables (names, dtypes,
//! shapes) to build a full report before touching anything, then
//! [`TensorSource::read`] each tensor and take its array with
//! [`TensorData::into_array`]. [`CheckpointError::TensorNotFound`] carries
//! close-name suggestions computed by the same rule a report can reuse.

#![deny(unsafe_code)]

mod atomic;
mod bundle;
mod dtype;
mod error;
mod mapped;
mod open;
mod paths;
mod proto;
mod role;
mod safetensors;
mod slice;
mod source;
mod state;
mod suggest;
mod table;
mod tensor;
pub mod tree;
mod writer;

pub use bundle::CheckpointReader;
pub use dtype::{DataType, ParseDataTypeError, ALL_DTYPES};
pub use error::{closest_names, CheckpointError, Result};
pub use open::{detect_format, open};
pub use paths::{data_path, index_path, Located, Resolution};
pub use role::{ema_restore_map, tensor_role, TensorRole};
pub use safetensors::{
    save_safetensors, save_safetensors_with, SafetensorsReader, SafetensorsWriter,
};
pub use slice::{SliceError, TensorSlice};
pub use source::{Format, TensorSource};
pub use state::{
    all_checkpoints, latest_checkpoint, latest_checkpoint_located, read_checkpoint_state,
    update_checkpoint_state, CheckpointState, STATE_FILE_NAME,
};
pub use suggest::{apply as apply_rewrite, suggest_rewrites, Named, Rewrite, Suggestion};
pub use tensor::{Element, TensorData, TensorInfo, TensorView};
pub use writer::{
    balance_shards, save_checkpoint, save_checkpoint_sharded, save_checkpoint_sharded_with,
    save_checkpoint_with, CheckpointWriter, SaveOptions,
};

/// Re-exports of the element types used in [`TensorData`].
pub use half::{bf16, f16};
pub use num_complex::Complex;

/// Entry points for `cargo fuzz` (see `fuzz/`). Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    use std::path::Path;

    /// Parses a whole `.index` file and every entry in it.
    pub fn parse_index(bytes: &[u8]) -> Result<usize, crate::CheckpointError> {
        crate::bundle::parse_index(Path::new("fuzz.index"), bytes).map(|p| p.num_tensors())
    }

    /// Decodes one `BundleEntryProto`, the header proto, and (using the
    /// same bytes) a string tensor's data.
    pub fn parse_entry(bytes: &[u8]) {
        let _ = crate::proto::decode_entry(bytes);
        let _ = crate::proto::decode_header(bytes);
        let n = bytes.first().map_or(0, |&b| usize::from(b));
        let _ = crate::bundle::decode_strings(n, bytes.get(1..).unwrap_or(&[]));
    }

    /// Decodes a slice key and, using the same bytes, a `TensorSliceProto`;
    /// re-encodes a decoded key and checks it gives the same bytes back
    /// (the decoder accepts only TF's minimal encodings).
    pub fn parse_slice_key(bytes: &[u8]) {
        if let Ok((name, raw)) = crate::slice::decode_key(bytes) {
            assert_eq!(crate::slice::encode_key(&name, &raw), bytes);
        }
        let _ = crate::slice::key_name_lossy(bytes);
        if let Some(raw) = crate::slice::decode_slice_proto(bytes)
            .ok()
            .filter(|r| r.len() <= 4)
        {
            let dims: Vec<usize> = raw
                .iter()
                .map(|&(s, l)| {
                    (s.max(0) as usize)
                        .saturating_add(l.max(0) as usize)
                        .min(64)
                })
                .collect();
            if let Ok(s) = crate::slice::TensorSlice::resolve(&raw, &dims) {
                let mut n = 0;
                crate::slice::for_each_run(&dims, &s, |_, _, run| n += run);
                assert_eq!(n, s.num_elements());
            }
        }
    }

    /// Parses a safetensors header.
    pub fn parse_safetensors(bytes: &[u8]) {
        let _ = crate::safetensors::parse_header(Path::new("fuzz.safetensors"), bytes);
    }

    /// Builds a table exactly as the checkpoint writer does, from sorted pairs.
    pub fn build_table(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut t = crate::table::TableBuilder::new();
        for (k, v) in pairs {
            t.add(k, v);
        }
        t.finish()
    }

    /// Encodes an entry, for round-trip checks.
    pub fn encode_entry(
        dtype: u32,
        dims: &[u64],
        shard_id: u32,
        offset: u64,
        size: u64,
        crc: u32,
    ) -> Vec<u8> {
        crate::proto::encode_entry(dtype, dims, shard_id, offset, size, crc)
    }

    /// TF's binary slice key for `name` with (start, length) extents.
    pub fn encode_slice_key(name: &str, extents: &[(i64, i64)]) -> Vec<u8> {
        crate::slice::encode_key(name, extents)
    }

    /// A partitioned variable's full entry listing `slices` ((start, length) extents).
    pub fn encode_full_entry(
        dtype: u32,
        dims: &[u64],
        shard_id: u32,
        slices: &[&[(i64, i64)]],
    ) -> Vec<u8> {
        let protos: Vec<Vec<u8>> = slices
            .iter()
            .map(|s| crate::slice::encode_slice_proto(s))
            .collect();
        crate::proto::encode_full_entry(dtype, dims, shard_id, &protos)
    }

    /// Decodes an entry into (dtype, dims, shard_id, offset, size, crc).
    #[allow(clippy::type_complexity)]
    pub fn decode_entry(bytes: &[u8]) -> Result<(i64, Vec<i64>, i64, i64, i64, u32), String> {
        crate::proto::decode_entry(bytes)
            .map(|e| (e.dtype, e.dims, e.shard_id, e.offset, e.size, e.crc32c))
    }
}
