//! Reading TF V2 checkpoints ("tensor bundles").

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ndarray::{ArrayD, ArrayViewD, IxDyn};

use crate::error::{closest_names, CheckpointError, Result};
use crate::mapped::Mapped;
use crate::proto::{decode_entry, decode_header, unmask_crc, Cursor, MAX_RANK};
use crate::source::TensorSource;
use crate::table::{read_table, TableError};
use crate::tensor::{data_from_bytes, view_from_bytes, Element, TensorData, TensorInfo};
use crate::DataType;

/// `P.index` for a prefix `P`.
pub fn index_path(prefix: &Path) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(".index");
    PathBuf::from(s)
}

/// `P.data-SSSSS-of-NNNNN` for a prefix `P`.
pub fn data_path(prefix: &Path, shard: u32, num_shards: u32) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(format!(".data-{shard:05}-of-{num_shards:05}"));
    PathBuf::from(s)
}

/// Where one tensor's bytes are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Loc {
    /// Index into `CheckpointReader::shards` (not the shard id itself).
    slot: usize,
    shard_id: u32,
    offset: u64,
    size: u64,
    /// Unmasked crc32c.
    crc: u32,
    sliced: bool,
}

/// The decoded, checked contents of an `.index` file.
#[derive(Debug)]
pub(crate) struct ParsedIndex {
    num_shards: u32,
    /// Distinct shard ids referenced, sorted; `Loc::slot` indexes this.
    shard_ids: Vec<u32>,
    infos: Vec<TensorInfo>,
    locs: Vec<Loc>,
}

fn table_error(path: &Path, e: TableError) -> CheckpointError {
    let path = path.to_path_buf();
    match e {
        TableError::TooShort(len) => CheckpointError::TruncatedIndex { path, len },
        TableError::BadMagic(found) => CheckpointError::BadMagic { path, found },
        TableError::BlockChecksum {
            offset,
            stored,
            computed,
        } => CheckpointError::BlockChecksum {
            path,
            offset,
            stored,
            computed,
        },
        TableError::Compressed { offset, kind } => CheckpointError::Unsupported {
            path,
            tensor: None,
            feature: format!("compressed table block (type {kind}) at offset {offset}; TF never writes these for checkpoints"),
        },
        TableError::Corrupt(detail) => CheckpointError::CorruptIndex { path, detail },
    }
}

/// Parses and checks a whole `.index` file. `path` only names it in errors.
pub(crate) fn parse_index(path: &Path, bytes: &[u8]) -> Result<ParsedIndex> {
    let table = read_table(bytes).map_err(|e| table_error(path, e))?;
    let mut it = table.into_iter();
    let header = match it.next() {
        Some((k, v)) if k.is_empty() => v,
        _ => {
            return Err(CheckpointError::CorruptIndex {
                path: path.to_path_buf(),
                detail: "no header entry (the empty key)".into(),
            })
        }
    };
    let hdr_err = |detail: String| CheckpointError::CorruptEntry {
        path: path.to_path_buf(),
        tensor: "<header>".into(),
        detail,
    };
    let h = decode_header(header).map_err(hdr_err)?;
    if h.num_shards < 1 || h.num_shards > i64::from(i32::MAX) {
        return Err(hdr_err(format!("num_shards is {}", h.num_shards)));
    }
    let num_shards = h.num_shards as u32;
    if h.endianness != 0 {
        return Err(CheckpointError::Unsupported {
            path: path.to_path_buf(),
            tensor: None,
            feature: "a big-endian checkpoint".into(),
        });
    }
    if h.min_consumer > 1 || h.bad_consumers.contains(&1) {
        return Err(CheckpointError::Unsupported {
            path: path.to_path_buf(),
            tensor: None,
            feature: format!(
                "bundle version (producer {}, min_consumer {}, bad_consumers {:?}); it was written by a newer TensorFlow",
                h.producer, h.min_consumer, h.bad_consumers
            ),
        });
    }

    let mut infos = Vec::new();
    let mut locs = Vec::new();
    let mut shard_ids: Vec<u32> = Vec::new();
    for (key, value) in it {
        let name = String::from_utf8(key).map_err(|e| CheckpointError::CorruptEntry {
            path: path.to_path_buf(),
            tensor: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            detail: "the name is not UTF-8".into(),
        })?;
        let (info, loc) = check_entry(path, &name, value, num_shards)?;
        shard_ids.push(loc.shard_id);
        infos.push(info);
        locs.push(loc);
    }
    shard_ids.sort_unstable();
    shard_ids.dedup();
    for loc in &mut locs {
        loc.slot = shard_ids.binary_search(&loc.shard_id).unwrap_or(0);
    }
    Ok(ParsedIndex {
        num_shards,
        shard_ids,
        infos,
        locs,
    })
}

fn check_entry(
    path: &Path,
    name: &str,
    value: &[u8],
    num_shards: u32,
) -> Result<(TensorInfo, Loc)> {
    let corrupt = |detail: String| CheckpointError::CorruptEntry {
        path: path.to_path_buf(),
        tensor: name.to_string(),
        detail,
    };
    let bad_shape = |detail: String| CheckpointError::BadShape {
        path: path.to_path_buf(),
        tensor: name.to_string(),
        detail,
    };
    let e = decode_entry(value).map_err(corrupt)?;
    let dtype = DataType::from_tf_enum(e.dtype).ok_or_else(|| CheckpointError::UnknownDtype {
        path: path.to_path_buf(),
        tensor: name.to_string(),
        dtype: e.dtype,
    })?;
    if e.unknown_rank {
        return Err(bad_shape("unknown rank".into()));
    }
    debug_assert!(e.dims.len() <= MAX_RANK);
    let mut shape = Vec::with_capacity(e.dims.len());
    let mut n: usize = 1;
    for &d in &e.dims {
        let d =
            usize::try_from(d).map_err(|_| bad_shape(format!("dimension {d} in {:?}", e.dims)))?;
        n = n.checked_mul(d).ok_or_else(|| {
            bad_shape(format!(
                "shape {:?} has more elements than fit in memory",
                e.dims
            ))
        })?;
        shape.push(d);
    }
    if e.shard_id < 0 || e.shard_id >= i64::from(num_shards) {
        return Err(corrupt(format!(
            "shard_id {} but the checkpoint has {num_shards} shards",
            e.shard_id
        )));
    }
    if e.offset < 0 || e.size < 0 || e.offset.checked_add(e.size).is_none() {
        return Err(corrupt(format!(
            "bad offset {} / size {}",
            e.offset, e.size
        )));
    }
    let size = e.size as u64;
    if !e.has_slices {
        match dtype.size() {
            Some(es) => {
                let want = (n as u128) * (es as u128);
                if want != u128::from(size) {
                    return Err(bad_shape(format!(
                        "shape {shape:?} of {dtype} needs {want} bytes but the entry says {size}"
                    )));
                }
            }
            None => {
                // Each string needs at least a 1-byte length, plus the 4-byte length checksum.
                if (n as u128) + 4 > u128::from(size) {
                    return Err(bad_shape(format!("{n} strings cannot fit in {size} bytes")));
                }
            }
        }
    }
    let info = TensorInfo {
        name: name.to_string(),
        dtype,
        shape,
        size_bytes: size,
    };
    let loc = Loc {
        slot: 0,
        shard_id: e.shard_id as u32,
        offset: e.offset as u64,
        size,
        crc: unmask_crc(e.crc32c),
        sliced: e.has_slices,
    };
    Ok((info, loc))
}

/// Decodes a string tensor's stored bytes (`n` elements). Returns the
/// elements and the crc32c TF computes over them (compare it with the entry's).
pub(crate) fn decode_strings(
    n: usize,
    bytes: &[u8],
) -> std::result::Result<(Vec<Vec<u8>>, u32), String> {
    if n > bytes.len() {
        return Err(format!("{n} strings cannot fit in {} bytes", bytes.len()));
    }
    let mut c = Cursor::new(bytes);
    let mut lens = Vec::with_capacity(n);
    let mut crc = 0u32;
    let mut total: u64 = 0;
    for i in 0..n {
        let len = c
            .varint64()
            .map_err(|e| format!("length of string {i}: {e}"))?;
        crc = match u32::try_from(len) {
            Ok(l) => crc32c::crc32c_append(crc, &l.to_le_bytes()),
            Err(_) => crc32c::crc32c_append(crc, &len.to_le_bytes()),
        };
        total = total
            .checked_add(len)
            .ok_or_else(|| "string lengths overflow".to_string())?;
        lens.push(len);
    }
    let stored_len_crc = c.fixed32().map_err(|e| format!("length checksum: {e}"))?;
    if unmask_crc(stored_len_crc) != crc {
        return Err(format!(
            "checksum of the string lengths does not match (stored {:#010x}, computed {crc:#010x})",
            unmask_crc(stored_len_crc)
        ));
    }
    crc = crc32c::crc32c_append(crc, &stored_len_crc.to_le_bytes());
    if total != c.remaining() as u64 {
        return Err(format!(
            "string lengths add up to {total} bytes but {} bytes follow",
            c.remaining()
        ));
    }
    let rest = c.bytes(total)?;
    crc = crc32c::crc32c_append(crc, rest);
    let mut out = Vec::with_capacity(n);
    let mut at = 0usize;
    for len in lens {
        out.push(rest[at..at + len as usize].to_vec());
        at += len as usize;
    }
    Ok((out, crc))
}

/// A TF V2 checkpoint opened for reading.
///
/// Opening reads and checks the whole `.index` (every block checksum,
/// every entry); data files are memory-mapped on first use, so a missing
/// shard only fails the tensors stored in it. Every read verifies the
/// tensor's crc32c. The reader is `Send + Sync`: share it between threads.
pub struct CheckpointReader {
    prefix: PathBuf,
    index: ParsedIndex,
    shards: Vec<OnceLock<Mapped>>,
}

impl std::fmt::Debug for CheckpointReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckpointReader")
            .field("prefix", &self.prefix)
            .field("num_shards", &self.index.num_shards)
            .field("tensors", &self.index.infos.len())
            .finish()
    }
}

impl CheckpointReader {
    /// Opens a checkpoint given its prefix (`dir/model.ckpt`), its `.index`
    /// or a `.data-*` file, or a directory whose `checkpoint` state file
    /// names the latest save (like `tf.train.latest_checkpoint`).
    pub fn open(path: impl AsRef<Path>) -> Result<CheckpointReader> {
        let prefix = resolve_prefix(path.as_ref())?;
        Self::open_prefix(prefix)
    }

    fn open_prefix(prefix: PathBuf) -> Result<CheckpointReader> {
        let ipath = index_path(&prefix);
        let bytes = std::fs::read(&ipath).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CheckpointError::NotFound {
                path: ipath.clone(),
                tensor: None,
                hint: "a checkpoint prefix P needs P.index; pass the prefix (dir/model.ckpt) or a directory with a `checkpoint` state file".into(),
            },
            _ => CheckpointError::io(&ipath, "reading", e),
        })?;
        let index = parse_index(&ipath, &bytes)?;
        let shards = index.shard_ids.iter().map(|_| OnceLock::new()).collect();
        Ok(CheckpointReader {
            prefix,
            index,
            shards,
        })
    }

    /// The checkpoint prefix (`dir/model.ckpt`).
    pub fn prefix(&self) -> &Path {
        &self.prefix
    }

    /// The number of `.data` files.
    pub fn num_shards(&self) -> u32 {
        self.index.num_shards
    }

    /// Every tensor, in the index's (byte-wise sorted) order. Reads no data.
    pub fn entries(&self) -> &[TensorInfo] {
        &self.index.infos
    }

    /// Whether a tensor of that name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.index
            .infos
            .binary_search_by(|i| i.name.as_bytes().cmp(name.as_bytes()))
            .ok()
    }

    fn find(&self, name: &str) -> Result<usize> {
        self.position(name)
            .ok_or_else(|| CheckpointError::TensorNotFound {
                path: self.prefix.clone(),
                tensor: name.to_string(),
                suggestions: closest_names(name, self.index.infos.iter().map(|i| i.name.as_str())),
            })
    }

    /// Name, dtype and shape of one tensor.
    pub fn info(&self, name: &str) -> Result<&TensorInfo> {
        Ok(&self.index.infos[self.find(name)?])
    }

    fn shard(&self, loc: &Loc, tensor: &str) -> Result<(&[u8], PathBuf)> {
        let path = data_path(&self.prefix, loc.shard_id, self.index.num_shards);
        let cell = &self.shards[loc.slot];
        if let Some(m) = cell.get() {
            return Ok((m.bytes(), path));
        }
        let m = Mapped::open(&path, Some(tensor))?;
        let _ = cell.set(m);
        Ok((cell.get().map(Mapped::bytes).unwrap_or(&[]), path))
    }

    /// The stored bytes of a tensor, bounds-checked, with the data file's path.
    fn stored(&self, i: usize) -> Result<(&TensorInfo, &Loc, &[u8], PathBuf)> {
        let info = &self.index.infos[i];
        let loc = &self.index.locs[i];
        if loc.sliced {
            return Err(CheckpointError::Unsupported {
                path: index_path(&self.prefix),
                tensor: Some(info.name.clone()),
                feature: "a partitioned (sliced) variable".into(),
            });
        }
        let (data, path) = self.shard(loc, &info.name)?;
        let end = loc.offset + loc.size; // no overflow: checked at open
        if end > data.len() as u64 {
            return Err(CheckpointError::DataOutOfRange {
                path,
                tensor: info.name.clone(),
                offset: loc.offset,
                end: u128::from(end),
                file_len: data.len() as u64,
            });
        }
        Ok((info, loc, &data[loc.offset as usize..end as usize], path))
    }

    /// The verified bytes of a fixed-size tensor.
    fn checked_bytes(&self, i: usize) -> Result<(&TensorInfo, &[u8], u64, PathBuf)> {
        let (info, loc, bytes, path) = self.stored(i)?;
        if info.dtype == DataType::String {
            return Ok((info, bytes, loc.offset, path));
        }
        let computed = crc32c::crc32c(bytes);
        verify_crc(&path, info, loc.crc, computed)?;
        Ok((info, bytes, loc.offset, path))
    }

    /// Reads a tensor into a fresh array, verifying its crc32c.
    pub fn read(&self, name: &str) -> Result<TensorData> {
        let i = self.find(name)?;
        let (info, loc, bytes, path) = self.stored(i)?;
        if info.dtype != DataType::String {
            // Checksum and copy in one pass over the mapped bytes.
            let (data, computed) = data_from_bytes(info.dtype, &info.shape, bytes, true)
                .ok_or_else(|| CheckpointError::BadShape {
                    path: path.clone(),
                    tensor: info.name.clone(),
                    detail: format!("bytes are not valid {} values", info.dtype),
                })?;
            verify_crc(&path, info, loc.crc, computed)?;
            return Ok(data);
        }
        let n = info.num_elements();
        let (elems, crc) =
            decode_strings(n, bytes).map_err(|detail| CheckpointError::CorruptEntry {
                path: path.clone(),
                tensor: info.name.clone(),
                detail,
            })?;
        verify_crc(&path, info, loc.crc, crc)?;
        let a = ArrayD::from_shape_vec(IxDyn(&info.shape), elems).map_err(|e| {
            CheckpointError::BadShape {
                path,
                tensor: info.name.clone(),
                detail: e.to_string(),
            }
        })?;
        Ok(TensorData::String(a))
    }

    /// Reads a tensor as an array of `T`, failing with
    /// [`CheckpointError::DtypeMismatch`] if it is stored as another dtype.
    pub fn read_as<T: Element>(&self, name: &str) -> Result<ArrayD<T>> {
        (self as &dyn TensorSource).read_as(name)
    }

    /// A zero-copy view of a tensor straight over the memory-mapped data
    /// file, after verifying its crc32c.
    ///
    /// TF stores tensors back to back without padding, so a tensor may
    /// start at an offset that is not a multiple of `T`'s alignment (for
    /// example an `f32` after a 3-byte `bool` tensor): then this returns
    /// [`CheckpointError::Misaligned`] and [`read`](Self::read) (which copies)
    /// is the fallback. Checkpoints whose tensors all share one dtype, like
    /// most model weights, are always aligned.
    pub fn view<T: Element>(&self, name: &str) -> Result<ArrayViewD<'_, T>> {
        let i = self.find(name)?;
        CheckpointError::check_dtype(&self.prefix, &self.index.infos[i], T::DTYPE)?;
        let (info, bytes, offset, path) = self.checked_bytes(i)?;
        view_or_error(info, bytes, offset, path)
    }

    /// The verified stored bytes of a fixed-size tensor (little-endian,
    /// row-major), borrowed from the mapped file.
    pub fn raw_bytes(&self, name: &str) -> Result<(&TensorInfo, &[u8])> {
        let i = self.find(name)?;
        let (info, bytes, _, path) = self.checked_bytes(i)?;
        if info.dtype == DataType::String {
            return Err(CheckpointError::UnsupportedDtype {
                path,
                tensor: info.name.clone(),
                dtype: info.dtype,
                what: "string tensors have no fixed-size byte layout; use `read`".into(),
            });
        }
        Ok((info, bytes))
    }
}

pub(crate) fn view_or_error<'a, T: Element>(
    info: &TensorInfo,
    bytes: &'a [u8],
    offset: u64,
    path: PathBuf,
) -> Result<ArrayViewD<'a, T>> {
    if bytes.as_ptr().align_offset(std::mem::align_of::<T>()) != 0 {
        return Err(CheckpointError::Misaligned {
            path,
            tensor: info.name.clone(),
            dtype: info.dtype,
            offset,
            align: std::mem::align_of::<T>(),
        });
    }
    view_from_bytes::<T>(&info.shape, bytes).ok_or_else(|| CheckpointError::BadShape {
        path,
        tensor: info.name.clone(),
        detail: format!("bytes are not valid {} values", info.dtype),
    })
}

/// Turns what the user passed into a checkpoint prefix.
pub(crate) fn resolve_prefix(path: &Path) -> Result<PathBuf> {
    if path.is_dir() {
        if path.join(crate::state::STATE_FILE_NAME).is_file() {
            return crate::state::latest_checkpoint(path);
        }
        // No state file: accept a directory holding exactly one checkpoint.
        let mut found = Vec::new();
        if let Ok(rd) = std::fs::read_dir(path) {
            for e in rd.flatten() {
                let p = e.path();
                if let Some(name) = p.file_name().and_then(|n| n.to_str()) {
                    if let Some(stem) = name.strip_suffix(".index") {
                        if !name.starts_with('.') {
                            found.push(path.join(stem));
                        }
                    }
                }
            }
        }
        return match found.len() {
            1 => Ok(found.pop().unwrap_or_default()),
            0 => Err(CheckpointError::NotACheckpoint {
                path: path.to_path_buf(),
                reason: "the directory has no `checkpoint` state file and no .index file".into(),
            }),
            _ => {
                found.sort();
                let names: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
                Err(CheckpointError::NotACheckpoint {
                    path: path.to_path_buf(),
                    reason: format!(
                        "no `checkpoint` state file and several checkpoints; pass one prefix: {}",
                        names.join(", ")
                    ),
                })
            }
        };
    }
    let s = path.to_string_lossy();
    if let Some(p) = s.strip_suffix(".index") {
        return Ok(PathBuf::from(p));
    }
    if let Some(pos) = s.rfind(".data-") {
        let tail = &s[pos + 6..];
        let b = tail.as_bytes();
        if b.len() == 14
            && &tail[5..9] == "-of-"
            && b[..5].iter().chain(&b[9..]).all(u8::is_ascii_digit)
        {
            return Ok(PathBuf::from(&s[..pos]));
        }
    }
    Ok(path.to_path_buf())
}

impl ParsedIndex {
    pub(crate) fn num_tensors(&self) -> usize {
        self.infos.len()
    }
}

/// `DataChecksum` unless the crc32c computed over a tensor's bytes is the
/// one its index entry stores.
fn verify_crc(path: &Path, info: &TensorInfo, stored: u32, computed: u32) -> Result<()> {
    if computed == stored {
        return Ok(());
    }
    Err(CheckpointError::DataChecksum {
        path: path.to_path_buf(),
        tensor: info.name.clone(),
        stored,
        computed,
    })
}
