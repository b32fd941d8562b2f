//! Partitioned variables that TF's own `Saver` wrote (`fixtures/checkpoints/partitioned`
//! on one device, `partitioned_sharded` with partitions on three devices
//! and `Saver(sharded=True)`): full tensors, single slices, read_into, and
//! damaged slice keys and specs.

#![forbid(unsafe_code)]

mod common;

use common::*;
use scope_checkpoint::{open, CheckpointError, CheckpointReader, TensorSlice};

const DIRS: [&str; 2] = ["partitioned", "partitioned_sharded"];

#[test]
fn full_tensors_equal_what_tf_saved() {
    for dir in DIRS {
        let v = json(ckpts().join(dir).join("values.json"));
        let r = CheckpointReader::open(ckpts().join(dir)).unwrap();
        let tensors = v["tensors"].as_array().unwrap();
        let names: Vec<&str> = r.entries().iter().map(|e| e.name.as_str()).collect();
        let want: Vec<&str> = tensors
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names, want,
            "{dir}: one entry per variable, slice keys hidden"
        );
        for t in tensors {
            let name = t["name"].as_str().unwrap();
            let info = r.info(name).unwrap();
            assert_eq!(info.shape, shape_of(t), "{dir}/{name}");
            assert_eq!(info.dtype.name(), t["dtype"].as_str().unwrap());
            let d = r.read(name).unwrap();
            assert_eq!(d.shape(), &shape_of(t)[..], "{dir}/{name}");
            assert_eq!(flat(&d), expected(t), "{dir}/{name}");
            // read_into gives the same bytes as the owned read.
            let es = info.dtype.size().unwrap();
            let mut buf = vec![0u8; info.num_elements() * es];
            r.read_into(name, &mut buf).unwrap();
            let again = scope_checkpoint::TensorView::from_bytes(info.dtype, &info.shape, &buf)
                .map(|v| v.to_owned());
            if let Ok(again) = again {
                assert_eq!(again, d, "{dir}/{name}");
            }
            // The slices are TF's partitions, with TF's devices as shards.
            let slices = r.slices(name).unwrap();
            match t.get("slices").and_then(|s| s.as_array()) {
                None => assert!(slices.is_empty()),
                Some(want) => {
                    let want: Vec<TensorSlice> = want
                        .iter()
                        .map(|s| TensorSlice {
                            start: s["start"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|x| x.as_u64().unwrap() as usize)
                                .collect(),
                            length: s["length"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|x| x.as_u64().unwrap() as usize)
                                .collect(),
                        })
                        .collect();
                    let mut got = slices.clone();
                    got.sort_by(|a, b| a.start.cmp(&b.start));
                    let mut want_sorted = want.clone();
                    want_sorted.sort_by(|a, b| a.start.cmp(&b.start));
                    assert_eq!(got, want_sorted, "{dir}/{name}");
                }
            }
        }
        // Through the format-agnostic interface too.
        let any = open(ckpts().join(dir)).unwrap();
        let a = any.read_as::<f32>("embed/table").unwrap();
        assert_eq!(a.shape(), &[10, 3]);
        assert!(matches!(
            any.raw_bytes("embed/table"),
            Err(CheckpointError::Unsupported { .. })
        ));
    }
}

#[test]
fn one_slice_reads_alone_and_matches_the_full_tensor() {
    let r = CheckpointReader::open(ckpts().join("partitioned_sharded")).unwrap();
    let full = r.read_as::<f32>("dense/kernel").unwrap();
    let slices = r.slices("dense/kernel").unwrap();
    assert_eq!(slices.len(), 3);
    let shards = r.shard_ids("dense/kernel").unwrap();
    assert_eq!(shards.len(), 3);
    let mut distinct = shards.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        3,
        "the three parts are on three data shards"
    );
    for (k, s) in slices.iter().enumerate() {
        let part = r
            .read_slice("dense/kernel", k)
            .unwrap()
            .into_array::<f32>()
            .unwrap();
        assert_eq!(part.shape(), &s.length[..]);
        for i in 0..s.length[0] {
            for j in 0..s.length[1] {
                assert_eq!(part[[i, j]], full[[s.start[0] + i, s.start[1] + j]]);
            }
        }
    }
    assert!(matches!(
        r.read_slice("dense/kernel", 3),
        Err(CheckpointError::InvalidInput { .. })
    ));
    assert!(matches!(
        r.read_slice("dense/bias", 0),
        Err(CheckpointError::InvalidInput { .. })
    ));
    let mut short = vec![0u8; 4];
    assert!(matches!(
        r.read_into("dense/kernel", &mut short),
        Err(CheckpointError::BufferSize {
            expected: 72,
            got: 4,
            ..
        })
    ));
}
