//! Every checkpoint and model directory under `fixtures/` still loads
//! after being copied to a fresh temporary directory (as a user copies,
//! downloads or moves one), and the damaged ones under
//! `fixtures/checkpoints/corrupt/` fail there exactly as they fail in place.

#![forbid(unsafe_code)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use scope_checkpoint::open;

/// Directories under `fixtures/` holding a checkpoint or a safetensors file.
fn fixture_dirs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![fixtures()];
    while let Some(d) = stack.pop() {
        let mut has = false;
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "index" || x == "safetensors")
            {
                has = true;
            }
        }
        if has {
            out.push(d);
        }
    }
    out.sort();
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

/// What a user sees from `scope-ckpt list`, with the directory's path
/// replaced so that the two places compare.
fn list(target: &Path, dir: &Path) -> (Option<i32>, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_scope-ckpt"))
        .arg("list")
        .arg(target)
        .output()
        .unwrap();
    let d = dir.display().to_string();
    let clean = |b: &[u8]| String::from_utf8_lossy(b).replace(&d, "<DIR>");
    (o.status.code(), clean(&o.stdout), clean(&o.stderr))
}

/// The result of reading every tensor: its values, or the error's text
/// with the directory's path replaced.
fn read_all(target: &Path, dir: &Path) -> Vec<String> {
    let d = dir.display().to_string();
    match open(target) {
        Err(e) => vec![format!("open: {}", e.to_string().replace(&d, "<DIR>"))],
        Ok(src) => src
            .entries()
            .iter()
            .map(|e| match src.read(&e.name) {
                Ok(data) => format!("{}: {:?}", e.name, flat(&data)),
                Err(err) => format!("{}: error {}", e.name, err.to_string().replace(&d, "<DIR>")),
            })
            .collect(),
    }
}

/// The things to open in a fixture directory: the directory itself, each
/// prefix and each safetensors file.
fn targets(dir: &Path) -> Vec<PathBuf> {
    let mut t = vec![PathBuf::new()];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".index") {
            t.push(PathBuf::from(stem));
        } else if name.ends_with(".safetensors") {
            t.push(PathBuf::from(name));
        }
    }
    t.sort();
    t
}

#[test]
fn every_fixture_directory_loads_the_same_after_a_copy() {
    let dirs = fixture_dirs();
    assert!(
        dirs.len() >= 15,
        "found only {} fixture directories",
        dirs.len()
    );
    let mut failing_in_place = 0;
    for dir in &dirs {
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join(dir.file_name().unwrap());
        copy_dir(dir, &copy);
        let corrupt = dir.parent().is_some_and(|p| p.ends_with("corrupt"));
        for rel in targets(dir) {
            let (a, b) = (dir.join(&rel), copy.join(&rel));
            let here = list(&a, dir);
            let there = list(&b, &copy);
            assert_eq!(here, there, "scope-ckpt list {}", a.display());
            let (ra, rb) = (read_all(&a, dir), read_all(&b, &copy));
            assert_eq!(ra, rb, "reading every tensor of {}", a.display());
            let failed = here.0 != Some(0)
                || ra
                    .iter()
                    .any(|l| l.contains("error") || l.starts_with("open:"));
            if corrupt && !dir.ends_with("intact") {
                assert!(failed, "{} should fail", a.display());
                failing_in_place += 1;
            } else {
                assert_eq!(here.0, Some(0), "{}: {}", a.display(), here.2);
                assert!(!failed, "{}: {ra:?}", a.display());
                // No relocation was needed: every state file is relative.
                assert!(!there.2.contains("note:"), "{}: {}", b.display(), there.2);
            }
        }
    }
    assert!(failing_in_place >= 6);
}

#[test]
fn list_reports_a_relocation() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("moved");
    copy_dir(&ckpts().join("sharded"), &copy);
    std::fs::write(
        copy.join("checkpoint"),
        "model_checkpoint_path: \"/nonexistent/run-17/model.ckpt\"\n",
    )
    .unwrap();
    let (code, out, err) = list(&copy, &copy);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.lines().count(), 7);
    assert!(
        err.starts_with("note: using <DIR>/model.ckpt instead of /nonexistent/run-17/model.ckpt: "),
        "{err}"
    );
}
