//! Writing TF V2 checkpoints, byte-identical to TF's `Saver`: one shard
//! or several (as `Saver(sharded=True)` with variables on several devices),
//! and partitioned variables as slices.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::atomic::{sync_dir, TempFile};
use crate::error::{CheckpointError, Result};
use crate::paths::{data_path, index_path, parent_dir};
use crate::proto::{encode_entry, encode_full_entry, encode_header, mask_crc, put_varint};
use crate::slice::{encode_key, encode_slice_proto, TensorSlice};
use crate::state::update_checkpoint_state;
use crate::table::TableBuilder;
use crate::tensor::TensorView;
use crate::DataType;

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
    let mut w = CheckpointWriter::create_with(prefix, options)?;
    for (name, view) in &list {
        w.add(name, view)?;
    }
    w.finish()
}

/// Saves named tensors into `num_shards` data files, each tensor in the
/// shard given with it, byte-identical to TF's `Saver(sharded=True)` when
/// shard `k` holds what TF's `k`-th device (in sorted device order) holds.
/// Tensors are written in byte-wise name order within each shard.
pub fn save_checkpoint_sharded<'a, I, N, V>(
    prefix: impl AsRef<Path>,
    num_shards: usize,
    tensors: I,
) -> Result<()>
where
    I: IntoIterator<Item = (N, usize, V)>,
    N: AsRef<str>,
    V: Into<TensorView<'a>>,
{
    save_checkpoint_sharded_with(prefix, num_shards, tensors, &SaveOptions::default())
}

/// [`save_checkpoint_sharded`] with options.
pub fn save_checkpoint_sharded_with<'a, I, N, V>(
    prefix: impl AsRef<Path>,
    num_shards: usize,
    tensors: I,
    options: &SaveOptions,
) -> Result<()>
where
    I: IntoIterator<Item = (N, usize, V)>,
    N: AsRef<str>,
    V: Into<TensorView<'a>>,
{
    let mut list: Vec<(String, usize, TensorView<'a>)> = tensors
        .into_iter()
        .map(|(n, k, v)| (n.as_ref().to_string(), k, v.into()))
        .collect();
    list.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut w = CheckpointWriter::create_sharded_with(prefix, num_shards, options)?;
    for (name, shard, view) in &list {
        w.add_to_shard(*shard, name, view)?;
    }
    w.finish()
}

/// Spreads tensors of the given byte sizes over `num_shards` shards so the
/// shards' totals are as even as a greedy pass can make them (largest
/// first, each onto the currently smallest shard; ties to the lower shard).
/// Returns each tensor's shard, in input order.
pub fn balance_shards(sizes: &[u64], num_shards: usize) -> Vec<usize> {
    let n = num_shards.max(1);
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut load = vec![0u64; n];
    let mut out = vec![0; sizes.len()];
    for i in order {
        let k = (0..n).min_by_key(|&k| (load[k], k)).unwrap_or(0);
        load[k] += sizes[i];
        out[i] = k;
    }
    out
}

/// A streaming checkpoint writer: [`add`](Self::add) tensors one at a time
/// (each is written to its data file at once, nothing is buffered), then
/// [`finish`](Self::finish). Dropping it unfinished deletes its temporary
/// files and leaves every existing file alone.
///
/// Data is laid out in `add` order within each shard (as TF's
/// `BundleWriter` does); the index is sorted at `finish`. To match TF's
/// `Saver` byte for byte, add in byte-wise name order, a partitioned
/// variable's slices at its name's place in partition order
/// ([`save_checkpoint`] does this for you).
///
/// With [`create_sharded`](Self::create_sharded) the files are those of
/// `Saver(sharded=True)` whose devices hold the tensors given to each shard:
/// shard `k` is the `k`-th device in TF's (sorted) device order.
pub struct CheckpointWriter {
    prefix: PathBuf,
    options: SaveOptions,
    data: Vec<TempFile>,
    offsets: Vec<u64>,
    entries: BTreeMap<Vec<u8>, Vec<u8>>,
    partitioned: BTreeMap<String, Partitioned>,
}

/// A partitioned variable being written: its full entry's contents.
struct Partitioned {
    dtype: DataType,
    shape: Vec<usize>,
    /// (shard, slice), in add order.
    slices: Vec<(usize, TensorSlice)>,
}

impl CheckpointWriter {
    /// Starts a single-shard save to `prefix`. Creates the directory if needed.
    pub fn create(prefix: impl AsRef<Path>) -> Result<CheckpointWriter> {
        Self::create_with(prefix, &SaveOptions::default())
    }

    /// [`create`](Self::create) with options.
    pub fn create_with(
        prefix: impl AsRef<Path>,
        options: &SaveOptions,
    ) -> Result<CheckpointWriter> {
        Self::create_sharded_with(prefix, 1, options)
    }

    /// Starts a save of `num_shards` data files (`P.data-0000k-of-NNNNN`);
    /// put each tensor in its shard with [`add_to_shard`](Self::add_to_shard).
    pub fn create_sharded(prefix: impl AsRef<Path>, num_shards: usize) -> Result<CheckpointWriter> {
        Self::create_sharded_with(prefix, num_shards, &SaveOptions::default())
    }

    /// [`create_sharded`](Self::create_sharded) with options.
    pub fn create_sharded_with(
        prefix: impl AsRef<Path>,
        num_shards: usize,
        options: &SaveOptions,
    ) -> Result<CheckpointWriter> {
        let prefix = prefix.as_ref().to_path_buf();
        if prefix.file_name().is_none() {
            return Err(CheckpointError::InvalidInput {
                path: prefix,
                detail: "a checkpoint prefix must end in a file name, e.g. dir/model.ckpt".into(),
            });
        }
        if num_shards == 0 || num_shards > 99_999 {
            return Err(CheckpointError::InvalidInput {
                path: prefix,
                detail: format!("{num_shards} shards: a checkpoint has 1 to 99999 data files"),
            });
        }
        let dir = parent_dir(&prefix);
        std::fs::create_dir_all(&dir)
            .map_err(|e| CheckpointError::io(&dir, "creating the directory", e))?;
        let n = num_shards as u32;
        let data = (0..n)
            .map(|k| TempFile::create(&data_path(&prefix, k, n)))
            .collect::<Result<Vec<_>>>()?;
        Ok(CheckpointWriter {
            prefix,
            options: options.clone(),
            data,
            offsets: vec![0; num_shards],
            entries: BTreeMap::new(),
            partitioned: BTreeMap::new(),
        })
    }

    /// The number of data files this save writes.
    pub fn num_shards(&self) -> usize {
        self.data.len()
    }

    fn invalid(&self, detail: String) -> CheckpointError {
        CheckpointError::InvalidInput {
            path: self.prefix.clone(),
            detail,
        }
    }

    /// Writes one tensor into shard 0.
    pub fn add<'a>(&mut self, name: &str, tensor: impl Into<TensorView<'a>>) -> Result<()> {
        self.add_to_shard(0, name, tensor)
    }

    /// Writes one tensor into data file `shard`.
    pub fn add_to_shard<'a>(
        &mut self,
        shard: usize,
        name: &str,
        tensor: impl Into<TensorView<'a>>,
    ) -> Result<()> {
        self.check_name(name)?;
        if self.entries.contains_key(name.as_bytes()) || self.partitioned.contains_key(name) {
            return Err(self.invalid(format!("tensor '{name}' is given twice")));
        }
        let proto = self.write_data(shard, &tensor.into())?;
        self.entries.insert(name.as_bytes().to_vec(), proto);
        Ok(())
    }

    /// Writes one slice of a partitioned variable `name` of shape
    /// `full_shape` into data file `shard`, as TF's `BundleWriter::AddSlice`
    /// does: an entry under TF's binary slice key holds the data, and the
    /// full entry under `name` lists the slices. A slice that is the whole
    /// tensor is written as a plain tensor, as TF does. Slices must not
    /// overlap; every slice of one variable must have the same dtype.
    pub fn add_slice<'a>(
        &mut self,
        shard: usize,
        name: &str,
        full_shape: &[usize],
        slice: &TensorSlice,
        tensor: impl Into<TensorView<'a>>,
    ) -> Result<()> {
        let view: TensorView<'a> = tensor.into();
        if slice.is_full(full_shape) {
            return self.add_to_shard(shard, name, view);
        }
        self.check_name(name)?;
        if self.entries.contains_key(name.as_bytes()) {
            return Err(self.invalid(format!("tensor '{name}' is given whole and as a slice")));
        }
        if full_shape.is_empty() {
            return Err(self.invalid(format!("tensor '{name}' is a scalar and cannot be sliced")));
        }
        let raw = slice.raw();
        if let Err(e) = TensorSlice::resolve(&raw, full_shape) {
            return Err(self.invalid(format!("slice of tensor '{name}': {e}")));
        }
        if view.shape() != slice.shape() {
            return Err(self.invalid(format!(
                "slice {} of tensor '{name}' has shape {:?} but the tensor given has {:?}",
                slice.spec(full_shape),
                slice.shape(),
                view.shape()
            )));
        }
        if let Some(p) = self.partitioned.get(name) {
            if p.dtype != view.dtype() || p.shape != full_shape {
                return Err(self.invalid(format!(
                    "slices of tensor '{name}' disagree: {} {:?} before, {} {:?} now",
                    p.dtype,
                    p.shape,
                    view.dtype(),
                    full_shape
                )));
            }
            if let Some((_, o)) = p.slices.iter().find(|(_, o)| o.overlaps(slice)) {
                return Err(self.invalid(format!(
                    "slice {} of tensor '{name}' overlaps slice {}",
                    slice.spec(full_shape),
                    o.spec(full_shape)
                )));
            }
        }
        let key = encode_key(name, &raw);
        let proto = self.write_data(shard, &view)?;
        self.entries.insert(key, proto);
        self.partitioned
            .entry(name.to_string())
            .or_insert_with(|| Partitioned {
                dtype: view.dtype(),
                shape: full_shape.to_vec(),
                slices: Vec::new(),
            })
            .slices
            .push((shard, slice.clone()));
        Ok(())
    }

    fn check_name(&self, name: &str) -> Result<()> {
        if name.is_empty() {
            return Err(self.invalid(
                "a tensor name cannot be empty (the empty key holds the bundle header)".into(),
            ));
        }
        if name.as_bytes()[0] == 0 {
            return Err(self.invalid(
                "a tensor name cannot start with a NUL byte (that marks TF's slice keys)".into(),
            ));
        }
        Ok(())
    }

    /// Appends a tensor's bytes to shard `shard`; returns its entry.
    fn write_data(&mut self, shard: usize, view: &TensorView<'_>) -> Result<Vec<u8>> {
        if shard >= self.data.len() {
            return Err(self.invalid(format!(
                "shard {shard} but this save has {} shards",
                self.data.len()
            )));
        }
        let (size, crc) = match view.le_bytes() {
            Some(bytes) => {
                self.data[shard].write_all(&bytes)?;
                (bytes.len() as u64, crc32c::crc32c(&bytes))
            }
            None => {
                let TensorView::String(a) = view else {
                    unreachable!("only strings have no fixed-size bytes")
                };
                write_strings(&mut self.data[shard], a.iter())?
            }
        };
        let dims: Vec<u64> = view.shape().iter().map(|&d| d as u64).collect();
        let proto = encode_entry(
            view.dtype().tf_enum(),
            &dims,
            shard as u32,
            self.offsets[shard],
            size,
            mask_crc(crc),
        );
        self.offsets[shard] += size;
        Ok(proto)
    }

    /// Writes the index, then renames the files into place and updates the
    /// state file (if enabled).
    pub fn finish(mut self) -> Result<()> {
        for d in &mut self.data {
            d.seal(self.options.fsync)?;
        }
        // Full entries of partitioned variables: the slices in shard order,
        // each shard's in add order (what MergeV2Checkpoints makes of the
        // per-device bundles).
        for (name, p) in std::mem::take(&mut self.partitioned) {
            let mut slices = p.slices;
            slices.sort_by_key(|(shard, _)| *shard);
            let protos: Vec<Vec<u8>> = slices
                .iter()
                .map(|(_, s)| encode_slice_proto(&s.raw()))
                .collect();
            let dims: Vec<u64> = p.shape.iter().map(|&d| d as u64).collect();
            let first = slices.first().map_or(0, |(k, _)| *k as u32);
            self.entries.insert(
                name.into_bytes(),
                encode_full_entry(p.dtype.tf_enum(), &dims, first, &protos),
            );
        }
        let mut table = TableBuilder::new();
        table.add(b"", &encode_header(self.data.len() as u32));
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
        for d in std::mem::take(&mut self.data) {
            d.rename()?;
        }
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

fn write_strings<'s>(
    out: &mut TempFile,
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
    out.write_all(&head)?;
    let mut size = head.len() as u64;
    for e in elems {
        out.write_all(e)?;
        crc = crc32c::crc32c_append(crc, e);
        size += e.len() as u64;
    }
    Ok((size, crc))
}
