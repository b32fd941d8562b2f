//! Partitioned variables: TF's binary slice keys (`EncodeTensorNameSlice`,
//! built from `OrderedCode`), the `TensorSliceProto`s of a full entry, and
//! where a slice's elements go in the full row-major tensor.
//!
//! TF's `BundleWriter::AddSlice` stores a partitioned variable as one entry
//! under its name (dtype, full shape, the list of slices, no data) plus one
//! ordinary entry per slice under the key
//! `num(0) string(name) num(rank) (signed(start) signed(length))*rank`,
//! where a length of -1 means the whole dimension. Decoding follows TF's
//! `DecodeTensorNameSlice` and adds the checks TF leaves to debug builds:
//! minimal encodings, no trailing bytes, extents inside the full shape.

use crate::proto::{put_varint, Cursor, MAX_RANK};

/// What is wrong with a slice key or a slice spec. Always reported inside
/// [`crate::CheckpointError::BadSlice`], which names the file and tensor.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SliceError {
    #[error("the key ends inside its {0}")]
    Truncated(&'static str),
    #[error("the key's leading number is {0}, TF always writes 0")]
    LeadingNumber(u64),
    #[error("the {0} is not minimally encoded")]
    NotMinimal(&'static str),
    #[error("byte {0} of the name is an escape byte (0x00 or 0xff) followed by an invalid byte")]
    BadEscape(usize),
    #[error("the name is not UTF-8")]
    NameNotUtf8,
    #[error("rank {0}: a slice has rank 1 to {MAX_RANK}")]
    BadRank(u64),
    #[error("{0} bytes follow the last extent")]
    Trailing(usize),
    #[error("dimension {dim}: start {start} with length {length} is not a valid extent")]
    BadExtent { dim: usize, start: i64, length: i64 },
    #[error("slice spec {spec} does not fit in the full shape {shape:?}")]
    OutOfBounds { spec: String, shape: Vec<usize> },
    #[error("slice spec {spec} has rank {rank}, the tensor has rank {want}")]
    RankMismatch {
        spec: String,
        rank: usize,
        want: usize,
    },
    #[error("slice spec {0} overlaps slice spec {1}")]
    Overlap(String, String),
    #[error("slice {0} is listed in the full entry but has no entry of its own")]
    Missing(String),
    #[error("slice {0} has an entry but the full entry does not list it")]
    Unlisted(String),
    #[error("slice {0} has an entry but the tensor has no full entry listing its slices")]
    Orphan(String),
    #[error("slice {0} is listed twice")]
    Duplicate(String),
    #[error("slice {spec}: its entry has {what}")]
    Entry { spec: String, what: String },
    #[error("a TensorSliceProto does not decode: {0}")]
    Proto(String),
    #[error("the tensor is a scalar, which cannot be partitioned")]
    Scalar,
}

/// One extent as stored: `length == -1` means the whole dimension.
pub(crate) type RawExtent = (i64, i64);

/// One slice of a partitioned variable: the box `[start, start + length)`
/// on every axis of the full tensor.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TensorSlice {
    pub start: Vec<usize>,
    pub length: Vec<usize>,
}

impl TensorSlice {
    /// The slice's own shape (its `length`s).
    pub fn shape(&self) -> &[usize] {
        &self.length
    }

    /// Number of elements in the slice.
    pub fn num_elements(&self) -> usize {
        self.length.iter().product()
    }

    /// Whether this slice is the whole of a tensor of `shape`.
    pub fn is_full(&self, shape: &[usize]) -> bool {
        self.start.iter().all(|&s| s == 0) && self.length == shape
    }

    /// TF's text form (`TensorSlice::DebugString`): `start,length` per axis
    /// joined by `:`, `-` for a whole axis of `shape`.
    pub fn spec(&self, shape: &[usize]) -> String {
        let parts: Vec<String> = (0..self.start.len())
            .map(|d| {
                if self.start[d] == 0 && shape.get(d) == Some(&self.length[d]) {
                    "-".to_string()
                } else {
                    format!("{},{}", self.start[d], self.length[d])
                }
            })
            .collect();
        parts.join(":")
    }

    /// Resolves stored extents against the full shape (`-1` = whole axis),
    /// checking that they lie inside it.
    pub(crate) fn resolve(raw: &[RawExtent], shape: &[usize]) -> Result<TensorSlice, SliceError> {
        let text = raw_spec(raw);
        if raw.len() != shape.len() {
            return Err(SliceError::RankMismatch {
                spec: text,
                rank: raw.len(),
                want: shape.len(),
            });
        }
        let mut start = Vec::with_capacity(raw.len());
        let mut length = Vec::with_capacity(raw.len());
        for (d, (&(s, l), &dim)) in raw.iter().zip(shape).enumerate() {
            if l == -1 {
                start.push(0);
                length.push(dim);
                continue;
            }
            if s < 0 || l < 0 {
                return Err(SliceError::BadExtent {
                    dim: d,
                    start: s,
                    length: l,
                });
            }
            let (s, l) = (s as u64, l as u64);
            if s.checked_add(l).is_none_or(|e| e > dim as u64) {
                return Err(SliceError::OutOfBounds {
                    spec: text,
                    shape: shape.to_vec(),
                });
            }
            start.push(s as usize);
            length.push(l as usize);
        }
        Ok(TensorSlice { start, length })
    }

    /// Whether two slices of the same tensor share an element.
    pub(crate) fn overlaps(&self, other: &TensorSlice) -> bool {
        (0..self.start.len()).all(|d| {
            let (a0, a1) = (self.start[d], self.start[d] + self.length[d]);
            let (b0, b1) = (other.start[d], other.start[d] + other.length[d]);
            a0 < b1 && b0 < a1
        })
    }

    /// The stored extents TF writes for this slice of a tensor of `shape`:
    /// explicit `(start, length)` everywhere (TF's Saver never marks an
    /// axis of a partition as whole).
    pub(crate) fn raw(&self) -> Vec<RawExtent> {
        self.start
            .iter()
            .zip(&self.length)
            .map(|(&s, &l)| (s as i64, l as i64))
            .collect()
    }
}

/// Extents as text for messages: `start,length` or `-`.
pub(crate) fn raw_spec(raw: &[RawExtent]) -> String {
    let parts: Vec<String> = raw
        .iter()
        .map(|&(s, l)| {
            if l == -1 {
                "-".to_string()
            } else {
                format!("{s},{l}")
            }
        })
        .collect();
    parts.join(":")
}

/// `OrderedCode::ReadNumIncreasing`, rejecting non-minimal encodings.
fn read_num(c: &[u8], at: &mut usize, what: &'static str) -> Result<u64, SliceError> {
    let len = usize::from(*c.get(*at).ok_or(SliceError::Truncated(what))?);
    if len > 8 {
        return Err(SliceError::NotMinimal(what));
    }
    let body = c
        .get(*at + 1..*at + 1 + len)
        .ok_or(SliceError::Truncated(what))?;
    if body.first() == Some(&0) {
        return Err(SliceError::NotMinimal(what));
    }
    *at += 1 + len;
    Ok(body.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b)))
}

/// `OrderedCode::ReadString`: bytes up to the `00 01` separator, with
/// `00 ff` standing for 0x00 and `ff 00` for 0xff.
fn read_string(c: &[u8], at: &mut usize) -> Result<Vec<u8>, SliceError> {
    let mut out = Vec::new();
    let mut i = *at;
    loop {
        let b = *c.get(i).ok_or(SliceError::Truncated("name"))?;
        match b {
            0x00 | 0xff => {
                let next = *c.get(i + 1).ok_or(SliceError::Truncated("name"))?;
                match (b, next) {
                    (0x00, 0x01) => {
                        *at = i + 2;
                        return Ok(out);
                    }
                    (0x00, 0xff) => out.push(0x00),
                    (0xff, 0x00) => out.push(0xff),
                    _ => return Err(SliceError::BadEscape(i - *at)),
                }
                i += 2;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
}

/// `OrderedCode::ReadSignedNumIncreasing`, with the length check TF only
/// makes in debug builds (the encoding must be the shortest one).
fn read_signed(c: &[u8], at: &mut usize, what: &'static str) -> Result<i64, SliceError> {
    let src = &c[*at..];
    let first = *src.first().ok_or(SliceError::Truncated(what))?;
    let xor: u64 = if first & 0x80 == 0 { !0 } else { 0 };
    let fb = first ^ (xor as u8);
    let len: usize;
    let mut x: u64;
    if fb != 0xff {
        len = 7 - (63 - u64::from(fb ^ 0xff).leading_zeros()) as usize;
        let bytes = src.get(..len).ok_or(SliceError::Truncated(what))?;
        x = xor;
        for &b in bytes {
            x = (x << 8) | u64::from(b);
        }
    } else {
        let second = *src.get(1).ok_or(SliceError::Truncated(what))? ^ (xor as u8);
        let mut l = 8;
        if second >= 0x80 {
            if second < 0xc0 {
                l = 9;
            } else {
                let third = *src.get(2).ok_or(SliceError::Truncated(what))? ^ (xor as u8);
                if second == 0xc0 && third < 0x80 {
                    l = 10;
                } else {
                    return Err(SliceError::NotMinimal(what));
                }
            }
        }
        len = l;
        let bytes = src.get(len - 8..len).ok_or(SliceError::Truncated(what))?;
        x = bytes.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
    }
    const MASK: [u64; 11] = [
        0,
        0x80,
        0xc000,
        0xe0_0000,
        0xf000_0000,
        0xf8_0000_0000,
        0xfc00_0000_0000,
        0xfe_0000_0000_0000,
        0xff00_0000_0000_0000,
        0x8000_0000_0000_0000,
        0,
    ];
    x ^= MASK[len];
    let v = x as i64;
    if signed_len(v) != len {
        return Err(SliceError::NotMinimal(what));
    }
    *at += len;
    Ok(v)
}

/// The length of `WriteSignedNumIncreasing`'s encoding of `v`.
fn signed_len(v: i64) -> usize {
    let x = if v < 0 { !v } else { v } as u64;
    let bits = 64 - x.leading_zeros() as usize; // position of the top set bit, plus one
                                                // n bytes hold numbers of up to 7n - 1 magnitude bits (10 bytes: all 63).
    (bits + 1).div_ceil(7).clamp(1, 10)
}

/// Decodes a slice key into the tensor name and its stored extents.
pub(crate) fn decode_key(key: &[u8]) -> Result<(String, Vec<RawExtent>), SliceError> {
    let mut at = 0;
    let lead = read_num(key, &mut at, "leading number")?;
    if lead != 0 {
        return Err(SliceError::LeadingNumber(lead));
    }
    let name = read_string(key, &mut at)?;
    let name = String::from_utf8(name).map_err(|_| SliceError::NameNotUtf8)?;
    let rank = read_num(key, &mut at, "rank")?;
    if rank == 0 || rank > MAX_RANK as u64 {
        return Err(SliceError::BadRank(rank));
    }
    let mut ext = Vec::with_capacity(rank as usize);
    for _ in 0..rank {
        let s = read_signed(key, &mut at, "start")?;
        let l = read_signed(key, &mut at, "length")?;
        ext.push((s, l));
    }
    if at != key.len() {
        return Err(SliceError::Trailing(key.len() - at));
    }
    Ok((name, ext))
}

/// The name inside a slice key, for naming a key that does not decode.
pub(crate) fn key_name_lossy(key: &[u8]) -> String {
    let mut at = 0;
    if read_num(key, &mut at, "leading number").is_ok() {
        if let Ok(n) = read_string(key, &mut at) {
            return String::from_utf8_lossy(&n).into_owned();
        }
    }
    let hex: String = key.iter().take(32).map(|b| format!("{b:02x}")).collect();
    format!("<slice key {hex}>")
}

fn write_num(out: &mut Vec<u8>, v: u64) {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    out.push((8 - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

fn write_signed(out: &mut Vec<u8>, v: i64) {
    const HEADER: [[u8; 2]; 11] = [
        [0, 0],
        [0x80, 0],
        [0xc0, 0],
        [0xe0, 0],
        [0xf0, 0],
        [0xf8, 0],
        [0xfc, 0],
        [0xfe, 0],
        [0xff, 0],
        [0xff, 0x80],
        [0xff, 0xc0],
    ];
    let len = signed_len(v);
    if len == 1 {
        out.push(0x80 ^ (v as u8));
        return;
    }
    let sign = if v < 0 { 0xff } else { 0 };
    let mut buf = [sign; 10];
    buf[2..].copy_from_slice(&v.to_be_bytes());
    let b = &mut buf[10 - len..];
    b[0] ^= HEADER[len][0];
    b[1] ^= HEADER[len][1];
    out.extend_from_slice(b);
}

/// TF's `EncodeTensorNameSlice`.
pub(crate) fn encode_key(name: &str, raw: &[RawExtent]) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len() + 4 + 4 * raw.len());
    write_num(&mut out, 0);
    for &b in name.as_bytes() {
        match b {
            0x00 => out.extend_from_slice(&[0x00, 0xff]),
            0xff => out.extend_from_slice(&[0xff, 0x00]),
            _ => out.push(b),
        }
    }
    out.extend_from_slice(&[0x00, 0x01]);
    write_num(&mut out, raw.len() as u64);
    for &(s, l) in raw {
        write_signed(&mut out, s);
        write_signed(&mut out, l);
    }
    out
}

/// Decodes one `TensorSliceProto` (repeated `Extent extent = 1`, each
/// `int64 start = 1` and `oneof { int64 length = 2 }`; no length = whole axis).
pub(crate) fn decode_slice_proto(buf: &[u8]) -> Result<Vec<RawExtent>, SliceError> {
    let mut c = Cursor::new(buf);
    let mut out = Vec::new();
    let err = SliceError::Proto;
    while !c.is_empty() {
        let tag = c.varint64().map_err(err)?;
        match (tag >> 3, tag & 7) {
            (1, 2) => {
                let n = c.varint64().map_err(err)?;
                let body = c.bytes(n).map_err(err)?;
                let mut e = Cursor::new(body);
                let (mut start, mut length) = (0i64, -1i64);
                while !e.is_empty() {
                    let t = e.varint64().map_err(err)?;
                    match (t >> 3, t & 7) {
                        (1, 0) => start = e.varint64().map_err(err)? as i64,
                        (2, 0) => length = e.varint64().map_err(err)? as i64,
                        (_, 0) => {
                            e.varint64().map_err(err)?;
                        }
                        (_, 2) => {
                            let n = e.varint64().map_err(err)?;
                            e.bytes(n).map_err(err)?;
                        }
                        (_, 5) => {
                            e.fixed32().map_err(err)?;
                        }
                        (_, 1) => {
                            e.fixed64().map_err(err)?;
                        }
                        (f, w) => {
                            return Err(SliceError::Proto(format!(
                                "extent field {f} has wire type {w}"
                            )))
                        }
                    }
                }
                if out.len() >= MAX_RANK {
                    return Err(SliceError::Proto(format!("more than {MAX_RANK} extents")));
                }
                out.push((start, length));
            }
            (f, w) => {
                return Err(SliceError::Proto(format!(
                    "field {f} with wire type {w} (only extents, field 1, are expected)"
                )))
            }
        }
    }
    Ok(out)
}

/// Encodes one `TensorSliceProto` as TF's `TensorSlice::AsProto` does.
pub(crate) fn encode_slice_proto(raw: &[RawExtent]) -> Vec<u8> {
    let mut out = Vec::new();
    for &(s, l) in raw {
        let mut e = Vec::new();
        if l != -1 {
            if s != 0 {
                e.push(0x08);
                put_varint(&mut e, s as u64);
            }
            e.push(0x10);
            put_varint(&mut e, l as u64);
        }
        out.push(0x0a);
        put_varint(&mut out, e.len() as u64);
        out.extend_from_slice(&e);
    }
    out
}

/// Calls `f(dst, src, run)` for every contiguous run of `slice`'s elements
/// (in the slice's own row-major order, `src` counting from 0) inside the
/// full row-major tensor of `shape` (`dst`), in element units.
pub(crate) fn for_each_run(
    shape: &[usize],
    slice: &TensorSlice,
    mut f: impl FnMut(usize, usize, usize),
) {
    let rank = shape.len();
    if slice.num_elements() == 0 {
        return;
    }
    if rank == 0 {
        // A scalar is one run of one element.
        f(0, 0, 1);
        return;
    }
    // Trailing axes the slice covers whole merge into one contiguous run.
    let mut k = rank - 1;
    while k > 0 && slice.start[k] == 0 && slice.length[k] == shape[k] {
        k -= 1;
    }
    let inner: usize = shape[k + 1..].iter().product();
    let run = slice.length[k] * inner;
    let mut strides = vec![1usize; rank];
    for d in (0..rank - 1).rev() {
        strides[d] = strides[d + 1] * shape[d + 1];
    }
    let mut idx = vec![0usize; k];
    let mut src = 0;
    loop {
        let mut dst = slice.start[k] * strides[k];
        for d in 0..k {
            dst += (slice.start[d] + idx[d]) * strides[d];
        }
        f(dst, src, run);
        src += run;
        let mut d = k;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            if idx[d] < slice.length[d] {
                break;
            }
            idx[d] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_as_tf_writes_them() {
        // From fixtures/checkpoints/partitioned: `complex`, slice [1, 1) of [3].
        let key = [
            0x00, b'c', b'o', b'm', b'p', b'l', b'e', b'x', 0x00, 0x01, 0x01, 0x01, 0x81, 0x81,
        ];
        assert_eq!(
            decode_key(&key).unwrap(),
            ("complex".to_string(), vec![(1, 1)])
        );
        assert_eq!(encode_key("complex", &[(1, 1)]), key);
        for v in [
            0i64,
            1,
            -1,
            63,
            64,
            -64,
            -65,
            8191,
            8192,
            1 << 40,
            -(1 << 40),
            (1 << 55) - 1,
            1 << 55,
            i64::MAX,
            i64::MIN,
        ] {
            let mut b = Vec::new();
            write_signed(&mut b, v);
            assert_eq!(b.len(), signed_len(v), "{v}");
            let mut at = 0;
            assert_eq!(read_signed(&b, &mut at, "x").unwrap(), v);
            assert_eq!(at, b.len());
        }
        let odd = "a\u{0}b\u{ff}";
        let k = encode_key(odd, &[(0, -1), (5, 7)]);
        assert_eq!(
            decode_key(&k).unwrap(),
            (odd.to_string(), vec![(0, -1), (5, 7)])
        );
    }

    #[test]
    fn damaged_keys_are_errors() {
        let good = encode_key("w", &[(2, 3)]);
        for cut in 0..good.len() {
            assert!(decode_key(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = good.clone();
        long.push(0);
        assert_eq!(decode_key(&long), Err(SliceError::Trailing(1)));
        assert_eq!(
            decode_key(&[0x01, 0x05, b'w', 0, 1, 1, 1, 0x80, 0x80]),
            Err(SliceError::LeadingNumber(5))
        );
        assert!(decode_key(&[0x00, b'w', 0x00, 0x07]).is_err());
        assert!(decode_key(&[0x00, b'w', 0x00, 0x01, 0x00]).is_err()); // rank 0
                                                                       // A non-minimal signed number (0 written in two bytes).
        assert_eq!(
            decode_key(&[0x00, b'w', 0x00, 0x01, 0x01, 0x01, 0xc0, 0x00, 0x81]),
            Err(SliceError::NotMinimal("start"))
        );
    }

    #[test]
    fn runs_cover_the_slice_once() {
        let shape = [4, 3, 5];
        let s = TensorSlice {
            start: vec![1, 0, 2],
            length: vec![2, 3, 2],
        };
        let mut seen = Vec::new();
        for_each_run(&shape, &s, |d, src, n| {
            for i in 0..n {
                seen.push((d + i, src + i));
            }
        });
        let mut want = Vec::new();
        let mut src = 0;
        for a in 1..3 {
            for b in 0..3 {
                for c in 2..4 {
                    want.push((a * 15 + b * 5 + c, src));
                    src += 1;
                }
            }
        }
        assert_eq!(seen, want);
        assert_eq!(
            TensorSlice::resolve(&[(0, -1), (3, 2)], &[4, 5]).unwrap(),
            TensorSlice {
                start: vec![0, 3],
                length: vec![4, 2]
            }
        );
        let scalar = TensorSlice::resolve(&[], &[]).unwrap();
        let mut runs = Vec::new();
        for_each_run(&[], &scalar, |d, s, n| runs.push((d, s, n)));
        assert_eq!(runs, [(0, 0, 1)]); // found by the slice_key fuzzer: the empty input
        assert!(TensorSlice::resolve(&[(3, 3)], &[5]).is_err());
        assert!(TensorSlice::resolve(&[(-1, 3)], &[5]).is_err());
        assert!(TensorSlice::resolve(&[(i64::MAX, 3)], &[5]).is_err());
    }
}
