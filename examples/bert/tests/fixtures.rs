//! Runs the `bert` binary on every BERT fixture (the shipped tiny model and
//! the `fixtures/README-bert.md` configurations) and on broken inputs.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bert"))
        .args(args)
        .output()
        .expect("run bert")
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
fn shipped_tiny_bert_is_the_default_and_matches() {
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(diff_of(&out) <= 1e-4);
    check("tiny_bert", ALL);
}

#[test]
fn other_config_matches() {
    check("bert_other_config", ALL);
}

#[test]
fn finetuned_slots_are_reported_as_optimizer_state() {
    let text = check("bert_finetuned_slots", ALL);
    assert!(
        text.contains("optimizer state (not loaded): 92 Adam slot(s)"),
        "{text}"
    );
    assert!(text.contains("global_step"), "{text}");
    assert!(!text.contains("unexpected tensor"), "{text}");
}

#[test]
fn no_heads_gives_encoder_outputs_only() {
    let text = check("bert_no_heads", &["sequence_output", "pooled_output"]);
    assert!(!text.contains("masked_lm_logits"), "{text}");
}

#[test]
fn release_layout_without_state_file_loads_the_one_prefix() {
    let text = check("bert_release_layout", ALL);
    assert!(text.contains("bert_model.ckpt"), "{text}");
}

#[test]
fn repeat_prints_the_median() {
    let path = fixtures().join("tiny_bert");
    let out = run(&["--checkpoint", path.to_str().unwrap(), "--repeat", "3"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("forward median: "));
    assert!(String::from_utf8_lossy(&out.stdout).contains(" s over 3 runs"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn a_wrong_expected_value_exits_1() {
    let tmp = std::env::temp_dir().join(format!("bert-wrong-{}", std::process::id()));
    copy_dir(&fixtures().join("tiny_bert"), &tmp);
    let text = std::fs::read_to_string(tmp.join("expected.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let x = v["pooled_output"]["data"][0].as_f64().unwrap();
    v["pooled_output"]["data"][0] = serde_json::json!(x + 0.01);
    std::fs::write(tmp.join("expected.json"), v.to_string()).unwrap();
    let out = run(&["--checkpoint", tmp.to_str().unwrap()]);
    std::fs::remove_dir_all(&tmp).ok();
    assert_eq!(out.status.code(), Some(1));
    assert!(diff_of(&out) > 1e-4);
}

#[test]
fn errors_exit_2() {
    // No such directory.
    assert_eq!(
        run(&["--checkpoint", "/nonexistent/bert"]).status.code(),
        Some(2)
    );
    // A config whose sizes do not match the checkpoint.
    let tmp = std::env::temp_dir().join(format!("bert-mismatch-{}", std::process::id()));
    copy_dir(&fixtures().join("tiny_bert"), &tmp);
    let text = std::fs::read_to_string(tmp.join("bert_config.json")).unwrap();
    std::fs::write(
        tmp.join("bert_config.json"),
        text.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3"),
    )
    .unwrap();
    let out = run(&["--checkpoint", tmp.to_str().unwrap()]);
    std::fs::remove_dir_all(&tmp).ok();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("layer_2"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Bad flag.
    assert_eq!(run(&["--bogus"]).status.code(), Some(2));
}

#[test]
fn other_unexpected_tensors_are_reported_and_fail_strict() {
    use scope_runtime::{get_variable, Graph, Initializer};
    let src = fixtures().join("tiny_bert");
    let tmp = std::env::temp_dir().join(format!("bert-extra-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for f in ["bert_config.json", "input.json", "expected.json"] {
        std::fs::copy(src.join(f), tmp.join(f)).unwrap();
    }
    {
        let config = bert::BertConfig::load(&src.join("bert_config.json")).unwrap();
        let inputs = bert::Inputs::load(&src.join("input.json")).unwrap();
        let graph = Graph::new();
        let _g = graph.as_default();
        bert::bert(&config, &inputs, true, true).unwrap();
        // Strict: training state (global_step) never fails a restore.
        let report = graph.restore(&src).unwrap();
        assert_eq!(report.optimizer_state, ["global_step"]);
        bert::load_with(&graph, &src, &bert::LoadOptions::lenient()).unwrap();
        get_variable("bert/extra_tensor")
            .shape(&[3])
            .initializer(Initializer::Ones)
            .get()
            .unwrap();
        graph.save_checkpoint(tmp.join("model.ckpt")).unwrap();
    }
    let out = run(&["--checkpoint", tmp.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("unexpected tensor (not loaded): bert/extra_tensor"),
        "{text}"
    );
    let strict = run(&["--checkpoint", tmp.to_str().unwrap(), "--strict"]);
    std::fs::remove_dir_all(&tmp).ok();
    assert_eq!(strict.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&strict.stderr).contains("bert/extra_tensor"));
}

#[test]
fn strict_still_accepts_optimizer_state() {
    let path = fixtures().join("bert_finetuned_slots");
    let out = run(&["--checkpoint", path.to_str().unwrap(), "--strict"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
