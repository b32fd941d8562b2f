//! The writer against TF's own sharded and partitioned saves: the same
//! tensors with the same tensor-to-shard assignment (and the same slices)
//! give byte-identical `.index` and `.data-*` files.

#![forbid(unsafe_code)]

mod common;

use std::path::Path;

use common::*;
use scope_checkpoint::{
    balance_shards, data_path, index_path, save_checkpoint_sharded_with, CheckpointReader,
    CheckpointWriter, SaveOptions, TensorData,
};

const OPTS: SaveOptions = SaveOptions {
    fsync: false,
    update_state_file: true,
};

/// Rewrites the TF checkpoint at `tf_prefix` with this crate's writer, the
/// tensors and slices in the shards TF put them in.
fn rewrite(tf_prefix: &Path, out: &Path) {
    let r = CheckpointReader::open(tf_prefix).unwrap();
    let mut w = CheckpointWriter::create_sharded_with(out, r.num_shards() as usize, &OPTS).unwrap();
    // Name order; a partitioned variable's slices in partition order.
    for e in r.entries() {
        let shards = r.shard_ids(&e.name).unwrap();
        let slices = r.slices(&e.name).unwrap();
        if slices.is_empty() {
            let d = r.read(&e.name).unwrap();
            w.add_to_shard(shards[0] as usize, &e.name, &d).unwrap();
            continue;
        }
        let mut order: Vec<usize> = (0..slices.len()).collect();
        order.sort_by(|&a, &b| slices[a].start.cmp(&slices[b].start));
        for k in order {
            let d = r.read_slice(&e.name, k).unwrap();
            w.add_slice(shards[k] as usize, &e.name, &e.shape, &slices[k], &d)
                .unwrap();
        }
    }
    w.finish().unwrap();
}

fn assert_same_files(a: &Path, b: &Path, shards: u32) {
    assert_eq!(
        std::fs::read(index_path(a)).unwrap(),
        std::fs::read(index_path(b)).unwrap(),
        "{}.index",
        a.display()
    );
    for k in 0..shards {
        assert_eq!(
            std::fs::read(data_path(a, k, shards)).unwrap(),
            std::fs::read(data_path(b, k, shards)).unwrap(),
            "{} shard {k}",
            a.display()
        );
    }
}

#[test]
fn sharded_and_partitioned_saves_are_byte_identical_to_tf() {
    for (dir, shards) in [
        ("partitioned", 1),
        ("partitioned_sharded", 3),
        ("sharded", 2),
    ] {
        let tf = ckpts().join(dir).join("model.ckpt");
        let tmp = tempfile::tempdir().unwrap();
        let ours = tmp.path().join("model.ckpt");
        rewrite(&tf, &ours);
        assert_same_files(&tf, &ours, shards);
        // The state file too (relative, as the fixtures were saved).
        assert_eq!(
            std::fs::read(ckpts().join(dir).join("checkpoint")).unwrap(),
            std::fs::read(tmp.path().join("checkpoint")).unwrap()
        );
    }
}

#[test]
fn save_checkpoint_sharded_takes_an_explicit_assignment() {
    let tf = ckpts().join("sharded/model.ckpt");
    let r = CheckpointReader::open(&tf).unwrap();
    let tensors: Vec<(String, usize, TensorData)> = r
        .entries()
        .iter()
        .rev() // any order in, name order out
        .map(|e| {
            let shard = r.shard_ids(&e.name).unwrap()[0] as usize;
            (e.name.clone(), shard, r.read(&e.name).unwrap())
        })
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let ours = tmp.path().join("model.ckpt");
    save_checkpoint_sharded_with(&ours, 2, tensors.iter().map(|(n, k, d)| (n, *k, d)), &OPTS)
        .unwrap();
    assert_same_files(&tf, &ours, 2);
}

#[test]
fn bad_shard_and_slice_arguments_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("m");
    let a = ndarray::ArrayD::<f32>::zeros(ndarray::IxDyn(&[2, 3]));
    let mut w = CheckpointWriter::create_sharded_with(&p, 2, &OPTS).unwrap();
    assert!(w.add_to_shard(2, "x", &a).is_err());
    let s = scope_checkpoint::TensorSlice {
        start: vec![0, 0],
        length: vec![2, 3],
    };
    // Slice shape must match the tensor given; must lie inside the full shape.
    assert!(w
        .add_slice(
            0,
            "v",
            &[4, 3],
            &scope_checkpoint::TensorSlice {
                start: vec![0, 0],
                length: vec![1, 3]
            },
            &a
        )
        .is_err());
    assert!(w
        .add_slice(
            0,
            "v",
            &[4, 3],
            &scope_checkpoint::TensorSlice {
                start: vec![3, 0],
                length: vec![2, 3]
            },
            &a
        )
        .is_err());
    w.add_slice(0, "v", &[4, 3], &s, &a).unwrap();
    // Overlap.
    assert!(w
        .add_slice(
            1,
            "v",
            &[4, 3],
            &scope_checkpoint::TensorSlice {
                start: vec![1, 0],
                length: vec![2, 3]
            },
            &a
        )
        .is_err());
    w.add_slice(
        1,
        "v",
        &[4, 3],
        &scope_checkpoint::TensorSlice {
            start: vec![2, 0],
            length: vec![2, 3],
        },
        &a,
    )
    .unwrap();
    assert!(CheckpointWriter::create_sharded_with(tmp.path().join("z"), 0, &OPTS).is_err());
    w.finish().unwrap();
    let r = CheckpointReader::open(&p).unwrap();
    assert_eq!(r.entries().len(), 1);
    assert_eq!(r.slices("v").unwrap().len(), 2);
    assert_eq!(r.read_as::<f32>("v").unwrap().shape(), &[4, 3]);
}

#[test]
fn balance_spreads_by_size() {
    let sizes = [100, 10, 60, 50, 40, 1];
    let k = balance_shards(&sizes, 3);
    let mut load = [0u64; 3];
    for (i, &s) in sizes.iter().enumerate() {
        load[k[i]] += s;
    }
    assert_eq!(load.iter().max(), Some(&100));
    assert_eq!(load.iter().sum::<u64>(), 261);
    assert_eq!(balance_shards(&[5, 5], 1), vec![0, 0]);
}
