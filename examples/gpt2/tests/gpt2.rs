//! GPT-2 against TensorFlow: names, shapes and order equal the manifest;
//! logits equal TF's from the checkpoint and from safetensors; a save and
//! reload with our writer changes nothing.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use gpt2::{build, load_json_array, load_tokens, max_abs_diff, model, HParams, Mode};
use scope_runtime::candle::{DType, Device, Tensor};
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

fn logits_in(graph: &Graph, hparams: &HParams, dir: &Path, mode: Mode) -> Tensor {
    let _d = graph.as_default();
    model(
        hparams,
        &load_tokens(&dir.join("input.json")).unwrap(),
        mode,
    )
    .unwrap()
}

fn logits(graph: &Graph, hparams: &HParams, dir: &Path) -> Tensor {
    logits_in(graph, hparams, dir, Mode::Infer)
}

fn expected_diff(dir: &Path, logits: &Tensor) -> f32 {
    let expected = load_json_array(&dir.join("expected_logits.json")).unwrap();
    max_abs_diff(logits, &expected)
        .unwrap()
        .expect("same shape as TF's logits")
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
            logits(&again, &hparams, &dir)
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap(),
            original.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
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
    let tokens = Tensor::zeros((1, hparams.n_ctx + 1), DType::U32, &Device::Cpu).unwrap();
    let err = model(&hparams, &tokens, Mode::Infer).unwrap_err();
    assert!(err.to_string().contains("longer than the context"), "{err}");
    let tokens = Tensor::full(hparams.n_vocab as u32, (1, 2), &Device::Cpu).unwrap();
    let err = model(&hparams, &tokens, Mode::Infer).unwrap_err();
    assert!(err.to_string().contains("outside the vocabulary"), "{err}");
}

#[test]
fn building_makes_no_values_and_a_restore_runs_no_initializer() {
    let dir = fixture("tiny_gpt2");
    let (graph, hparams) = built(&dir);
    assert!(graph.variables().iter().all(|v| !v.is_initialized()));
    graph.restore(&dir).unwrap();
    assert!(graph.variables().iter().all(|v| v.is_initialized()));
    // The training forms (composed layer norm and softmax) compute the same logits.
    let fused = logits(&graph, &hparams, &dir);
    let composed = logits_in(&graph, &hparams, &dir, Mode::Train);
    assert!(max_abs_diff(&fused, &composed).unwrap().unwrap() <= 1e-6);
}

/// Reads a checkpoint tensor as f32s.
fn tensor(dir: &Path, name: &str) -> Vec<f32> {
    scope_runtime::format::open(dir)
        .unwrap()
        .read_as::<f32>(name)
        .unwrap()
        .iter()
        .copied()
        .collect()
}

#[test]
fn sgd_steps_land_on_tensorflows_weights() {
    // tools/tf-differential/gpt2_train_fixture.py: 3 steps of TF's
    // GradientDescentOptimizer(0.1) on train.py's loss, from the same start.
    for (start, trained) in [
        ("tiny_gpt2", "tiny_gpt2_sgd"),
        ("tiny_gpt2_sharp", "tiny_gpt2_sharp_sgd"),
    ] {
        let out = tempfile::tempdir().unwrap();
        let save = out.path().join("trained");
        let run = Command::new(env!("CARGO_BIN_EXE_gpt2"))
            .arg("--checkpoint")
            .arg(fixture(start))
            .args([
                "--train-steps",
                "3",
                "--optimizer",
                "sgd",
                "--lr",
                "0.1",
                "--save",
            ])
            .arg(&save)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let tf_dir = fixture(trained);
        let train: Value =
            serde_json::from_str(&std::fs::read_to_string(tf_dir.join("train.json")).unwrap())
                .unwrap();
        let losses: Vec<f64> = stdout
            .lines()
            .filter_map(|l| l.strip_prefix("step "))
            .map(|l| l.split(" loss ").nth(1).unwrap().parse().unwrap())
            .collect();
        let tf_losses: Vec<f64> = train["losses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(losses.len(), 3, "{stdout}");
        for (ours, tf) in losses.iter().zip(&tf_losses) {
            assert!(
                (ours - tf).abs() <= 1e-5,
                "{start}: loss {ours} vs TF's {tf}"
            );
        }
        let names: Vec<String> = scope_runtime::format::open(&tf_dir)
            .unwrap()
            .entries()
            .iter()
            .map(|e| e.name.clone())
            .collect();
        assert_eq!(names.len(), 28);
        for name in &names {
            let (ours, tf) = (tensor(&save, name), tensor(&tf_dir, name));
            let worst = ours
                .iter()
                .zip(&tf)
                .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
            assert!(worst <= 1e-5, "{start}: `{name}` is {worst} from TF's");
        }
        // The saved directory runs as a checkpoint of its own.
        assert!(save.join("hparams.json").exists() && save.join("input.json").exists());
        let state = std::fs::read_to_string(save.join("checkpoint")).unwrap();
        assert!(state.contains("\"model.ckpt\""), "{state}");
        let rerun = Command::new(env!("CARGO_BIN_EXE_gpt2"))
            .arg("--checkpoint")
            .arg(&save)
            .output()
            .unwrap();
        assert!(rerun.status.success());
    }
}

#[test]
fn adamw_trains_and_the_cli_prints_parsable_figures() {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_gpt2"))
        .args([
            "--train-steps",
            "4",
            "--optimizer",
            "adamw",
            "--lr",
            "0.01",
            "--save",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    let losses: Vec<f64> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("step "))
        .map(|l| l.split(" loss ").nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(losses.len(), 4);
    assert!(losses[3] < losses[0], "AdamW lowers the loss: {losses:?}");
    assert!(stdout.contains(&format!("saved {}", out.path().display())));

    let run = Command::new(env!("CARGO_BIN_EXE_gpt2"))
        .args(["--repeat", "3"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    let figure = |prefix: &str| -> f64 {
        let line = stdout.lines().find(|l| l.starts_with(prefix)).unwrap();
        line[prefix.len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(figure("weights ready: ") >= 0.0);
    assert!(figure("forward median: ") > 0.0);
    assert!(stdout.contains("over 3 runs"));

    // Half a training request is a usage error (status 2).
    let run = Command::new(env!("CARGO_BIN_EXE_gpt2"))
        .args(["--train-steps", "2"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn every_model_fixture_runs_from_a_copy_in_another_folder() {
    // Checkpoint directories are moved all the time: a copy elsewhere must
    // load and give TF's logits, also when its state file names the folder
    // of the machine that wrote it.
    for name in [
        "tiny_gpt2",
        "tiny_gpt2_sharp",
        "gpt2_other_config",
        "tiny_gpt2_sgd",
        "tiny_gpt2_sharp_sgd",
    ] {
        let src = fixture(name);
        for foreign_state in [false, true] {
            let tmp = tempfile::tempdir().unwrap();
            for entry in std::fs::read_dir(&src).unwrap() {
                let entry = entry.unwrap();
                std::fs::copy(entry.path(), tmp.path().join(entry.file_name())).unwrap();
            }
            if foreign_state {
                std::fs::write(
                    tmp.path().join("checkpoint"),
                    "model_checkpoint_path: \"/nonexistent/run-17/model.ckpt\"\n",
                )
                .unwrap();
            }
            let out = Command::new(env!("CARGO_BIN_EXE_gpt2"))
                .arg("--checkpoint")
                .arg(tmp.path())
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{name}: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(stdout.contains("note: "), foreign_state, "{name}: {stdout}");
            let diff: f32 = stdout
                .lines()
                .find_map(|l| l.strip_prefix("max abs diff vs expected: "))
                .unwrap()
                .parse()
                .unwrap();
            assert!(diff <= 1e-5, "{name}: {diff}");
        }
    }
}

#[test]
fn half_precision_through_a_cast_getter_keeps_float32_weights() {
    for name in ["tiny_gpt2", "tiny_gpt2_sharp"] {
        let dir = fixture(name);
        let (graph, hparams) = built(&dir);
        let full = logits(&graph, &hparams, &dir);
        let before = graph.len();
        let tokens = load_tokens(&dir.join("input.json")).unwrap();
        let _d = graph.as_default();
        for (dtype, tol) in [
            (scope_runtime::DType::BF16, 0.05f32),
            (scope_runtime::DType::F16, 0.01),
        ] {
            let half = gpt2::forward_in(&hparams, &tokens, dtype).unwrap();
            let scale = full
                .abs()
                .unwrap()
                .max_all()
                .unwrap()
                .to_scalar::<f32>()
                .unwrap();
            let diff = max_abs_diff(&half, &full).unwrap().unwrap();
            assert!(
                diff <= tol * scale.max(1.0),
                "{name} {dtype}: {diff} (scale {scale})"
            );
            assert!(
                diff > 0.0,
                "{name} {dtype}: the pass did not run in {dtype}"
            );
        }
        // The cast getter shares the float32 variables; it creates none.
        assert_eq!(graph.len(), before);
        assert!(graph
            .variables()
            .iter()
            .all(|v| v.dtype() == scope_runtime::DType::F32));
    }
}
