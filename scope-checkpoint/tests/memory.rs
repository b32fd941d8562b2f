//! Streaming conversion of a large checkpoint: peak resident memory of
//! `scope-ckpt convert` is bounded by the largest tensor, not the file.
//!
//! Ignored by default (it writes about 6 GB to the temp directory). Run:
//!
//! ```sh
//! cargo test --release -p scope-checkpoint --test memory -- --ignored --nocapture
//! ```
//!
//! Needs `/usr/bin/time` (GNU time): the figure is its `%M`, the maximum
//! resident set in KiB, which counts mapped file pages too.

#![forbid(unsafe_code)]

use std::path::Path;
use std::process::Command;

use ndarray::{ArrayD, IxDyn};
use scope_checkpoint::{CheckpointWriter, SaveOptions};

const TENSOR_BYTES: usize = 64 << 20;
const TENSORS: usize = 32; // 32 × 64 MiB = 2 GiB
const LIMIT_KIB: u64 = 300 * 1000 * 1000 / 1024; // 300 MB

/// Runs `scope-ckpt ARGS` under GNU time; returns its peak RSS in KiB.
fn peak_rss_kib(args: &[&dyn AsRef<std::ffi::OsStr>]) -> u64 {
    let o = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("PEAK_RSS_KIB %M")
        .arg(env!("CARGO_BIN_EXE_scope-ckpt"))
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .expect("/usr/bin/time (GNU time) is needed for this test");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{err}");
    err.lines()
        .find_map(|l| l.strip_prefix("PEAK_RSS_KIB "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no figure from /usr/bin/time: {err}"))
}

fn write_big_checkpoint(prefix: &Path) {
    let opts = SaveOptions {
        fsync: false,
        update_state_file: true,
    };
    let mut w = CheckpointWriter::create_with(prefix, &opts).unwrap();
    let n = TENSOR_BYTES / 4;
    for i in 0..TENSORS {
        let a = ArrayD::from_shape_fn(IxDyn(&[n / 1024, 1024]), |ix| {
            (i * 7 + ix[0] * 3 + ix[1]) as f32 * 0.5
        });
        w.add(&format!("layer_{i:02}/kernel"), &a).unwrap();
    }
    // Small tensors too, of several dtypes.
    w.add("z/step", &ndarray::arr0(7i64).into_dyn()).unwrap();
    w.finish().unwrap();
}

#[test]
#[ignore = "writes ~6 GB; run with --ignored (see the module docs)"]
fn two_gb_checkpoint_converts_within_300_mb() {
    let tmp = tempfile::tempdir().unwrap();
    let ckpt = tmp.path().join("big/model.ckpt");
    write_big_checkpoint(&ckpt);
    let st = tmp.path().join("big.safetensors");
    let back = tmp.path().join("back/model.ckpt");
    let to_st = peak_rss_kib(&[&"convert", &ckpt, &st, &"-q"]);
    let to_ckpt = peak_rss_kib(&[&"convert", &st, &back, &"--shards", &"3", &"-q"]);
    let diff = peak_rss_kib(&[&"diff", &ckpt, &back]);
    let file = std::fs::metadata(&st).unwrap().len();
    println!(
        "file {file} bytes, largest tensor {TENSOR_BYTES} bytes; peak RSS (KiB): checkpoint->safetensors {to_st}, safetensors->3 shards {to_ckpt}, diff {diff}"
    );
    assert!(
        to_st <= LIMIT_KIB,
        "checkpoint -> safetensors peaked at {to_st} KiB"
    );
    assert!(
        to_ckpt <= LIMIT_KIB,
        "safetensors -> checkpoint peaked at {to_ckpt} KiB"
    );
    // diff holds one tensor of each side.
    assert!(diff <= LIMIT_KIB, "diff peaked at {diff} KiB");
    let o = Command::new(env!("CARGO_BIN_EXE_scope-ckpt"))
        .args(["diff"])
        .arg(&ckpt)
        .arg(&back)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}
