//! Hand-built partitioned variables whose slice keys or slice specs are
//! damaged or inconsistent: typed errors naming the tensor, never a panic;
//! and a valid file holding only some partitions opens, lists, and names
//! what is missing when read whole.

#![forbid(unsafe_code)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use scope_checkpoint::fuzzing::{build_table, encode_entry, encode_full_entry, encode_slice_key};
use scope_checkpoint::{CheckpointError, CheckpointReader, SliceError};

const MASK_DELTA: u32 = 0xa282_ead8;
fn mask(c: u32) -> u32 {
    c.rotate_right(15).wrapping_add(MASK_DELTA)
}

/// `v`, f32 [4], in two slices over the intact fixture's data (bytes 0..8
/// hold 1, 2 and bytes 8..16 hold 3, 4).
fn slice_entry(offset: u64, dtype: u32) -> Vec<u8> {
    let data =
        std::fs::read(ckpts().join("corrupt/intact/small.ckpt.data-00000-of-00001")).unwrap();
    let crc = crc32c::crc32c(&data[offset as usize..offset as usize + 8]);
    encode_entry(dtype, &[2], 0, offset, 8, mask(crc))
}

/// Index entries: (key, value).
type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

fn write(dir: &Path, mut pairs: Pairs) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(
        ckpts().join("corrupt/intact/small.ckpt.data-00000-of-00001"),
        dir.join("x.ckpt.data-00000-of-00001"),
    )
    .unwrap();
    pairs.push((Vec::new(), vec![0x08, 0x01, 0x1a, 0x02, 0x08, 0x01]));
    pairs.sort();
    let refs: Vec<(&[u8], &[u8])> = pairs.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    std::fs::write(dir.join("x.ckpt.index"), build_table(&refs)).unwrap();
    dir.join("x.ckpt")
}

fn good_pairs() -> Pairs {
    vec![
        (
            b"v".to_vec(),
            encode_full_entry(1, &[4], 0, &[&[(0, 2)], &[(2, 2)]]),
        ),
        (encode_slice_key("v", &[(0, 2)]), slice_entry(0, 1)),
        (encode_slice_key("v", &[(2, 2)]), slice_entry(8, 1)),
    ]
}

fn bad_slice(prefix: &Path, tensor: &str) -> SliceError {
    match CheckpointReader::open(prefix) {
        Err(e @ CheckpointError::BadSlice { .. }) => {
            assert_eq!(e.tensor(), Some(tensor), "{e}");
            assert!(e.is_corruption());
            assert!(
                e.to_string()
                    .contains(&format!("partitioned tensor '{tensor}'")),
                "{e}"
            );
            let CheckpointError::BadSlice { source, .. } = e else {
                unreachable!()
            };
            source
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[test]
fn a_hand_built_partitioned_variable_reads_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let r = CheckpointReader::open(write(tmp.path(), good_pairs())).unwrap();
    assert_eq!(
        r.read_as::<f32>("v").unwrap().as_slice().unwrap(),
        &[1.0, 2.0, 3.0, 4.0]
    );
}

#[test]
fn damaged_or_inconsistent_slices_are_typed_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let case = |name: &str, edit: &dyn Fn(&mut Pairs)| {
        let mut p = good_pairs();
        edit(&mut p);
        let tensor = if name == "orphan" { "w" } else { "v" };
        bad_slice(&write(&tmp.path().join(name), p), tensor)
    };
    // The key cut short.
    let e = case("truncated", &|p| {
        let n = p[1].0.len() - 1;
        p[1].0.truncate(n);
    });
    assert!(matches!(e, SliceError::Truncated(_)), "{e}");
    // A slice key nobody lists.
    let e = case("unlisted", &|p| p[2].0 = encode_slice_key("v", &[(1, 2)]));
    assert!(
        matches!(e, SliceError::Overlap(..) | SliceError::Unlisted(_)),
        "{e}"
    );
    // A listed slice without an entry.
    let e = case("missing", &|p| {
        p.remove(2);
    });
    assert_eq!(e, SliceError::Missing("2,2".into()));
    // Specs outside the shape, overlapping, or duplicated.
    let e = case("bounds", &|p| {
        p[0].1 = encode_full_entry(1, &[4], 0, &[&[(0, 2)], &[(3, 2)]])
    });
    assert!(matches!(e, SliceError::OutOfBounds { .. }), "{e}");
    let e = case("overlap", &|p| {
        p[0].1 = encode_full_entry(1, &[4], 0, &[&[(0, 2)], &[(1, 2)], &[(2, 2)]])
    });
    assert!(matches!(e, SliceError::Overlap(..)), "{e}");
    let e = case("duplicate", &|p| {
        p[0].1 = encode_full_entry(1, &[4], 0, &[&[(0, 2)], &[(0, 2)], &[(2, 2)]])
    });
    assert!(matches!(e, SliceError::Duplicate(_)), "{e}");
    let e = case("rank", &|p| {
        p[0].1 = encode_full_entry(1, &[4], 0, &[&[(0, 2), (0, 1)], &[(2, 2)]])
    });
    assert!(matches!(e, SliceError::RankMismatch { .. }), "{e}");
    // A slice entry of another dtype than the full entry.
    let e = case("dtype", &|p| p[2].1 = slice_entry(8, 3));
    assert!(matches!(e, SliceError::Entry { .. }), "{e}");
    // A slice key of a tensor that has no full entry.
    let e = case("orphan", &|p| {
        p.push((encode_slice_key("w", &[(0, 2)]), slice_entry(0, 1)));
    });
    assert!(matches!(e, SliceError::Orphan(_)), "{e}");
    // A scalar cannot be partitioned.
    let e = case("scalar", &|p| {
        p[0].1 = encode_full_entry(1, &[], 0, &[&[(0, 2)]])
    });
    assert_eq!(e, SliceError::Scalar);
}

#[test]
fn a_file_with_only_some_partitions_is_valid_but_cannot_be_read_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = good_pairs();
    p[0].1 = encode_full_entry(1, &[4], 0, &[&[(2, 2)]]);
    p.remove(1);
    let r = CheckpointReader::open(write(tmp.path(), p)).unwrap();
    assert_eq!(r.entries()[0].shape, [4]);
    let e = r.read("v").unwrap_err();
    assert!(
        !e.is_corruption(),
        "a valid TF file is never called damaged: {e}"
    );
    assert!(
        matches!(
            e,
            CheckpointError::MissingSlices {
                covered: 2,
                total: 4,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("read_slice"), "{e}");
    let part = r.read_slice("v", 0).unwrap().into_array::<f32>().unwrap();
    assert_eq!(part.as_slice().unwrap(), &[3.0, 4.0]);
}

#[test]
fn a_damaged_slice_checksum_names_the_slice() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = good_pairs();
    p[2].1 = encode_entry(1, &[2], 0, 8, 8, mask(12345));
    let r = CheckpointReader::open(write(tmp.path(), p)).unwrap();
    let e = r.read("v").unwrap_err();
    assert!(matches!(e, CheckpointError::DataChecksum { .. }), "{e}");
    assert_eq!(e.tensor(), Some("v (slice 2,2)"));
    // The other slice still reads alone.
    assert!(r.read_slice("v", 0).is_ok());
}
