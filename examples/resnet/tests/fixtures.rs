//! Runs the `resnet` binary on the shipped tiny model and the TF-written
//! configurations of `fixtures/` (`tools/tf-differential/resnet_fixture.py`),
//! and on broken inputs (exit 2) and a wrong expectation (exit 1).

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_resnet"))
        .args(args)
        .output()
        .expect("run resnet")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn check(dir: &Path, logits: &str, keys: &[&str]) {
    let out = run(&["--checkpoint", dir.to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}: {text}\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("weights ready: "), "{text}");
    assert!(text.contains(&format!("logits: {logits}\n")), "{text}");
    for k in keys {
        assert!(
            text.contains(&format!("  {k}: ")),
            "{k} not compared:\n{text}"
        );
    }
    let diff: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("max abs diff vs expected: "))
        .expect("diff line")
        .parse()
        .expect("a number");
    assert!(diff <= 1e-5, "{}: {diff}", dir.display());
}

#[test]
fn shipped_tiny_resnet_matches_tensorflow() {
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    check(
        &fixtures().join("tiny_resnet"),
        "[2, 1, 1, 10]",
        &["logits", "pool", "resnet_tiny/block1", "resnet_tiny/block2"],
    );
}

#[test]
fn atrous_output_stride_8_with_spatial_squeeze() {
    check(
        &fixtures().join("resnet_atrous_squeeze"),
        "[2, 7]",
        &[
            "logits",
            "pool",
            "predictions",
            "resnet_atrous/block4",
            "resnet_atrous/conv1",
        ],
    );
}

#[test]
fn no_root_block_no_pool_spatial_logits() {
    check(
        &fixtures().join("resnet_no_root_spatial"),
        "[3, 7, 7, 5]",
        &["logits", "net/b1", "net/b2", "predictions"],
    );
}

#[test]
fn no_classes_output_stride_16_default_scope() {
    check(
        &fixtures().join("resnet_no_classes_os16"),
        "[1, 1, 1, 16]",
        &["pool", "resnet_v1/block3", "resnet_v1/conv1"],
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("resnet_test_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    for e in std::fs::read_dir(fixtures().join("tiny_resnet")).expect("fixture") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).expect("copy");
    }
    dir
}

#[test]
fn a_wrong_expectation_exits_1() {
    let dir = scratch("wrong");
    let path = dir.join("expected.json");
    let text = std::fs::read_to_string(&path).expect("expected.json");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let x = &mut doc["resnet_tiny/block2"]["data"][5];
    *x = serde_json::json!(x.as_f64().unwrap() + 0.01);
    std::fs::write(&path, doc.to_string()).expect("write");
    let out = run(&["--checkpoint", dir.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn broken_inputs_exit_2() {
    let missing = run(&["--checkpoint", "/nonexistent/resnet"]);
    assert_eq!(missing.status.code(), Some(2));
    let dir = scratch("broken");
    std::fs::write(
        dir.join("config.json"),
        r#"{"scope": "resnet_tiny", "blocks": [{"scope": "block1", "base_depth": 4, "num_units": 1, "stride": 2}], "num_classes": 10}"#,
    )
    .expect("write");
    let out = run(&["--checkpoint", dir.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("resnet_tiny/"),
        "the message names the variables: {err}"
    );
    std::fs::write(
        dir.join("config.json"),
        r#"{"depth": 34, "num_classes": 10}"#,
    )
    .expect("write");
    let out = run(&["--checkpoint", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("depth 34"));
    let bad_repeat = run(&["--repeat", "x"]);
    assert_eq!(bad_repeat.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn repeat_prints_the_forward_median() {
    let out = run(&["--repeat", "2"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("forward median: "),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains(" s over 2 runs"));
}
