//! The LevelDB-format sorted table ("SSTable") used by `.index` files:
//! a reader that scans every entry, checking every block checksum, and a
//! builder that reproduces TF's `table::TableBuilder` byte for byte.

use crate::proto::{mask_crc, put_varint, unmask_crc, Cursor};

/// `kTableMagicNumber`.
pub const TABLE_MAGIC: u64 = 0xdb47_7524_8b80_fb57;
/// Footer size: two max-size handles (40 bytes) + 8 bytes of magic.
pub const FOOTER_LEN: usize = 48;
const TRAILER_LEN: usize = 5;
/// TF's bundle writer block size (`kTableBlockSize`... the options default, 256 KiB).
pub const BLOCK_SIZE: usize = 256 * 1024;
const RESTART_INTERVAL: usize = 16;

/// Why a table could not be read; the caller adds the file name.
#[derive(Debug, PartialEq, Eq)]
pub enum TableError {
    TooShort(u64),
    BadMagic(u64),
    BlockChecksum {
        offset: u64,
        stored: u32,
        computed: u32,
    },
    Compressed {
        offset: u64,
        kind: u8,
    },
    Corrupt(String),
}

type Entries<'a> = Vec<(Vec<u8>, &'a [u8])>;

/// Every key/value pair of the table, in table order.
///
/// Work and memory are bounded by the input: keys are rebuilt from
/// prefix-compressed deltas, and their total size is capped at
/// 32 × the file size + 1 MiB (TF's writer, which restarts every 16 keys,
/// stays far below).
pub fn read_table(file: &[u8]) -> Result<Entries<'_>, TableError> {
    let len = file.len();
    if len < FOOTER_LEN {
        return Err(TableError::TooShort(len as u64));
    }
    let footer = &file[len - FOOTER_LEN..];
    let mut magic = [0u8; 8];
    magic.copy_from_slice(&footer[40..48]);
    let magic = u64::from_le_bytes(magic);
    if magic != TABLE_MAGIC {
        return Err(TableError::BadMagic(magic));
    }
    let mut c = Cursor::new(&footer[..40]);
    let corrupt = |m: String| TableError::Corrupt(format!("footer: {m}"));
    let _meta = (
        c.varint64().map_err(corrupt)?,
        c.varint64().map_err(corrupt)?,
    );
    let index_handle = (
        c.varint64().map_err(corrupt)?,
        c.varint64().map_err(corrupt)?,
    );
    let body = &file[..len - FOOTER_LEN];
    let index = read_block(body, index_handle)?;
    let index_entries = block_entries(index, index_handle.0, &mut KeyBudget::new(len))?;
    let mut budget = KeyBudget::new(len);
    let mut out: Entries<'_> = Vec::new();
    for (i, (_, handle)) in index_entries.iter().enumerate() {
        let mut h = Cursor::new(handle);
        let herr =
            |m: String| TableError::Corrupt(format!("index entry {i}: bad block handle: {m}"));
        let handle = (h.varint64().map_err(herr)?, h.varint64().map_err(herr)?);
        let block = read_block(body, handle)?;
        out.extend(block_entries(block, handle.0, &mut budget)?);
    }
    for w in out.windows(2) {
        if w[0].0 >= w[1].0 {
            return Err(TableError::Corrupt(format!(
                "keys out of order: {:?} is not before {:?}",
                String::from_utf8_lossy(&w[0].0),
                String::from_utf8_lossy(&w[1].0)
            )));
        }
    }
    Ok(out)
}

/// Checks a block's bounds, compression byte and masked crc32c; returns its contents.
fn read_block(body: &[u8], (offset, size): (u64, u64)) -> Result<&[u8], TableError> {
    let end = offset
        .checked_add(size)
        .and_then(|e| e.checked_add(TRAILER_LEN as u64))
        .filter(|&e| e <= body.len() as u64)
        .ok_or_else(|| {
            TableError::Corrupt(format!(
                "block handle ({offset}, {size}) points past the end of the table ({} bytes before the footer)",
                body.len()
            ))
        })?;
    let (start, end) = (offset as usize, end as usize);
    let contents = &body[start..end - TRAILER_LEN];
    let kind = body[end - TRAILER_LEN];
    let mut s = [0u8; 4];
    s.copy_from_slice(&body[end - 4..end]);
    let stored = unmask_crc(u32::from_le_bytes(s));
    let computed = crc32c::crc32c_append(crc32c::crc32c(contents), &[kind]);
    // Under `cargo fuzz` (cfg fuzzing) block checksums are not enforced, so
    // the fuzzer can reach the block, entry and proto parsers behind them.
    if stored != computed && !cfg!(fuzzing) {
        return Err(TableError::BlockChecksum {
            offset,
            stored,
            computed,
        });
    }
    if kind != 0 {
        return Err(TableError::Compressed { offset, kind });
    }
    Ok(contents)
}

struct KeyBudget(u64);

impl KeyBudget {
    fn new(file_len: usize) -> Self {
        KeyBudget((file_len as u64).saturating_mul(32).saturating_add(1 << 20))
    }
}

fn block_entries<'a>(
    block: &'a [u8],
    offset: u64,
    budget: &mut KeyBudget,
) -> Result<Entries<'a>, TableError> {
    let err = |m: String| TableError::Corrupt(format!("block at offset {offset}: {m}"));
    if block.len() < 4 {
        return Err(err("shorter than its restart count".into()));
    }
    let mut n = [0u8; 4];
    n.copy_from_slice(&block[block.len() - 4..]);
    let num_restarts = u32::from_le_bytes(n) as usize;
    let max_restarts = (block.len() - 4) / 4;
    if num_restarts > max_restarts {
        return Err(err(format!("{num_restarts} restart points do not fit")));
    }
    let data_end = block.len() - 4 - 4 * num_restarts;
    if num_restarts == 0 && data_end > 0 {
        return Err(err("entries but no restart points".into()));
    }
    let mut c = Cursor::new(&block[..data_end]);
    let mut out: Entries<'a> = Vec::new();
    let mut key: Vec<u8> = Vec::new();
    while !c.is_empty() {
        let at = c.pos();
        let shared = c.varint32().map_err(&err)? as usize;
        let non_shared = c.varint32().map_err(&err)?;
        let value_len = c.varint32().map_err(&err)?;
        if shared > key.len() {
            return Err(err(format!(
                "entry at {at} shares {shared} bytes with a {}-byte key",
                key.len()
            )));
        }
        let delta = c.bytes(u64::from(non_shared)).map_err(&err)?;
        let value = c.bytes(u64::from(value_len)).map_err(&err)?;
        let new_len = (shared + delta.len()) as u64;
        if new_len > budget.0 {
            return Err(err("keys add up to more than the table could hold".into()));
        }
        budget.0 -= new_len;
        key.truncate(shared);
        key.extend_from_slice(delta);
        out.push((key.clone(), value));
    }
    Ok(out)
}

/// Builds one block exactly like LevelDB's `BlockBuilder`.
struct BlockBuilder {
    buf: Vec<u8>,
    restarts: Vec<u32>,
    counter: usize,
    interval: usize,
    last_key: Vec<u8>,
}

impl BlockBuilder {
    fn new(interval: usize) -> Self {
        BlockBuilder {
            buf: Vec::new(),
            restarts: vec![0],
            counter: 0,
            interval,
            last_key: Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    fn size_estimate(&self) -> usize {
        self.buf.len() + 4 * self.restarts.len() + 4
    }

    fn add(&mut self, key: &[u8], value: &[u8]) {
        let mut shared = 0;
        if self.counter < self.interval {
            let n = self.last_key.len().min(key.len());
            while shared < n && self.last_key[shared] == key[shared] {
                shared += 1;
            }
        } else {
            self.restarts.push(self.buf.len() as u32);
            self.counter = 0;
        }
        put_varint(&mut self.buf, shared as u64);
        put_varint(&mut self.buf, (key.len() - shared) as u64);
        put_varint(&mut self.buf, value.len() as u64);
        self.buf.extend_from_slice(&key[shared..]);
        self.buf.extend_from_slice(value);
        self.last_key.clear();
        self.last_key.extend_from_slice(key);
        self.counter += 1;
    }

    fn finish(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.buf);
        for r in &self.restarts {
            out.extend_from_slice(&r.to_le_bytes());
        }
        out.extend_from_slice(&(self.restarts.len() as u32).to_le_bytes());
        self.restarts = vec![0];
        self.counter = 0;
        self.last_key.clear();
        out
    }
}

/// LevelDB's `BytewiseComparator::FindShortestSeparator`.
fn shortest_separator(start: &mut Vec<u8>, limit: &[u8]) {
    let min_len = start.len().min(limit.len());
    let mut i = 0;
    while i < min_len && start[i] == limit[i] {
        i += 1;
    }
    if i < min_len {
        let b = start[i];
        if b < 0xff && b + 1 < limit[i] {
            start[i] += 1;
            start.truncate(i + 1);
        }
    }
}

/// LevelDB's `BytewiseComparator::FindShortSuccessor`.
fn short_successor(key: &mut Vec<u8>) {
    if let Some(i) = key.iter().position(|&b| b != 0xff) {
        key[i] += 1;
        key.truncate(i + 1);
    }
}

/// Writes a table exactly like TF's `table::TableBuilder` with the bundle
/// writer's options (no compression, 256 KiB blocks, restart interval 16,
/// index restart interval 1). Keys must be added in strictly increasing order.
pub struct TableBuilder {
    out: Vec<u8>,
    data: BlockBuilder,
    index: BlockBuilder,
    last_key: Vec<u8>,
    pending_handle: Option<(u64, u64)>,
}

impl Default for TableBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl TableBuilder {
    pub fn new() -> Self {
        TableBuilder {
            out: Vec::new(),
            data: BlockBuilder::new(RESTART_INTERVAL),
            index: BlockBuilder::new(1),
            last_key: Vec::new(),
            pending_handle: None,
        }
    }

    pub fn add(&mut self, key: &[u8], value: &[u8]) {
        if let Some(handle) = self.pending_handle.take() {
            shortest_separator(&mut self.last_key, key);
            let h = encode_handle(handle);
            self.index.add(&self.last_key, &h);
        }
        self.last_key.clear();
        self.last_key.extend_from_slice(key);
        self.data.add(key, value);
        if self.data.size_estimate() >= BLOCK_SIZE {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.data.is_empty() {
            return;
        }
        let contents = self.data.finish();
        self.pending_handle = Some(self.write_block(&contents));
    }

    fn write_block(&mut self, contents: &[u8]) -> (u64, u64) {
        let handle = (self.out.len() as u64, contents.len() as u64);
        self.out.extend_from_slice(contents);
        let crc = crc32c::crc32c_append(crc32c::crc32c(contents), &[0]);
        self.out.push(0);
        self.out.extend_from_slice(&mask_crc(crc).to_le_bytes());
        handle
    }

    pub fn finish(mut self) -> Vec<u8> {
        self.flush();
        let meta = BlockBuilder::new(RESTART_INTERVAL).finish();
        let meta_handle = self.write_block(&meta);
        if let Some(handle) = self.pending_handle.take() {
            short_successor(&mut self.last_key);
            let h = encode_handle(handle);
            self.index.add(&self.last_key, &h);
        }
        let index = self.index.finish();
        let index_handle = self.write_block(&index);
        let mut footer = encode_handle(meta_handle);
        footer.extend_from_slice(&encode_handle(index_handle));
        footer.resize(40, 0);
        footer.extend_from_slice(&TABLE_MAGIC.to_le_bytes());
        self.out.extend_from_slice(&footer);
        self.out
    }
}

fn encode_handle((offset, size): (u64, u64)) -> Vec<u8> {
    let mut v = Vec::new();
    put_varint(&mut v, offset);
    put_varint(&mut v, size);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_match_leveldb() {
        let mut s = b"abcd".to_vec();
        shortest_separator(&mut s, b"abzz");
        assert_eq!(s, b"abd");
        let mut s = b"abc".to_vec();
        shortest_separator(&mut s, b"abd"); // c+1 == d: keep whole
        assert_eq!(s, b"abc");
        let mut s = b"third".to_vec();
        short_successor(&mut s);
        assert_eq!(s, b"u");
        let mut s = vec![0xff, 0xff];
        short_successor(&mut s);
        assert_eq!(s, vec![0xff, 0xff]);
    }

    #[test]
    fn build_then_read() {
        let mut b = TableBuilder::new();
        let keys: Vec<String> = (0..2000)
            .map(|i| format!("key/{i:06}/{}", "x".repeat(200)))
            .collect();
        for k in &keys {
            b.add(k.as_bytes(), b"value");
        }
        let bytes = b.finish();
        let got = read_table(&bytes).unwrap();
        assert_eq!(got.len(), keys.len());
        for ((k, v), want) in got.iter().zip(&keys) {
            assert_eq!(k, want.as_bytes());
            assert_eq!(*v, b"value");
        }
    }

    #[test]
    fn every_truncation_and_bit_flip_is_an_error_not_a_panic() {
        let mut b = TableBuilder::new();
        b.add(b"", b"h");
        b.add(b"a", b"1");
        b.add(b"b", b"2");
        let bytes = b.finish();
        for n in 0..bytes.len() {
            assert!(read_table(&bytes[..n]).is_err(), "truncated to {n}");
        }
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut c = bytes.clone();
                c[i] ^= 1 << bit;
                let _ = read_table(&c); // must not panic; most flips are caught
            }
        }
    }
}
