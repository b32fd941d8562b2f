//! Writing TF V2 checkpoints, byte-identical to TF's `Saver`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::atomic::{sync_dir, TempFile};
use crate::error::{CheckpointError, Result};
use crate::paths::{data_path, index_path, parent_dir};
use crate::proto::{encode_entry, encode_header, mask_crc, put_varint};
use crate::state::update_checkpoint_state;
use crate::table::TableBuilder;
use crate::tensor::TensorView;

/// How to save.
#[derive(Clone, Debug)]
pub struct SaveOptions {
    /// fsync every file (and the directory) before and after the renames, so
    /// a crash or power loss never leaves a half-written file under a final
    /// name. Default `true`. Turning it off keeps the write-then-rename
    /// atomicity against crashes of this process but not against power loss.
    pub fsync: bool,
    /// Record the save in the directory's `checkpoint` state file (relative
    /// path, like `Saver(save_relative_paths=True)`). Default `true`.
    pub update_state_file: bool,
}

impl Default for SaveOptions {
    fn default() -> Self {
        SaveOptions {
            fsync: true,
            update_state_file: true,
        }
    }
}

/// Saves named tensors as a single-shard V2 checkpoint at `prefix`
/// (`dir/model.ckpt` → `dir/model.ckpt.index` and
/// `dir/model.ckpt.data-00000-of-00001`), then records it in
/// `dir/checkpoint`.
///
/// Tensors are written in byte-wise name order, as TF's `Saver` does, so
/// the files are byte-identical to TF's for the same tensors. Names are TF
/// op names without `:0`. Accepts anything convertible to a
/// [`TensorView`]: `&ArrayD<T>`, `ArrayViewD<T>`, `&TensorData`.
///
/// Atomic: both files are written under temporary names beside their
/// targets, fsynced, then renamed (data first, then index, then the state
/// file). An interrupted save leaves the previous state file and every
/// previous checkpoint untouched. Overwriting the same prefix removes its
/// old `.index` before installing the new data, so an interruption there
/// leaves no checkpoint under that prefix rather than a mixed one.
pub fn save_checkpoint<'a, I, N, V>(prefix: impl AsRef<Path>, tensors: I) -> Result<()>
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<str>,
    V: Into<TensorView<'a>>,
{
    save_checkpoint_with(prefix, tensors, &SaveOptions::default())
}

/// [`save_checkpoint`] with options.
pub fn save_checkpoint_with<'a, I, N, V>(
    prefix: impl AsRef<Path>,
    tensors: I,
    options: &SaveOptions,
) -> Result<()>
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<str>,
    V: Into<TensorView<'a>>,
{
    let prefix = prefix.as_ref();
    let mut list: Vec<(String, TensorView<'a>)> = tensors
        .into_iter()
        .map(|(n, v)| (n.as_ref().to_string(), v.into()))
        .collect();
    list.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut w = CheckpointWriter::create_with(prefix, options.clone())?;
    for (name, view) in &list {
        w.add(name, view)?;
    }
    w.finish()
}

/// A streaming checkpoint writer: [`add`](Self::add) tensors one at a time
/// (each is written to the data file at once, nothing is buffered), then
/// [`finish`](Self::finish). Dropping it unfinished deletes its temporary
/// files and leaves every existing file alone.
///
/// Data is laid out in `add` order (as TF's `BundleWriter` does); the index
/// is sorted at `finish`. Add in byte-wise name order to match TF's
/// `Saver` byte for byte ([`save_checkpoint`] does this for you).
pub struct CheckpointWriter {
    prefix: PathBuf,
    options: SaveOptions,
    data: TempFile,
    offset: u64,
    entries: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl CheckpointWriter {
    /// Starts a save to `prefix` with default options.
    pub fn create(prefix: impl AsRef<Path>) -> Result<CheckpointWriter> {
        Self::create_with(prefix, SaveOptions::default())
    }

    /// Starts a save to `prefix`. Creates the directory if needed.
    pub fn create_with(prefix: impl AsRef<Path>, options: SaveOptions) -> Result<CheckpointWriter> {
        let prefix = prefix.as_ref().to_path_buf();
        if prefix.file_name().is_none() {
            return Err(CheckpointError::InvalidInput {
                path: prefix,
                detail: "a checkpoint prefix must end in a file name, e.g. dir/model.ckpt".into(),
            });
        }
        let dir = parent_dir(&prefix);
        std::fs::create_dir_all(&dir)
            .map_err(|e| CheckpointError::io(&dir, "creating the directory", e))?;
        let data = TempFile::create(&data_path(&prefix, 0, 1))?;
        Ok(CheckpointWriter {
            prefix,
            options,
            data,
            offset: 0,
            entries: BTreeMap::new(),
        })
    }

    /// Writes one tensor.
    pub fn add<'a>(&mut self, name: &str, tensor: impl Into<TensorView<'a>>) -> Result<()> {
        let view: TensorView<'a> = tensor.into();
        let invalid = |detail: String| CheckpointError::InvalidInput {
            path: self.prefix.clone(),
            detail,
        };
        if name.is_empty() {
            return Err(invalid(
                "a tensor name cannot be empty (the empty key holds the bundle header)".into(),
            ));
        }
        if self.entries.contains_key(name.as_bytes()) {
            return Err(invalid(format!("tensor '{name}' is given twice")));
        }
        let (size, crc) = match view.le_bytes() {
            Some(bytes) => {
                self.data.write_all(&bytes)?;
                (bytes.len() as u64, crc32c::crc32c(&bytes))
            }
            None => {
                let TensorView::String(a) = &view else {
                    unreachable!("only strings have no fixed-size bytes")
                };
                self.write_strings(a.iter())?
            }
        };
        let dims: Vec<u64> = view.shape().iter().map(|&d| d as u64).collect();
        let proto = encode_entry(
            view.dtype().tf_enum(),
            &dims,
            0,
            self.offset,
            size,
            mask_crc(crc),
        );
        self.offset += size;
        self.entries.insert(name.as_bytes().to_vec(), proto);
        Ok(())
    }

    fn write_strings<'s>(
        &mut self,
        elems: impl Iterator<Item = &'s Vec<u8>> + Clone,
    ) -> Result<(u64, u32)> {
        let mut head = Vec::new();
        let mut crc = 0u32;
        for e in elems.clone() {
            let len = e.len() as u64;
            put_varint(&mut head, len);
            crc = match u32::try_from(len) {
                Ok(l) => crc32c::crc32c_append(crc, &l.to_le_bytes()),
                Err(_) => crc32c::crc32c_append(crc, &len.to_le_bytes()),
            };
        }
        let len_crc = mask_crc(crc).to_le_bytes();
        head.extend_from_slice(&len_crc);
        crc = crc32c::crc32c_append(crc, &len_crc);
        self.data.write_all(&head)?;
        let mut size = head.len() as u64;
        for e in elems {
            self.data.write_all(e)?;
            crc = crc32c::crc32c_append(crc, e);
            size += e.len() as u64;
        }
        Ok((size, crc))
    }

    /// Writes the index, then renames both files into place and updates the
    /// state file (if enabled).
    pub fn finish(mut self) -> Result<()> {
        self.data.seal(self.options.fsync)?;
        let mut table = TableBuilder::new();
        table.add(b"", &encode_header(1));
        for (k, v) in &self.entries {
            table.add(k, v);
        }
        let mut index = TempFile::create(&index_path(&self.prefix))?;
        index.write_all(&table.finish())?;
        index.seal(self.options.fsync)?;
        let old_index = index.target().to_path_buf();
        match std::fs::remove_file(&old_index) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(CheckpointError::io(&old_index, "removing the previous", e)),
        }
        self.data.rename()?;
        index.rename()?;
        let dir = parent_dir(&self.prefix);
        if self.options.fsync {
            sync_dir(&dir);
        }
        if self.options.update_state_file {
            update_checkpoint_state(&self.prefix, self.options.fsync)?;
        }
        Ok(())
    }
}
