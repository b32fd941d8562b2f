//! A `checkpoint` state file that names prefixes which do not exist (the
//! directory was moved, copied or downloaded from the machine that trained
//! the model): the prefix of the same file name next to the state file is
//! used, and the reader says so.

#![forbid(unsafe_code)]

mod common;

use std::path::Path;

use common::*;
use scope_checkpoint::{
    all_checkpoints, latest_checkpoint, latest_checkpoint_located, open, CheckpointError,
    CheckpointReader, TensorSource,
};

/// A copy of `fixtures/checkpoints/latest` (weights-10 and weights-20) with
/// the given state file.
fn moved_dir(state: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(ckpts().join("latest")).unwrap() {
        let f = f.unwrap().path();
        if f.file_name().unwrap() != "checkpoint" {
            std::fs::copy(&f, d.path().join(f.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(d.path().join("checkpoint"), state).unwrap();
    d
}

fn value_of_kernel(r: &dyn TensorSource) -> Vec<f32> {
    r.read_as::<f32>("dense/kernel")
        .unwrap()
        .iter()
        .copied()
        .collect()
}

fn expected_kernel(ckpt: &str) -> Vec<f32> {
    let v = json(ckpts().join("latest/values.json"));
    let t = v["checkpoints"][ckpt]["tensors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "dense/kernel")
        .unwrap()
        .clone();
    t["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

#[test]
fn absolute_path_from_another_machine_uses_the_local_prefix() {
    let foreign = "/nonexistent/run-17/weights-20";
    let d = moved_dir(&format!(
        "model_checkpoint_path: \"{foreign}\"\nall_model_checkpoint_paths: \"/nonexistent/run-17/weights-10\"\nall_model_checkpoint_paths: \"{foreign}\"\n"
    ));
    let r = CheckpointReader::open(d.path()).unwrap();
    assert_eq!(r.prefix(), d.path().join("weights-20"));
    let res = r.resolution().expect("relocated");
    assert_eq!(res.named, foreign);
    assert_eq!(res.prefix, d.path().join("weights-20"));
    let text = res.to_string();
    assert!(
        text.contains(foreign) && text.contains("does not exist"),
        "{text}"
    );
    assert_eq!(value_of_kernel(&r), expected_kernel("weights-20"));
    // The same through `open` and `latest_checkpoint`.
    let any = open(d.path()).unwrap();
    assert_eq!(any.resolution(), Some(res));
    assert_eq!(
        latest_checkpoint(d.path()).unwrap(),
        d.path().join("weights-20")
    );
    // A prefix given directly needs no relocation.
    assert!(open(d.path().join("weights-20"))
        .unwrap()
        .resolution()
        .is_none());
}

#[test]
fn windows_path_from_another_machine() {
    let d = moved_dir("model_checkpoint_path: \"D:\\\\runs\\\\17\\\\weights-10\"\n");
    let l = latest_checkpoint_located(d.path()).unwrap();
    assert_eq!(l.prefix, d.path().join("weights-10"));
    assert_eq!(l.resolution.unwrap().named, "D:\\runs\\17\\weights-10");
}

#[test]
fn relative_path_that_does_not_resolve_uses_the_local_prefix() {
    let d = moved_dir("model_checkpoint_path: \"train/run-17/weights-10\"\n");
    let r = CheckpointReader::open(d.path()).unwrap();
    assert_eq!(r.prefix(), d.path().join("weights-10"));
    assert_eq!(r.resolution().unwrap().named, "train/run-17/weights-10");
    assert_eq!(value_of_kernel(&r), expected_kernel("weights-10"));
}

#[test]
fn existing_paths_are_used_as_named() {
    let d = moved_dir(
        "model_checkpoint_path: \"weights-10\"\nall_model_checkpoint_paths: \"weights-10\"\n",
    );
    let r = CheckpointReader::open(d.path()).unwrap();
    assert!(r.resolution().is_none());
    // An absolute path that exists is used as is.
    let abs = d.path().join("weights-20");
    let d2 = moved_dir(&format!("model_checkpoint_path: \"{}\"\n", abs.display()));
    let l = latest_checkpoint_located(d2.path()).unwrap();
    assert_eq!((l.prefix, l.resolution), (abs, None));
}

#[test]
fn all_model_checkpoint_paths_entries_are_relocated() {
    let d = moved_dir(
        "model_checkpoint_path: \"/nonexistent/run-17/weights-20\"\nall_model_checkpoint_paths: \"/nonexistent/run-17/weights-10\"\nall_model_checkpoint_paths: \"weights-20\"\n",
    );
    let all = all_checkpoints(d.path()).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].prefix, d.path().join("weights-10"));
    assert_eq!(
        all[0].resolution.as_ref().unwrap().named,
        "/nonexistent/run-17/weights-10"
    );
    assert_eq!(all[1].prefix, d.path().join("weights-20"));
    assert!(all[1].resolution.is_none());
    for l in &all {
        CheckpointReader::open(&l.prefix).unwrap();
    }
}

fn assert_missing_everywhere(dir: &Path, named: &str, err: CheckpointError) {
    let CheckpointError::StateFile { path, detail } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(path, &dir.join("checkpoint"));
    let msg = err.to_string();
    assert!(msg.contains(named), "{msg}");
    assert!(detail.contains("does not exist"), "{msg}");
    assert!(
        msg.contains(&dir.join("model.ckpt.index").display().to_string()),
        "{msg}"
    );
    assert!(msg.contains("copy the checkpoint"), "{msg}");
}

#[test]
fn index_missing_everywhere_is_a_clear_error() {
    let named = "/nonexistent/run-17/model.ckpt";
    let d = moved_dir(&format!("model_checkpoint_path: \"{named}\"\n"));
    assert_missing_everywhere(
        d.path(),
        named,
        CheckpointReader::open(d.path()).unwrap_err(),
    );
    assert_missing_everywhere(d.path(), named, open(d.path()).err().unwrap());
    // A relative one too.
    let d = moved_dir("model_checkpoint_path: \"model.ckpt\"\n");
    let e = latest_checkpoint(d.path()).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, CheckpointError::StateFile { .. }), "{msg}");
    assert!(msg.contains("model.ckpt.index does not exist"), "{msg}");
    // all_model_checkpoint_paths: the first missing entry is named.
    let d = moved_dir("model_checkpoint_path: \"weights-20\"\nall_model_checkpoint_paths: \"/nonexistent/run-17/model.ckpt\"\n");
    assert_missing_everywhere(d.path(), named, all_checkpoints(d.path()).unwrap_err());
}

/// Tests that need a foreign absolute path build it at run time or use
/// `/nonexistent/...`; no shipped data file may carry one.
#[test]
fn no_fixture_data_file_holds_a_temporary_or_home_path() {
    let mut needles: Vec<String> = [
        "/tmp/",
        "/var/tmp/",
        "/var/folders/",
        "/private/var/",
        "/home/",
        "/root/",
        "/Users/",
        "\\Users\\",
        "\\AppData\\",
        "\\Temp\\",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for dir in [
        std::env::temp_dir(),
        std::env::var_os("HOME").map(Into::into).unwrap_or_default(),
    ] {
        let s = dir.to_string_lossy().trim_end_matches('/').to_string();
        if s.len() > 1 {
            needles.push(s);
        }
    }
    let mut checked = 0;
    let mut stack = vec![fixtures()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            // Text files: state files, JSON, notes. Bundles and safetensors are binary.
            let Ok(text) = String::from_utf8(std::fs::read(&p).unwrap()) else {
                continue;
            };
            checked += 1;
            for n in &needles {
                assert!(
                    !text.contains(n.as_str()),
                    "{} contains the absolute path `{n}`; fixtures must be relocatable (use relative paths, e.g. Saver(save_relative_paths=True))",
                    p.display()
                );
            }
        }
    }
    assert!(
        checked >= 30,
        "only {checked} text files found under fixtures/"
    );
}
