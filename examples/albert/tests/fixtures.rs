//! Runs the `albert` binary on every ALBERT fixture (the shipped tiny model
//! and `fixtures/albert_other_config`) and on broken inputs.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_albert"))
        .args(args)
        .output()
        .expect("run albert")
}

fn diff_of(out: &Output) -> f64 {
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("max abs diff vs expected: "))
        .unwrap_or_else(|| {
            panic!(
                "no diff line in:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    line.trim().parse().expect("a number")
}

fn check(dir: &str, outputs: &[&str]) -> String {
    let path = fixtures().join(dir);
    let out = run(&["--checkpoint", path.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{dir}: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The fixture README's tolerance.
    assert!(diff_of(&out) <= 1e-4, "{dir}: {text}");
    assert!(text.contains("weights ready: "), "{text}");
    for o in outputs {
        assert!(text.contains(&format!("{o}: [")), "{dir}: no {o} in {text}");
    }
    text
}

const ALL: &[&str] = &[
    "sequence_output",
    "pooled_output",
    "masked_lm_logits",
    "next_sentence_logits",
];

#[test]
fn shipped_tiny_albert_is_the_default_and_matches() {
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(diff_of(&out) <= 1e-4);
    let text = check("tiny_albert", ALL);
    assert!(
        text.contains("optimizer state (not loaded): global_step"),
        "{text}"
    );
}

#[test]
fn shared_groups_config_matches() {
    // 4 layers, 2 groups, 2 inner groups: every block used by two layers.
    let text = check("albert_other_config", ALL);
    assert!(text.contains("loaded 80 variables"), "{text}");
}

#[test]
fn repeat_and_errors() {
    let path = fixtures().join("tiny_albert");
    let out = run(&["--checkpoint", path.to_str().unwrap(), "--repeat", "2"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("forward median: "));
    assert_eq!(
        run(&["--checkpoint", "/nonexistent/albert"]).status.code(),
        Some(2)
    );
    // A BERT directory has no albert_config.json.
    let bert = fixtures().join("tiny_bert");
    assert_eq!(
        run(&["--checkpoint", bert.to_str().unwrap()]).status.code(),
        Some(2)
    );
}
