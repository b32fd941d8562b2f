//! GPT-2 against TensorFlow: names, shapes and order equal the manifest;
//! logits equal TF's from the checkpoint and from safetensors; a save and
//! reload with our writer changes nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use gpt2::{build, load_json_array, load_tokens, max_abs_diff, model, HParams};
use ndarray::Array3;
use scope_runtime::Graph;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

fn built(dir: &Path) -> (Graph, HParams) {
    let hparams = HParams::load(&dir.join("hparams.json")).unwrap();
    let graph = Graph::with_seed(1);
    {
        let _d = graph.as_default();
        build(&hparams).unwrap();
    }
    (graph, hparams)
}

fn logits(graph: &Graph, hparams: &HParams, dir: &Path) -> Array3<f32> {
    let _d = graph.as_default();
    model(hparams, &load_tokens(&dir.join("input.json")).unwrap()).unwrap()
}

fn expected_diff(dir: &Path, logits: &Array3<f32>) -> f32 {
    let expected = load_json_array(&dir.join("expected_logits.json")).unwrap();
    max_abs_diff(logits, &expected).expect("same shape as TF's logits")
}

#[test]
fn variables_match_the_manifest_in_names_shapes_and_order() {
    for name in ["tiny_gpt2", "tiny_gpt2_sharp"] {
        let dir = fixture(name);
        let (graph, _) = built(&dir);
        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap())
                .unwrap();
        let expected: Vec<(String, Vec<usize>, String)> = manifest["variables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["name"].as_str().unwrap().to_string(),
                    v["shape"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|d| d.as_u64().unwrap() as usize)
                        .collect(),
                    v["dtype"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let got: Vec<(String, Vec<usize>, String)> = graph
            .variables()
            .iter()
            .map(|v| {
                (
                    v.op_name().to_string(),
                    v.shape().to_vec(),
                    v.dtype().name().to_string(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn logits_match_tensorflow_from_checkpoint_and_safetensors() {
    for name in ["tiny_gpt2", "tiny_gpt2_sharp"] {
        let dir = fixture(name);
        for weights in [dir.clone(), dir.join("model.safetensors")] {
            let (graph, hparams) = built(&dir);
            let before = expected_diff(&dir, &logits(&graph, &hparams, &dir));
            let report = graph.restore(&weights).unwrap();
            assert_eq!(report.loaded.len(), 28);
            let diff = expected_diff(&dir, &logits(&graph, &hparams, &dir));
            assert!(
                diff <= 1e-5,
                "{name} from {}: max abs diff {diff}",
                weights.display()
            );
            assert!(
                before > 1e-3,
                "random weights must not already match ({before})"
            );
        }
    }
}

#[test]
fn save_and_reload_with_our_writer_gives_identical_logits() {
    let dir = fixture("tiny_gpt2_sharp");
    let (graph, hparams) = built(&dir);
    graph.restore(&dir).unwrap();
    let original = logits(&graph, &hparams, &dir);

    let tmp = tempfile::tempdir().unwrap();
    graph
        .save_checkpoint(tmp.path().join("model.ckpt"))
        .unwrap();
    graph
        .save_safetensors(tmp.path().join("model.safetensors"))
        .unwrap();
    for weights in [
        tmp.path().to_path_buf(),
        tmp.path().join("model.safetensors"),
    ] {
        let (again, _) = built(&dir);
        again.restore(&weights).unwrap();
        assert_eq!(
            logits(&again, &hparams, &dir),
            original,
            "{}",
            weights.display()
        );
    }
    // The index we write is byte-identical to TensorFlow's for the same tensors.
    assert_eq!(
        std::fs::read(tmp.path().join("model.ckpt.index")).unwrap(),
        std::fs::read(dir.join("model.ckpt.index")).unwrap()
    );
}

#[test]
fn cli_reports_the_difference_and_fails_on_wrong_logits() {
    let bin = env!("CARGO_BIN_EXE_gpt2");
    let dir = fixture("tiny_gpt2_sharp");
    let out = Command::new(bin)
        .arg("--checkpoint")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last = stdout.lines().last().unwrap();
    let x: f32 = last
        .strip_prefix("max abs diff vs expected: ")
        .unwrap()
        .parse()
        .unwrap();
    assert!(x <= 1e-5);

    // Same model, logits from the other fixture: must exit 1.
    let tmp = tempfile::tempdir().unwrap();
    for f in [
        "hparams.json",
        "input.json",
        "checkpoint",
        "model.ckpt.index",
        "model.ckpt.data-00000-of-00001",
    ] {
        std::fs::copy(dir.join(f), tmp.path().join(f)).unwrap();
    }
    std::fs::copy(
        fixture("tiny_gpt2").join("expected_logits.json"),
        tmp.path().join("expected_logits.json"),
    )
    .unwrap();
    let out = Command::new(bin)
        .arg("--checkpoint")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    // A missing directory is a clear error, not a panic.
    let out = Command::new(bin)
        .arg("--checkpoint")
        .arg(tmp.path().join("nope"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("hparams.json"));
}

#[test]
fn another_configuration_written_by_tensorflow_matches_too() {
    // 3 heads of width 8, 3 layers, vocabulary 50, context 16, 7 tokens:
    // written by tools/tf-differential/gpt2_fixture.py with real TensorFlow.
    let dir = fixture("gpt2_other_config");
    let (graph, hparams) = built(&dir);
    assert_eq!(
        (hparams.n_head, hparams.n_layer, hparams.n_vocab),
        (3, 3, 50)
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let names: Vec<&str> = manifest["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    let got: Vec<String> = graph
        .variables()
        .iter()
        .map(|v| v.op_name().to_string())
        .collect();
    assert_eq!(got, names);
    graph.restore(&dir).unwrap();
    let diff = expected_diff(&dir, &logits(&graph, &hparams, &dir));
    assert!(diff <= 1e-5, "max abs diff {diff}");
}

#[test]
fn sequences_longer_than_the_context_are_an_error() {
    let dir = fixture("tiny_gpt2");
    let (graph, hparams) = built(&dir);
    let _d = graph.as_default();
    let tokens = ndarray::Array2::<i32>::zeros((1, hparams.n_ctx + 1));
    let err = model(&hparams, &tokens).unwrap_err();
    assert!(err.to_string().contains("longer than the context"), "{err}");
    let tokens = ndarray::Array2::<i32>::from_elem((1, 2), hparams.n_vocab as i32);
    let err = model(&hparams, &tokens).unwrap_err();
    assert!(err.to_string().contains("outside the vocabulary"), "{err}");
}
