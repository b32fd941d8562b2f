//! Reading and writing safetensors files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ndarray::{ArrayD, ArrayViewD};

use crate::atomic::{sync_dir, TempFile};
use crate::error::{closest_names, CheckpointError, Result};
use crate::mapped::Mapped;
use crate::paths::parent_dir;
use crate::source::TensorSource;
use crate::tensor::{
    check_out_len, data_from_bytes, view_or_error, Element, TensorData, TensorInfo, TensorView,
};
use crate::writer::SaveOptions;
use crate::DataType;

/// Largest JSON header accepted (the `safetensors` package uses the same 100 MB limit).
const MAX_HEADER: u64 = 100_000_000;

/// A safetensors file opened for reading (memory-mapped).
///
/// safetensors has no checksums, so reads only check bounds and sizes.
pub struct SafetensorsReader {
    path: PathBuf,
    map: Mapped,
    data_start: usize,
    /// Sorted by name.
    infos: Vec<TensorInfo>,
    /// Byte ranges relative to `data_start`, parallel to `infos`.
    ranges: Vec<(usize, usize)>,
    metadata: BTreeMap<String, String>,
}

impl std::fmt::Debug for SafetensorsReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafetensorsReader")
            .field("path", &self.path)
            .field("tensors", &self.infos.len())
            .finish()
    }
}

/// The parsed header: entries sorted by name, their data ranges, metadata.
pub(crate) type ParsedHeader = (
    Vec<TensorInfo>,
    Vec<(usize, usize)>,
    BTreeMap<String, String>,
);

/// Parses a safetensors header. `file_len` bounds everything; `path` only names errors.
pub(crate) fn parse_header(path: &Path, file: &[u8]) -> Result<(usize, ParsedHeader)> {
    let bad = |detail: String| CheckpointError::CorruptSafetensors {
        path: path.to_path_buf(),
        detail,
    };
    if file.len() < 8 {
        return Err(bad(format!(
            "{} bytes, shorter than the 8-byte header length",
            file.len()
        )));
    }
    let mut n = [0u8; 8];
    n.copy_from_slice(&file[..8]);
    let n = u64::from_le_bytes(n);
    if n > MAX_HEADER || n > (file.len() - 8) as u64 {
        return Err(bad(format!(
            "header length {n} is larger than the file ({} bytes) or the 100 MB limit",
            file.len()
        )));
    }
    let data_start = 8 + n as usize;
    let json: serde_json::Value = serde_json::from_slice(&file[8..data_start])
        .map_err(|e| bad(format!("header is not valid JSON: {e}")))?;
    let serde_json::Value::Object(obj) = json else {
        return Err(bad("header is not a JSON object".into()));
    };
    let data_len = file.len() - data_start;
    let mut infos = Vec::new();
    let mut ranges = Vec::new();
    let mut metadata = BTreeMap::new();
    // serde_json's default map is a BTreeMap: names come out sorted.
    for (name, v) in obj {
        if name == "__metadata__" {
            let serde_json::Value::Object(m) = v else {
                return Err(bad("__metadata__ is not an object".into()));
            };
            for (k, v) in m {
                let serde_json::Value::String(s) = v else {
                    return Err(bad(format!("__metadata__ value for '{k}' is not a string")));
                };
                metadata.insert(k, s);
            }
            continue;
        }
        let tbad = |detail: String| CheckpointError::CorruptSafetensors {
            path: path.to_path_buf(),
            detail: format!("tensor '{name}': {detail}"),
        };
        let dtype_s = v
            .get("dtype")
            .and_then(|d| d.as_str())
            .ok_or_else(|| tbad("no dtype".into()))?;
        let dtype = DataType::from_safetensors_name(dtype_s).ok_or_else(|| {
            CheckpointError::Unsupported {
                path: path.to_path_buf(),
                tensor: Some(name.clone()),
                feature: format!("safetensors dtype {dtype_s}"),
            }
        })?;
        let shape_v = v
            .get("shape")
            .and_then(|s| s.as_array())
            .ok_or_else(|| tbad("no shape".into()))?;
        if shape_v.len() > crate::proto::MAX_RANK {
            return Err(tbad(format!("rank {} is too large", shape_v.len())));
        }
        let mut shape = Vec::with_capacity(shape_v.len());
        let mut count: usize = 1;
        for d in shape_v {
            let d = d
                .as_u64()
                .and_then(|d| usize::try_from(d).ok())
                .ok_or_else(|| tbad(format!("bad dimension {d}")))?;
            count = count
                .checked_mul(d)
                .ok_or_else(|| tbad("shape overflows".into()))?;
            shape.push(d);
        }
        let offs = v
            .get("data_offsets")
            .and_then(|o| o.as_array())
            .filter(|o| o.len() == 2)
            .ok_or_else(|| tbad("no data_offsets pair".into()))?;
        let (Some(b), Some(e)) = (offs[0].as_u64(), offs[1].as_u64()) else {
            return Err(tbad("data_offsets are not integers".into()));
        };
        if b > e || e > data_len as u64 {
            return Err(tbad(format!(
                "data_offsets [{b}, {e}) outside the {data_len} data bytes"
            )));
        }
        let es = dtype.size().unwrap_or(1);
        if count.checked_mul(es).map(|x| x as u64) != Some(e - b) {
            return Err(CheckpointError::BadShape {
                path: path.to_path_buf(),
                tensor: name.clone(),
                detail: format!("shape {shape:?} of {dtype} does not match {} bytes", e - b),
            });
        }
        infos.push(TensorInfo {
            name,
            dtype,
            shape,
            size_bytes: e - b,
        });
        ranges.push((b as usize, e as usize));
    }
    Ok((data_start, (infos, ranges, metadata)))
}

impl SafetensorsReader {
    /// Opens and maps a safetensors file, checking its header.
    pub fn open(path: impl AsRef<Path>) -> Result<SafetensorsReader> {
        let path = path.as_ref().to_path_buf();
        let map = Mapped::open(&path, None)?;
        let (data_start, (infos, ranges, metadata)) = parse_header(&path, map.bytes())?;
        Ok(SafetensorsReader {
            path,
            map,
            data_start,
            infos,
            ranges,
            metadata,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every tensor, sorted by name. Reads no data.
    pub fn entries(&self) -> &[TensorInfo] {
        &self.infos
    }

    /// The `__metadata__` map.
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    fn find(&self, name: &str) -> Result<usize> {
        self.infos
            .binary_search_by(|i| i.name.as_bytes().cmp(name.as_bytes()))
            .map_err(|_| CheckpointError::TensorNotFound {
                path: self.path.clone(),
                tensor: name.to_string(),
                suggestions: closest_names(name, self.infos.iter().map(|i| i.name.as_str())),
            })
    }

    /// Name, dtype and shape of one tensor.
    pub fn info(&self, name: &str) -> Result<&TensorInfo> {
        Ok(&self.infos[self.find(name)?])
    }

    /// Whether a tensor of that name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// The stored bytes of a tensor.
    pub fn raw_bytes(&self, name: &str) -> Result<(&TensorInfo, &[u8])> {
        let i = self.find(name)?;
        let (b, e) = self.ranges[i];
        Ok((
            &self.infos[i],
            &self.map.bytes()[self.data_start + b..self.data_start + e],
        ))
    }

    /// Reads a tensor into a fresh array.
    pub fn read(&self, name: &str) -> Result<TensorData> {
        let (info, bytes) = self.raw_bytes(name)?;
        let d = data_from_bytes(info.dtype, &info.shape, bytes, false)
            .map(|(d, _)| d)
            .ok_or_else(|| CheckpointError::BadShape {
                path: self.path.clone(),
                tensor: info.name.clone(),
                detail: format!("bytes are not valid {} values", info.dtype),
            });
        self.map.release(bytes);
        d
    }

    /// Fills `out` with a tensor's bytes (see [`TensorSource::read_into`]),
    /// then drops the mapped pages it came from.
    pub fn read_into(&self, name: &str, out: &mut [u8]) -> Result<()> {
        let (info, bytes) = self.raw_bytes(name)?;
        check_out_len(&self.path, info, out.len())?;
        out.copy_from_slice(bytes);
        self.map.release(bytes);
        Ok(())
    }

    /// Reads a tensor as an array of `T`.
    pub fn read_as<T: Element>(&self, name: &str) -> Result<ArrayD<T>> {
        (self as &dyn TensorSource).read_as(name)
    }

    /// A zero-copy view over the mapped file. The `safetensors` package
    /// aligns the data start to 8 bytes and stores larger dtypes first, so
    /// its files are always aligned; other writers' may not be
    /// ([`CheckpointError::Misaligned`], fall back to [`read`](Self::read)).
    pub fn view<T: Element>(&self, name: &str) -> Result<ArrayViewD<'_, T>> {
        let (info, bytes) = self.raw_bytes(name)?;
        CheckpointError::check_dtype(&self.path, name, info.dtype, T::DTYPE)?;
        let i = self.find(name)?;
        view_or_error(
            info,
            bytes,
            (self.data_start + self.ranges[i].0) as u64,
            self.path.clone(),
        )
    }
}

/// Saves named tensors as a safetensors file, laid out exactly as the
/// `safetensors` Python package does (header keys in data order, metadata
/// first, data sorted by dtype size descending then name, header padded
/// with spaces to 8 bytes), atomically (temp file, fsync, rename).
///
/// `metadata` becomes `__metadata__` (pass an empty iterator for none).
/// String and complex128 tensors cannot be stored in safetensors.
pub fn save_safetensors<'a, I, N, V, M, K, W>(
    path: impl AsRef<Path>,
    tensors: I,
    metadata: M,
) -> Result<()>
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<str>,
    V: Into<TensorView<'a>>,
    M: IntoIterator<Item = (K, W)>,
    K: Into<String>,
    W: Into<String>,
{
    save_safetensors_with(path, tensors, metadata, &SaveOptions::default())
}

/// [`save_safetensors`] with options (as `save_checkpoint_with`; a
/// safetensors file has no state file, so only `fsync` applies).
pub fn save_safetensors_with<'a, I, N, V, M, K, W>(
    path: impl AsRef<Path>,
    tensors: I,
    metadata: M,
    options: &SaveOptions,
) -> Result<()>
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<str>,
    V: Into<TensorView<'a>>,
    M: IntoIterator<Item = (K, W)>,
    K: Into<String>,
    W: Into<String>,
{
    let list: Vec<(String, TensorView<'a>)> = tensors
        .into_iter()
        .map(|(n, v)| (n.as_ref().to_string(), v.into()))
        .collect();
    let mut w = SafetensorsWriter::create_with(
        path,
        list.iter()
            .map(|(n, v)| (n.as_str(), v.dtype(), v.shape().to_vec())),
        metadata,
        options,
    )?;
    let by_name: BTreeMap<&str, &TensorView<'a>> =
        list.iter().map(|(n, v)| (n.as_str(), v)).collect();
    for name in w.order().to_vec() {
        let v = by_name[name.as_str()];
        let bytes = v.le_bytes().unwrap_or_default();
        w.write(&name, &bytes)?;
    }
    w.finish()
}

/// A streaming safetensors writer: the header (names, dtypes, shapes) is
/// written first, then each tensor's bytes in the order the `safetensors`
/// package lays them out ([`order`](Self::order)), so a converter needs
/// only one tensor in memory at a time. Atomic like every save: dropping it
/// unfinished leaves no file.
pub struct SafetensorsWriter {
    path: PathBuf,
    out: TempFile,
    fsync: bool,
    order: Vec<String>,
    sizes: Vec<u64>,
    next: usize,
}

impl SafetensorsWriter {
    /// Plans the layout of `tensors` (name, dtype, shape) and writes the
    /// header. String and complex128 tensors cannot be stored in
    /// safetensors ([`CheckpointError::UnsupportedDtype`] naming the first).
    pub fn create<N, M, K, W>(
        path: impl AsRef<Path>,
        tensors: impl IntoIterator<Item = (N, DataType, Vec<usize>)>,
        metadata: M,
    ) -> Result<SafetensorsWriter>
    where
        N: AsRef<str>,
        M: IntoIterator<Item = (K, W)>,
        K: Into<String>,
        W: Into<String>,
    {
        Self::create_with(path, tensors, metadata, &SaveOptions::default())
    }

    /// [`create`](Self::create) with options (only `fsync` applies).
    pub fn create_with<N, M, K, W>(
        path: impl AsRef<Path>,
        tensors: impl IntoIterator<Item = (N, DataType, Vec<usize>)>,
        metadata: M,
        options: &SaveOptions,
    ) -> Result<SafetensorsWriter>
    where
        N: AsRef<str>,
        M: IntoIterator<Item = (K, W)>,
        K: Into<String>,
        W: Into<String>,
    {
        let fsync = options.fsync;
        let path = path.as_ref();
        let invalid = |detail: String| CheckpointError::InvalidInput {
            path: path.to_path_buf(),
            detail,
        };
        let mut list: Vec<(String, DataType, Vec<usize>)> = tensors
            .into_iter()
            .map(|(n, d, s)| (n.as_ref().to_string(), d, s))
            .collect();
        for (name, dtype, _) in &list {
            if dtype.safetensors_name().is_none() {
                return Err(CheckpointError::UnsupportedDtype {
                    path: path.to_path_buf(),
                    tensor: name.clone(),
                    dtype: *dtype,
                    what: "safetensors cannot store this dtype; keep it in a TF checkpoint".into(),
                });
            }
            if name == "__metadata__" {
                return Err(invalid("a tensor cannot be named __metadata__".into()));
            }
        }
        list.sort_by(|a, b| {
            b.1.safetensors_rank()
                .cmp(&a.1.safetensors_rank())
                .then_with(|| a.0.cmp(&b.0))
        });
        let mut names: Vec<&str> = list.iter().map(|(n, _, _)| n.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(invalid(format!("tensor '{}' is given twice", w[0])));
        }
        let metadata: BTreeMap<String, String> = metadata
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();

        let js = |s: &str| serde_json::to_string(s).expect("strings always serialize");
        let mut header = String::from("{");
        let mut first = true;
        if !metadata.is_empty() {
            header.push_str("\"__metadata__\":{");
            let kv: Vec<String> = metadata
                .iter()
                .map(|(k, v)| format!("{}:{}", js(k), js(v)))
                .collect();
            header.push_str(&kv.join(","));
            header.push('}');
            first = false;
        }
        let mut offset = 0u64;
        let mut sizes = Vec::with_capacity(list.len());
        for (name, dtype, shape) in &list {
            let n = shape
                .iter()
                .try_fold(1u64, |a, &d| a.checked_mul(d as u64))
                .and_then(|n| n.checked_mul(dtype.size().unwrap_or(0) as u64))
                .ok_or_else(|| invalid(format!("tensor '{name}' is too large")))?;
            let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            if !first {
                header.push(',');
            }
            first = false;
            header.push_str(&format!(
                "{}:{{\"dtype\":\"{}\",\"shape\":[{}],\"data_offsets\":[{},{}]}}",
                js(name),
                dtype.safetensors_name().unwrap_or("?"),
                dims.join(","),
                offset,
                offset + n
            ));
            offset += n;
            sizes.push(n);
        }
        header.push('}');
        while header.len() % 8 != 0 {
            header.push(' ');
        }

        let dir = parent_dir(path);
        std::fs::create_dir_all(&dir)
            .map_err(|e| CheckpointError::io(&dir, "creating the directory", e))?;
        let mut out = TempFile::create(path)?;
        out.write_all(&(header.len() as u64).to_le_bytes())?;
        out.write_all(header.as_bytes())?;
        Ok(SafetensorsWriter {
            path: path.to_path_buf(),
            out,
            fsync,
            order: list.into_iter().map(|(n, _, _)| n).collect(),
            sizes,
            next: 0,
        })
    }

    /// The names in the order their bytes must be written.
    pub fn order(&self) -> &[String] {
        &self.order
    }

    /// Writes the next tensor's little-endian row-major bytes.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let invalid = |detail: String| CheckpointError::InvalidInput {
            path: self.path.clone(),
            detail,
        };
        match self.order.get(self.next) {
            Some(n) if n == name => {}
            Some(n) => {
                return Err(invalid(format!(
                    "tensor '{name}' written out of order; '{n}' comes next"
                )))
            }
            None => return Err(invalid(format!("tensor '{name}' is one too many"))),
        }
        if bytes.len() as u64 != self.sizes[self.next] {
            return Err(CheckpointError::BufferSize {
                path: self.path.clone(),
                tensor: name.to_string(),
                expected: u128::from(self.sizes[self.next]),
                got: bytes.len(),
            });
        }
        self.out.write_all(bytes)?;
        self.next += 1;
        Ok(())
    }

    /// Checks every tensor was written, then renames the file into place.
    pub fn finish(mut self) -> Result<()> {
        if let Some(n) = self.order.get(self.next) {
            return Err(CheckpointError::InvalidInput {
                path: self.path.clone(),
                detail: format!("finished before tensor '{n}' was written"),
            });
        }
        self.out.seal(self.fsync)?;
        self.out.rename()?;
        if self.fsync {
            sync_dir(&parent_dir(&self.path));
        }
        Ok(())
    }
}

impl TensorSource for SafetensorsReader {
    fn path(&self) -> &Path {
        SafetensorsReader::path(self)
    }
    fn format(&self) -> crate::source::Format {
        crate::source::Format::Safetensors
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
    fn read_into(&self, name: &str, out: &mut [u8]) -> Result<()> {
        SafetensorsReader::read_into(self, name, out)
    }
}
