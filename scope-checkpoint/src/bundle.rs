//! Reading TF V2 checkpoints ("tensor bundles"), including partitioned
//! variables stored as slices (possibly spread over several data shards).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ndarray::{ArrayD, ArrayViewD, IxDyn};

use crate::error::{closest_names, CheckpointError, Result};
use crate::mapped::Mapped;
use crate::paths::{data_path, index_path, Resolution};
use crate::proto::{decode_entry, decode_header, unmask_crc, Cursor, RawEntry, MAX_RANK};
use crate::slice::{
    decode_key, decode_slice_proto, for_each_run, key_name_lossy, SliceError, TensorSlice,
};
use crate::source::TensorSource;
use crate::table::{read_table, TableError};
use crate::tensor::{
    check_out_len, crc32c_append_copy, data_from_bytes, typed, view_or_error, zeroed_data, Element,
    TensorData, TensorInfo, RELEASE_EVERY,
};
use crate::DataType;

/// Where one stored byte range (a whole tensor or one slice) is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stored {
    /// Index into `CheckpointReader::shards` (not the shard id itself).
    slot: usize,
    shard_id: u32,
    offset: u64,
    size: u64,
    /// Unmasked crc32c.
    crc: u32,
}

/// One slice of a partitioned variable and where its bytes are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Part {
    slice: TensorSlice,
    stored: Stored,
}

/// Where a tensor's bytes are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Loc {
    Whole(Stored),
    /// A partitioned variable: its slices in the order the full entry lists
    /// them, and how many of the tensor's elements they cover.
    Sliced {
        parts: Vec<Part>,
        covered: usize,
    },
}

/// The decoded, checked contents of an `.index` file.
#[derive(Debug)]
pub(crate) struct ParsedIndex {
    num_shards: u32,
    /// Distinct shard ids referenced, sorted; `Stored::slot` indexes this.
    shard_ids: Vec<u32>,
    infos: Vec<TensorInfo>,
    locs: Vec<Loc>,
}

/// Most slices accepted for one variable (the overlap check is quadratic).
const MAX_SLICES: usize = 10_000;

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

/// A slice entry seen before its full entry (slice keys start with 0x00,
/// so they sort before every name).
struct PendingSlice {
    raw: Vec<crate::slice::RawExtent>,
    entry: RawEntry,
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

    let bad_slice = |tensor: String, source: SliceError| CheckpointError::BadSlice {
        path: path.to_path_buf(),
        tensor,
        source,
    };
    let mut infos = Vec::new();
    let mut locs = Vec::new();
    let mut pending: BTreeMap<String, Vec<PendingSlice>> = BTreeMap::new();
    for (key, value) in it {
        if key.first() == Some(&0) {
            let (name, raw) = decode_key(&key).map_err(|e| bad_slice(key_name_lossy(&key), e))?;
            let entry = decode_entry(value).map_err(|detail| CheckpointError::CorruptEntry {
                path: path.to_path_buf(),
                tensor: format!("{name} (slice {})", crate::slice::raw_spec(&raw)),
                detail,
            })?;
            pending
                .entry(name)
                .or_default()
                .push(PendingSlice { raw, entry });
            continue;
        }
        let name = String::from_utf8(key).map_err(|e| CheckpointError::CorruptEntry {
            path: path.to_path_buf(),
            tensor: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            detail: "the name is not UTF-8".into(),
        })?;
        let e = decode_entry(value).map_err(|detail| CheckpointError::CorruptEntry {
            path: path.to_path_buf(),
            tensor: name.clone(),
            detail,
        })?;
        let (info, loc) = if e.slices.is_empty() {
            let (info, stored) = check_entry(path, &name, &e, num_shards)?;
            (info, Loc::Whole(stored))
        } else {
            let slices = pending.remove(&name).unwrap_or_default();
            check_sliced(path, &name, &e, slices, num_shards)?
        };
        infos.push(info);
        locs.push(loc);
    }
    if let Some((name, slices)) = pending.into_iter().next() {
        let spec = crate::slice::raw_spec(&slices[0].raw);
        return Err(bad_slice(name, SliceError::Orphan(spec)));
    }
    let mut shard_ids: Vec<u32> = Vec::new();
    for loc in &locs {
        match loc {
            Loc::Whole(s) => shard_ids.push(s.shard_id),
            Loc::Sliced { parts, .. } => shard_ids.extend(parts.iter().map(|p| p.stored.shard_id)),
        }
    }
    shard_ids.sort_unstable();
    shard_ids.dedup();
    let slot = |s: &mut Stored| s.slot = shard_ids.binary_search(&s.shard_id).unwrap_or(0);
    for loc in &mut locs {
        match loc {
            Loc::Whole(s) => slot(s),
            Loc::Sliced { parts, .. } => parts.iter_mut().for_each(|p| slot(&mut p.stored)),
        }
    }
    Ok(ParsedIndex {
        num_shards,
        shard_ids,
        infos,
        locs,
    })
}

/// Checks a decoded shape: non-negative dims whose product fits in memory.
fn check_shape(path: &Path, name: &str, e: &RawEntry) -> Result<(Vec<usize>, usize)> {
    let bad_shape = |detail: String| CheckpointError::BadShape {
        path: path.to_path_buf(),
        tensor: name.to_string(),
        detail,
    };
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
    Ok((shape, n))
}

fn dtype_of(path: &Path, name: &str, e: &RawEntry) -> Result<DataType> {
    DataType::from_tf_enum(e.dtype).ok_or_else(|| CheckpointError::UnknownDtype {
        path: path.to_path_buf(),
        tensor: name.to_string(),
        dtype: e.dtype,
    })
}

/// Checks an entry that stores bytes (a whole tensor or one slice).
fn check_entry(
    path: &Path,
    name: &str,
    e: &RawEntry,
    num_shards: u32,
) -> Result<(TensorInfo, Stored)> {
    let corrupt = |detail: String| CheckpointError::CorruptEntry {
        path: path.to_path_buf(),
        tensor: name.to_string(),
        detail,
    };
    let dtype = dtype_of(path, name, e)?;
    let (shape, n) = check_shape(path, name, e)?;
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
    let bad_shape = |detail: String| CheckpointError::BadShape {
        path: path.to_path_buf(),
        tensor: name.to_string(),
        detail,
    };
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
    let info = TensorInfo {
        name: name.to_string(),
        dtype,
        shape,
        size_bytes: size,
    };
    let stored = Stored {
        slot: 0,
        shard_id: e.shard_id as u32,
        offset: e.offset as u64,
        size,
        crc: unmask_crc(e.crc32c),
    };
    Ok((info, stored))
}

/// Checks a partitioned variable's full entry against its slice entries.
fn check_sliced(
    path: &Path,
    name: &str,
    e: &RawEntry,
    pending: Vec<PendingSlice>,
    num_shards: u32,
) -> Result<(TensorInfo, Loc)> {
    let bad = |source: SliceError| CheckpointError::BadSlice {
        path: path.to_path_buf(),
        tensor: name.to_string(),
        source,
    };
    let dtype = dtype_of(path, name, e)?;
    let (shape, n) = check_shape(path, name, e)?;
    if shape.is_empty() {
        return Err(bad(SliceError::Scalar));
    }
    if e.slices.len() > MAX_SLICES {
        return Err(CheckpointError::Unsupported {
            path: path.to_path_buf(),
            tensor: Some(name.to_string()),
            feature: format!(
                "a partitioned variable of {} slices (at most {MAX_SLICES} are read)",
                e.slices.len()
            ),
        });
    }
    let mut listed: Vec<TensorSlice> = Vec::with_capacity(e.slices.len());
    for proto in &e.slices {
        let raw = decode_slice_proto(proto).map_err(bad)?;
        let s = TensorSlice::resolve(&raw, &shape).map_err(bad)?;
        if listed.contains(&s) {
            return Err(bad(SliceError::Duplicate(s.spec(&shape))));
        }
        if let Some(o) = listed.iter().find(|o| o.overlaps(&s)) {
            return Err(bad(SliceError::Overlap(s.spec(&shape), o.spec(&shape))));
        }
        listed.push(s);
    }
    let mut stored: Vec<Option<Stored>> = vec![None; listed.len()];
    for p in pending {
        let s = TensorSlice::resolve(&p.raw, &shape).map_err(bad)?;
        let spec = s.spec(&shape);
        let Some(k) = listed.iter().position(|l| *l == s) else {
            return Err(bad(SliceError::Unlisted(spec)));
        };
        let what = |what: String| {
            bad(SliceError::Entry {
                spec: spec.clone(),
                what,
            })
        };
        if !p.entry.slices.is_empty() {
            return Err(what("slices of its own".into()));
        }
        let label = format!("{name} (slice {spec})");
        let (info, st) = check_entry(path, &label, &p.entry, num_shards)?;
        if info.dtype != dtype {
            return Err(what(format!(
                "dtype {}, the full entry {dtype}",
                info.dtype
            )));
        }
        if info.shape != s.length {
            return Err(what(format!(
                "shape {:?}, the spec says {:?}",
                info.shape, s.length
            )));
        }
        if stored[k].replace(st).is_some() {
            return Err(bad(SliceError::Duplicate(spec)));
        }
    }
    let mut parts = Vec::with_capacity(listed.len());
    for (slice, st) in listed.into_iter().zip(stored) {
        let Some(stored) = st else {
            return Err(bad(SliceError::Missing(slice.spec(&shape))));
        };
        parts.push(Part { slice, stored });
    }
    let covered = parts.iter().map(|p| p.slice.num_elements()).sum::<usize>();
    debug_assert!(covered <= n, "disjoint slices inside the shape");
    let size_bytes = parts.iter().map(|p| p.stored.size).sum();
    let info = TensorInfo {
        name: name.to_string(),
        dtype,
        shape,
        size_bytes,
    };
    Ok((info, Loc::Sliced { parts, covered }))
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
/// every entry, every slice key of a partitioned variable); data files are
/// memory-mapped on first use, so a missing shard only fails the tensors
/// stored in it. Every read verifies the tensor's (or each slice's) crc32c.
/// Partitioned variables read as full tensors; [`slices`](Self::slices)
/// and [`read_slice`](Self::read_slice) give the parts. The reader is
/// `Send + Sync`: share it between threads.
pub struct CheckpointReader {
    prefix: PathBuf,
    index: ParsedIndex,
    shards: Vec<OnceLock<Mapped>>,
    resolution: Option<Resolution>,
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
    /// names the latest save (like `tf.train.latest_checkpoint`, but a
    /// moved directory still opens: see [`resolution`](Self::resolution)).
    pub fn open(path: impl AsRef<Path>) -> Result<CheckpointReader> {
        let located = crate::state::resolve_prefix(path.as_ref())?;
        let mut r = Self::open_prefix(located.prefix)?;
        r.resolution = located.resolution;
        Ok(r)
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
            resolution: None,
        })
    }

    /// The checkpoint prefix (`dir/model.ckpt`).
    pub fn prefix(&self) -> &Path {
        &self.prefix
    }

    /// Set when a directory was opened whose state file names a prefix that
    /// does not exist, and the prefix of the same file name in that
    /// directory was used instead.
    pub fn resolution(&self) -> Option<&Resolution> {
        self.resolution.as_ref()
    }

    /// The number of `.data` files.
    pub fn num_shards(&self) -> u32 {
        self.index.num_shards
    }

    /// Every tensor, in the index's (byte-wise sorted) order. Reads no data.
    /// A partitioned variable is one entry with its full shape.
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

    /// The slices of a partitioned variable, in the order its entry lists
    /// them; empty for a tensor stored whole.
    pub fn slices(&self, name: &str) -> Result<Vec<TensorSlice>> {
        Ok(match &self.index.locs[self.find(name)?] {
            Loc::Whole(_) => Vec::new(),
            Loc::Sliced { parts, .. } => parts.iter().map(|p| p.slice.clone()).collect(),
        })
    }

    /// The shard id (data file number) of each slice of a partitioned
    /// variable, parallel to [`slices`](Self::slices); one id for a tensor
    /// stored whole.
    pub fn shard_ids(&self, name: &str) -> Result<Vec<u32>> {
        Ok(match &self.index.locs[self.find(name)?] {
            Loc::Whole(s) => vec![s.shard_id],
            Loc::Sliced { parts, .. } => parts.iter().map(|p| p.stored.shard_id).collect(),
        })
    }

    fn shard(&self, st: &Stored, tensor: &str) -> Result<(&Mapped, PathBuf)> {
        let path = data_path(&self.prefix, st.shard_id, self.index.num_shards);
        let cell = &self.shards[st.slot];
        if let Some(m) = cell.get() {
            return Ok((m, path));
        }
        let m = Mapped::open(&path, Some(tensor))?;
        let _ = cell.set(m);
        match cell.get() {
            Some(m) => Ok((m, path)),
            None => unreachable!("the cell was just set"),
        }
    }

    /// The stored bytes of a whole tensor or a slice, bounds-checked, with
    /// the map they lie in and the data file's path.
    fn bytes_of(&self, st: &Stored, tensor: &str) -> Result<(&[u8], &Mapped, PathBuf)> {
        let (map, path) = self.shard(st, tensor)?;
        let data = map.bytes();
        let end = st.offset + st.size; // no overflow: checked at open
        if end > data.len() as u64 {
            return Err(CheckpointError::DataOutOfRange {
                path,
                tensor: tensor.to_string(),
                offset: st.offset,
                end: u128::from(end),
                file_len: data.len() as u64,
            });
        }
        Ok((&data[st.offset as usize..end as usize], map, path))
    }

    fn whole(&self, i: usize, what: &str) -> Result<&Stored> {
        match &self.index.locs[i] {
            Loc::Whole(s) => Ok(s),
            Loc::Sliced { parts, .. } => Err(CheckpointError::Unsupported {
                path: index_path(&self.prefix),
                tensor: Some(self.index.infos[i].name.clone()),
                feature: format!(
                    "{what} of a partitioned variable (stored as {} slices, not one byte range); use `read`, `read_into` or `read_slice`",
                    parts.len()
                ),
            }),
        }
    }

    /// The verified bytes of a fixed-size tensor stored whole.
    fn checked_bytes(&self, i: usize, what: &str) -> Result<(&TensorInfo, &[u8], u64, PathBuf)> {
        let info = &self.index.infos[i];
        let st = self.whole(i, what)?;
        let (bytes, _, path) = self.bytes_of(st, &info.name)?;
        if info.dtype == DataType::String {
            return Err(CheckpointError::UnsupportedDtype {
                path,
                tensor: info.name.clone(),
                dtype: info.dtype,
                what: "string tensors have no fixed-size byte layout; use `read`".into(),
            });
        }
        verify_crc(&path, &info.name, st.crc, crc32c::crc32c(bytes))?;
        Ok((info, bytes, st.offset, path))
    }

    /// Reads one stored range (a whole tensor or a slice) of `shape` into a
    /// fresh array, verifying its crc32c, then drops its mapped pages.
    fn read_stored(
        &self,
        info: &TensorInfo,
        st: &Stored,
        shape: &[usize],
        label: &str,
    ) -> Result<TensorData> {
        let (bytes, map, path) = self.bytes_of(st, label)?;
        if info.dtype != DataType::String {
            // Checksum and copy in one pass over the mapped bytes.
            let (data, computed) =
                data_from_bytes(info.dtype, shape, bytes, true).ok_or_else(|| {
                    CheckpointError::BadShape {
                        path: path.clone(),
                        tensor: label.to_string(),
                        detail: format!("bytes are not valid {} values", info.dtype),
                    }
                })?;
            map.release(bytes);
            verify_crc(&path, label, st.crc, computed)?;
            return Ok(data);
        }
        let n = shape.iter().product();
        let (elems, crc) =
            decode_strings(n, bytes).map_err(|detail| CheckpointError::CorruptEntry {
                path: path.clone(),
                tensor: label.to_string(),
                detail,
            })?;
        map.release(bytes);
        verify_crc(&path, label, st.crc, crc)?;
        let a =
            ArrayD::from_shape_vec(IxDyn(shape), elems).map_err(|e| CheckpointError::BadShape {
                path,
                tensor: label.to_string(),
                detail: e.to_string(),
            })?;
        Ok(TensorData::String(a))
    }

    /// Reads a tensor into a fresh array, verifying its crc32c (every
    /// slice's, for a partitioned variable, whose slices are assembled).
    pub fn read(&self, name: &str) -> Result<TensorData> {
        let i = self.find(name)?;
        let info = &self.index.infos[i];
        match &self.index.locs[i] {
            Loc::Whole(st) => self.read_stored(info, st, &info.shape, &info.name),
            Loc::Sliced { parts, .. } => {
                self.check_covered(i)?;
                match info.dtype {
                    DataType::String => {
                        let mut out = vec![Vec::new(); info.num_elements()];
                        for (k, p) in parts.iter().enumerate() {
                            let TensorData::String(a) = self.read_part(i, k)? else {
                                unreachable!("a string tensor's slices are strings")
                            };
                            let mut elems = a.into_raw_vec_and_offset().0;
                            for_each_run(&info.shape, &p.slice, |dst, src, run| {
                                for j in 0..run {
                                    out[dst + j] = std::mem::take(&mut elems[src + j]);
                                }
                            });
                        }
                        let a = ArrayD::from_shape_vec(IxDyn(&info.shape), out)
                            .map_err(|e| self.bad_shape(&info.name, e.to_string()))?;
                        Ok(TensorData::String(a))
                    }
                    DataType::Bool => {
                        let mut bytes = vec![0u8; info.num_elements()];
                        self.read_into(name, &mut bytes)?;
                        data_from_bytes(info.dtype, &info.shape, &bytes, false)
                            .map(|(d, _)| d)
                            .ok_or_else(|| {
                                self.bad_shape(
                                    &info.name,
                                    "bytes are not valid bool values (0 or 1)".into(),
                                )
                            })
                    }
                    dtype => {
                        let mut d = zeroed_data(dtype, &info.shape)
                            .ok_or_else(|| self.bad_shape(&info.name, "cannot allocate".into()))?;
                        let out = crate::tensor::data_bytes_mut(&mut d)
                            .expect("fixed-size, non-bool dtype");
                        self.read_into(name, out)?;
                        Ok(d)
                    }
                }
            }
        }
    }

    fn bad_shape(&self, name: &str, detail: String) -> CheckpointError {
        CheckpointError::BadShape {
            path: index_path(&self.prefix),
            tensor: name.to_string(),
            detail,
        }
    }

    fn check_covered(&self, i: usize) -> Result<()> {
        let info = &self.index.infos[i];
        if let Loc::Sliced { covered, parts } = &self.index.locs[i] {
            if *covered != info.num_elements() {
                return Err(CheckpointError::MissingSlices {
                    path: index_path(&self.prefix),
                    tensor: info.name.clone(),
                    slices: parts.len(),
                    covered: *covered,
                    total: info.num_elements(),
                });
            }
        }
        Ok(())
    }

    fn read_part(&self, i: usize, k: usize) -> Result<TensorData> {
        let info = &self.index.infos[i];
        let Loc::Sliced { parts, .. } = &self.index.locs[i] else {
            unreachable!("only called for partitioned variables")
        };
        let p = &parts[k];
        let label = format!("{} (slice {})", info.name, p.slice.spec(&info.shape));
        self.read_stored(info, &p.stored, &p.slice.length, &label)
    }

    /// Reads slice `index` (of [`slices`](Self::slices)) of a partitioned
    /// variable, without touching the other slices.
    pub fn read_slice(&self, name: &str, index: usize) -> Result<TensorData> {
        let i = self.find(name)?;
        match &self.index.locs[i] {
            Loc::Sliced { parts, .. } if index < parts.len() => self.read_part(i, index),
            Loc::Sliced { parts, .. } => Err(CheckpointError::InvalidInput {
                path: self.prefix.clone(),
                detail: format!(
                    "tensor '{name}' has {} slices, there is no slice {index}",
                    parts.len()
                ),
            }),
            Loc::Whole(_) => Err(CheckpointError::InvalidInput {
                path: self.prefix.clone(),
                detail: format!("tensor '{name}' is not partitioned; read it with `read`"),
            }),
        }
    }

    /// Fills `out` with the full tensor's little-endian row-major element
    /// bytes (see [`TensorSource::read_into`]).
    pub fn read_into(&self, name: &str, out: &mut [u8]) -> Result<()> {
        let i = self.find(name)?;
        let info = &self.index.infos[i];
        let es = check_out_len(&self.prefix, info, out.len())?;
        match &self.index.locs[i] {
            Loc::Whole(st) => {
                let (bytes, map, path) = self.bytes_of(st, &info.name)?;
                // Release the mapped pages as the copy goes, so a large
                // tensor never has both its copy and its file pages resident.
                let mut crc = 0u32;
                for (src, dst) in bytes
                    .chunks(RELEASE_EVERY)
                    .zip(out.chunks_mut(RELEASE_EVERY))
                {
                    crc = crc32c_append_copy(crc, src, dst);
                    map.release(src);
                }
                verify_crc(&path, &info.name, st.crc, crc)
            }
            Loc::Sliced { parts, .. } => {
                self.check_covered(i)?;
                for p in parts {
                    let label = || format!("{} (slice {})", info.name, p.slice.spec(&info.shape));
                    let (bytes, map, path) = self.bytes_of(&p.stored, &info.name)?;
                    verify_crc(&path, &label(), p.stored.crc, crc32c::crc32c(bytes))?;
                    for_each_run(&info.shape, &p.slice, |dst, src, run| {
                        out[dst * es..(dst + run) * es]
                            .copy_from_slice(&bytes[src * es..(src + run) * es]);
                    });
                    map.release(bytes);
                }
                Ok(())
            }
        }
    }

    /// Reads a tensor as an array of `T`, failing with
    /// [`CheckpointError::DtypeMismatch`] if it is stored as another dtype.
    pub fn read_as<T: Element>(&self, name: &str) -> Result<ArrayD<T>> {
        let info = self.info(name)?;
        CheckpointError::check_dtype(&self.prefix, name, info.dtype, T::DTYPE)?;
        typed(&self.prefix, name, self.read(name)?)
    }

    /// A zero-copy view of a tensor straight over the memory-mapped data
    /// file, after verifying its crc32c.
    ///
    /// TF stores tensors back to back without padding, so a tensor may
    /// start at an offset that is not a multiple of `T`'s alignment (for
    /// example an `f32` after a 3-byte `bool` tensor): then this returns
    /// [`CheckpointError::Misaligned`] and [`read`](Self::read) (which copies)
    /// is the fallback. Checkpoints whose tensors all share one dtype, like
    /// most model weights, are always aligned. A partitioned variable has
    /// no single byte range to view (`Unsupported`).
    pub fn view<T: Element>(&self, name: &str) -> Result<ArrayViewD<'_, T>> {
        let i = self.find(name)?;
        let info = &self.index.infos[i];
        CheckpointError::check_dtype(&self.prefix, name, info.dtype, T::DTYPE)?;
        let (info, bytes, offset, path) = self.checked_bytes(i, "a zero-copy view")?;
        view_or_error(info, bytes, offset, path)
    }

    /// The verified stored bytes of a fixed-size tensor stored whole
    /// (little-endian, row-major), borrowed from the mapped file.
    pub fn raw_bytes(&self, name: &str) -> Result<(&TensorInfo, &[u8])> {
        let i = self.find(name)?;
        let (info, bytes, _, _) = self.checked_bytes(i, "the raw stored bytes")?;
        Ok((info, bytes))
    }
}

impl ParsedIndex {
    pub(crate) fn num_tensors(&self) -> usize {
        self.infos.len()
    }
}

/// `DataChecksum` unless the crc32c computed over a tensor's bytes is the
/// one its index entry stores.
fn verify_crc(path: &Path, tensor: &str, stored: u32, computed: u32) -> Result<()> {
    if computed == stored {
        return Ok(());
    }
    Err(CheckpointError::DataChecksum {
        path: path.to_path_buf(),
        tensor: tensor.to_string(),
        stored,
        computed,
    })
}

impl TensorSource for CheckpointReader {
    fn path(&self) -> &Path {
        self.prefix()
    }
    fn format(&self) -> crate::source::Format {
        crate::source::Format::TfCheckpoint
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
    fn read_into(&self, name: &str, out: &mut [u8]) -> Result<()> {
        CheckpointReader::read_into(self, name, out)
    }
    fn resolution(&self) -> Option<&Resolution> {
        CheckpointReader::resolution(self)
    }
}
