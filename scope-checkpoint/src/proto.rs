//! Varints, masked crc32c, and the two protobuf messages of a tensor
//! bundle index: `BundleHeaderProto` and `BundleEntryProto`.
//!
//! Decoders work on untrusted bytes: they bound every length by the input
//! and report problems as strings that the caller wraps in a typed error.

/// The constant LevelDB/TF add when masking a crc32c.
const MASK_DELTA: u32 = 0xa282_ead8;

/// TF's `crc32c::Mask`.
pub fn mask_crc(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(MASK_DELTA)
}

/// TF's `crc32c::Unmask`.
pub fn unmask_crc(masked: u32) -> u32 {
    masked.wrapping_sub(MASK_DELTA).rotate_left(15)
}

/// A forward-only reader over untrusted bytes.
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn varint64(&mut self) -> Result<u64, String> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let Some(&b) = self.buf.get(self.pos) else {
                return Err(format!("truncated varint at byte {}", self.pos));
            };
            self.pos += 1;
            if i == 9 && b > 1 {
                return Err(format!(
                    "varint longer than 64 bits at byte {}",
                    self.pos - 1
                ));
            }
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(format!("varint longer than 10 bytes at byte {}", self.pos))
    }

    pub fn varint32(&mut self) -> Result<u32, String> {
        let start = self.pos;
        let v = self.varint64()?;
        u32::try_from(v).map_err(|_| format!("varint32 out of range at byte {start}"))
    }

    pub fn bytes(&mut self, n: u64) -> Result<&'a [u8], String> {
        if n > self.remaining() as u64 {
            return Err(format!(
                "length {n} at byte {} runs past the end ({} bytes left)",
                self.pos,
                self.remaining()
            ));
        }
        let s = &self.buf[self.pos..self.pos + n as usize];
        self.pos += n as usize;
        Ok(s)
    }

    pub fn fixed32(&mut self) -> Result<u32, String> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn fixed64(&mut self) -> Result<u64, String> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// One protobuf field: number and value.
enum Field<'a> {
    Varint(u64),
    Fixed32(u32),
    Fixed64,
    Bytes(&'a [u8]),
}

fn next_field<'a>(c: &mut Cursor<'a>) -> Result<(u32, Field<'a>), String> {
    let tag = c.varint64()?;
    let number = tag >> 3;
    if number == 0 || number > u64::from(u32::MAX >> 3) {
        return Err(format!("invalid field number {number}"));
    }
    let f = match tag & 7 {
        0 => Field::Varint(c.varint64()?),
        1 => {
            c.fixed64()?;
            Field::Fixed64
        }
        2 => {
            let n = c.varint64()?;
            Field::Bytes(c.bytes(n)?)
        }
        5 => Field::Fixed32(c.fixed32()?),
        w => return Err(format!("unsupported wire type {w} for field {number}")),
    };
    Ok((number as u32, f))
}

fn want_varint(number: u32, f: Field<'_>) -> Result<u64, String> {
    match f {
        Field::Varint(v) => Ok(v),
        _ => Err(format!("field {number} should be a varint")),
    }
}

fn want_bytes<'a>(number: u32, f: Field<'a>) -> Result<&'a [u8], String> {
    match f {
        Field::Bytes(b) => Ok(b),
        _ => Err(format!("field {number} should be length-delimited")),
    }
}

/// TF's `TensorShape::MaxDimensions()`.
pub const MAX_RANK: usize = 254;

/// A decoded `BundleEntryProto`, before any semantic check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawEntry {
    pub dtype: i64,
    pub dims: Vec<i64>,
    pub unknown_rank: bool,
    pub shard_id: i64,
    pub offset: i64,
    pub size: i64,
    /// The masked crc32c as stored.
    pub crc32c: u32,
    /// The serialized `TensorSliceProto`s of a partitioned variable's full entry.
    pub slices: Vec<Vec<u8>>,
}

/// Decodes a `BundleEntryProto`.
pub fn decode_entry(buf: &[u8]) -> Result<RawEntry, String> {
    let mut e = RawEntry::default();
    let mut c = Cursor::new(buf);
    while !c.is_empty() {
        let (n, f) = next_field(&mut c)?;
        match n {
            1 => e.dtype = want_varint(n, f)? as i64,
            2 => decode_shape(want_bytes(n, f)?, &mut e)?,
            3 => e.shard_id = want_varint(n, f)? as i64,
            4 => e.offset = want_varint(n, f)? as i64,
            5 => e.size = want_varint(n, f)? as i64,
            6 => match f {
                Field::Fixed32(v) => e.crc32c = v,
                _ => return Err("field 6 (crc32c) should be fixed32".into()),
            },
            7 => {
                let b = want_bytes(n, f)?;
                e.slices.push(b.to_vec());
            }
            _ => {} // unknown fields are skipped, as protobuf does
        }
    }
    Ok(e)
}

fn decode_shape(buf: &[u8], e: &mut RawEntry) -> Result<(), String> {
    // Repeated fields merge: a second shape message appends, as protobuf would.
    let mut c = Cursor::new(buf);
    while !c.is_empty() {
        let (n, f) = next_field(&mut c)?;
        match n {
            2 => {
                let dim = want_bytes(n, f)?;
                let mut size = 0i64;
                let mut d = Cursor::new(dim);
                while !d.is_empty() {
                    let (dn, df) = next_field(&mut d)?;
                    if dn == 1 {
                        size = want_varint(dn, df)? as i64;
                    }
                }
                if e.dims.len() >= MAX_RANK {
                    return Err(format!("shape has more than {MAX_RANK} dimensions"));
                }
                e.dims.push(size);
            }
            3 => e.unknown_rank = want_varint(n, f)? != 0,
            _ => {}
        }
    }
    Ok(())
}

/// Encodes a `BundleEntryProto` exactly as TF does: fields in number order,
/// proto3 zero scalars left out, the shape always present.
pub fn encode_entry(
    dtype: u32,
    dims: &[u64],
    shard_id: u32,
    offset: u64,
    size: u64,
    masked_crc: u32,
) -> Vec<u8> {
    let mut shape = Vec::new();
    for &d in dims {
        let mut dim = Vec::new();
        if d != 0 {
            dim.push(0x08);
            put_varint(&mut dim, d);
        }
        shape.push(0x12);
        put_varint(&mut shape, dim.len() as u64);
        shape.extend_from_slice(&dim);
    }
    let mut out = Vec::with_capacity(shape.len() + 32);
    if dtype != 0 {
        out.push(0x08);
        put_varint(&mut out, u64::from(dtype));
    }
    out.push(0x12);
    put_varint(&mut out, shape.len() as u64);
    out.extend_from_slice(&shape);
    for (tag, v) in [(0x18u8, u64::from(shard_id)), (0x20, offset), (0x28, size)] {
        if v != 0 {
            out.push(tag);
            put_varint(&mut out, v);
        }
    }
    if masked_crc != 0 {
        out.push(0x35);
        out.extend_from_slice(&masked_crc.to_le_bytes());
    }
    out
}

/// A decoded `BundleHeaderProto`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawHeader {
    pub num_shards: i64,
    pub endianness: i64,
    pub producer: i64,
    pub min_consumer: i64,
    pub bad_consumers: Vec<i64>,
}

/// Decodes a `BundleHeaderProto`.
pub fn decode_header(buf: &[u8]) -> Result<RawHeader, String> {
    let mut h = RawHeader::default();
    let mut c = Cursor::new(buf);
    while !c.is_empty() {
        let (n, f) = next_field(&mut c)?;
        match n {
            1 => h.num_shards = want_varint(n, f)? as i64,
            2 => h.endianness = want_varint(n, f)? as i64,
            3 => {
                let mut v = Cursor::new(want_bytes(n, f)?);
                while !v.is_empty() {
                    let (vn, vf) = next_field(&mut v)?;
                    match (vn, vf) {
                        (1, Field::Varint(x)) => h.producer = x as i64,
                        (2, Field::Varint(x)) => h.min_consumer = x as i64,
                        (3, Field::Varint(x)) => h.bad_consumers.push(x as i64),
                        (3, Field::Bytes(packed)) => {
                            let mut p = Cursor::new(packed);
                            while !p.is_empty() {
                                h.bad_consumers.push(p.varint64()? as i64);
                            }
                        }
                        (1..=3, _) => {
                            return Err(format!("VersionDef field {vn} has the wrong wire type"))
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(h)
}

/// Encodes the header as TF does (`08 NN 1a 02 08 01` for NN shards).
pub fn encode_header(num_shards: u32) -> Vec<u8> {
    let mut out = vec![0x08];
    put_varint(&mut out, u64::from(num_shards));
    out.extend_from_slice(&[0x1a, 0x02, 0x08, 0x01]);
    out
}

/// Encodes a partitioned variable's full entry as TF's `BundleWriter::AddSlice`
/// leaves it: dtype, full shape and the slices, no offset, size or crc.
/// `shard_id` is 0 in a single bundle; `MergeV2Checkpoints` renumbers it
/// like any entry's, so in a sharded save it is the first shard holding a
/// slice.
pub fn encode_full_entry(dtype: u32, dims: &[u64], shard_id: u32, slices: &[Vec<u8>]) -> Vec<u8> {
    let mut out = encode_entry(dtype, dims, shard_id, 0, 0, 0);
    for s in slices {
        out.push(0x3a);
        put_varint(&mut out, s.len() as u64);
        out.extend_from_slice(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_matches_readme() {
        assert_eq!(mask_crc(0), 0xa282_ead8);
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
        for x in [0u32, 1, 0xdead_beef, u32::MAX] {
            assert_eq!(unmask_crc(mask_crc(x)), x);
        }
    }

    #[test]
    fn entry_example_from_readme() {
        let bytes = [
            0x08, 0x03, 0x12, 0x04, 0x12, 0x02, 0x08, 0x03, 0x20, 0x20, 0x28, 0x0c, 0x35, 0x85,
            0x8b, 0x32, 0xe7,
        ];
        let e = decode_entry(&bytes).unwrap();
        assert_eq!(
            (e.dtype, e.dims.clone(), e.offset, e.size),
            (3, vec![3], 32, 12)
        );
        assert_eq!(e.crc32c, 0xe732_8b85);
        assert_eq!(encode_entry(3, &[3], 0, 32, 12, 0xe732_8b85), bytes);
        // [0, 3] encodes the zero dim as an empty Dim message.
        assert_eq!(
            &encode_entry(2, &[0, 3], 0, 0, 0, 0)[2..],
            &[0x12, 0x06, 0x12, 0x00, 0x12, 0x02, 0x08, 0x03]
        );
    }

    #[test]
    fn bad_varints_are_errors() {
        assert!(Cursor::new(&[0x80; 11]).varint64().is_err());
        assert!(
            Cursor::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])
                .varint64()
                .is_err()
        );
        assert!(Cursor::new(&[0x80]).varint64().is_err());
        assert!(decode_entry(&[0x12, 0x7f]).is_err());
        assert!(decode_entry(&[0x0b]).is_err()); // group wire type
    }
}
