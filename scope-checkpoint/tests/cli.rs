//! The `scope-ckpt` binary, run as a user would.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scope-ckpt"))
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn list_prints_name_dtype_shape() {
    let o = run(&[&"list", &fixtures().join("checkpoints/sharded/model.ckpt")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 7);
    assert_eq!(lines[0], "a_dense/bias\tfloat32\t[4]");
    assert_eq!(lines[6], "global_step\tint64\t[]");
}

#[test]
fn list_json_matches_values_json() {
    for p in [
        "checkpoints/dtypes/dtypes.ckpt",
        "checkpoints/dtypes/dtypes.safetensors",
        "checkpoints/latest",
    ] {
        let o = run(&[&"list", &fixtures().join(p), &"--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let got: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let v: serde_json::Value = serde_json::from_slice(
            &std::fs::read(fixtures().join(if p.contains("latest") {
                "checkpoints/latest/values.json"
            } else {
                "checkpoints/dtypes/values.json"
            }))
            .unwrap(),
        )
        .unwrap();
        let tensors = if p.contains("latest") {
            &v["checkpoints"]["weights-20"]["tensors"]
        } else {
            &v["tensors"]
        };
        let want: Vec<serde_json::Value> = tensors
            .as_array()
            .unwrap()
            .iter()
            .map(|t| serde_json::json!({"name": t["name"], "dtype": t["dtype"], "shape": t["shape"]}))
            .collect();
        assert_eq!(got, serde_json::Value::Array(want), "{p}");
    }
}

#[test]
fn convert_both_ways_reproduces_the_reference_files() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("model.safetensors");
    let o = run(&[&"convert", &fixtures().join("tiny_gpt2"), &st]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Same bytes as the Python safetensors package wrote (metadata source = model.ckpt).
    assert_eq!(
        std::fs::read(&st).unwrap(),
        std::fs::read(fixtures().join("tiny_gpt2/model.safetensors")).unwrap()
    );
    let back = tmp.path().join("ck/model.ckpt");
    let o = run(&[&"convert", &st, &back]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "model.ckpt.index",
        "model.ckpt.data-00000-of-00001",
        "checkpoint",
    ] {
        assert_eq!(
            std::fs::read(tmp.path().join("ck").join(f)).unwrap(),
            std::fs::read(fixtures().join("tiny_gpt2").join(f)).unwrap(),
            "{f}"
        );
    }
    // --to overrides the extension.
    let odd = tmp.path().join("weights.bin");
    let o = run(&[
        &"convert",
        &fixtures().join("checkpoints/dtypes/dtypes.ckpt"),
        &odd,
        &"--to",
        &"safetensors",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[
        &"diff",
        &odd,
        &fixtures().join("checkpoints/dtypes/dtypes.safetensors"),
    ]);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn converting_strings_to_safetensors_fails_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x.safetensors");
    let o = run(&[
        &"convert",
        &fixtures().join("checkpoints/extra_dtypes/extra_dtypes.ckpt"),
        &out,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("safetensors cannot store"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn diff_reports_values_shapes_and_names_with_tolerance() {
    let fx = fixtures();
    let o = run(&[
        &"diff",
        &fx.join("tiny_gpt2/model.ckpt"),
        &fx.join("tiny_gpt2/model.safetensors"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("no differences (28 tensors"));
    let o = run(&[
        &"diff",
        &fx.join("checkpoints/latest/weights-10"),
        &fx.join("checkpoints/latest/weights-20"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("values differ: global_step: 1 of 1 values differ, max |a-b| = 1e1"),
        "{out}"
    );
    let o = run(&[&"diff", &fx.join("tiny_gpt2"), &fx.join("tiny_gpt2_sharp")]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&[
        &"diff",
        &fx.join("tiny_gpt2"),
        &fx.join("tiny_gpt2_sharp"),
        &"--atol",
        &"100",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run(&[
        &"diff",
        &fx.join("checkpoints/sharded"),
        &fx.join("checkpoints/latest"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("only in A: a_dense/bias") && out.contains("only in B: dense/bias"),
        "{out}"
    );
}

#[test]
fn bad_paths_and_files_exit_2_with_a_clear_message() {
    let fx = fixtures();
    for (args, needle) in [
        (vec![fx.join("nope")], "no such file"),
        (
            vec![fx.join("checkpoints/corrupt/bad_footer_magic/small.ckpt")],
            "bad magic",
        ),
        (
            vec![fx.join("checkpoints/corrupt/truncated_index/small.ckpt")],
            "too short",
        ),
        (
            vec![fx.join("checkpoints/corrupt/flipped_index_byte/small.ckpt")],
            "block checksum mismatch",
        ),
    ] {
        let o = run(&[&"list", &args[0]]);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
    }
    let tmp = tempfile::tempdir().unwrap();
    let o = run(&[
        &"convert",
        &fx.join("checkpoints/corrupt/flipped_data_byte/small.ckpt"),
        &tmp.path().join("o.safetensors"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("checksum mismatch for tensor 'second'"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        &"diff",
        &fx.join("checkpoints/corrupt/missing_data/small.ckpt"),
        &fx.join("checkpoints/corrupt/intact/small.ckpt"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[&"frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let _ = Path::new("");
}

#[test]
fn list_tree_groups_by_scope_with_counts() {
    let out = run(&[&"list", &fixtures().join("tiny_gpt2"), &"--tree"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // The index is sorted byte-wise, so `h0` comes first; wpe/wte last.
    assert!(
        text.starts_with("model/ (29,568)\n├── h0/ (12,704)\n│   ├── attn/ (4,224)\n"),
        "{text}"
    );
    assert!(text.contains("│   │   ├── c_attn/ (3,168)\n│   │   │   ├── b  [96] float32  96\n│   │   │   └── w  [1, 32, 96] float32  3,072\n"), "{text}");
    assert!(
        text.contains("\n└── wte  [96, 32] float32  3,072\n"),
        "{text}"
    );
    assert!(text.ends_with("total: 29,568 parameters\n"), "{text}");
    let out = run(&[&"list", &fixtures().join("tiny_gpt2"), &"--tree", &"--json"]);
    assert!(!out.status.success(), "--tree and --json conflict");
}

#[test]
fn convert_to_shards_balances_and_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("p.safetensors");
    let src = fixtures().join("checkpoints/partitioned_sharded");
    // Partitioned variables come out whole; bool/int8/complex64 all fit safetensors.
    let o = run(&[&"convert", &src, &st]);
    assert!(o.status.success(), "{}", stderr(&o));
    let back = tmp.path().join("back/model.ckpt");
    let o = run(&[&"convert", &st, &back, &"--shards", &"3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for k in 0..3 {
        let f = tmp
            .path()
            .join(format!("back/model.ckpt.data-0000{k}-of-00003"));
        assert!(std::fs::metadata(&f).unwrap().len() > 0, "{}", f.display());
    }
    let o = run(&[&"diff", &src, &back]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run(&[&"diff", &src, &st]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn convert_names_what_safetensors_cannot_carry() {
    let tmp = tempfile::tempdir().unwrap();
    let st = tmp.path().join("x.safetensors");
    let src = fixtures().join("checkpoints/extra_dtypes/extra_dtypes.ckpt");
    let o = run(&[&"convert", &src, &st]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("safetensors cannot store")
            && err.contains("(string)")
            && err.contains("(complex128)"),
        "{err}"
    );
    assert!(!st.exists());
    let o = run(&[&"convert", &src, &st, &"--skip-unsupported"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("left out"), "{}", stderr(&o));
    let o = run(&[&"list", &st]);
    assert!(!stdout(&o).contains("string"));
}

#[test]
fn list_hides_or_groups_optimizer_state_and_ema() {
    let dir = fixtures().join("checkpoints/slots");
    let all = stdout(&run(&[&"list", &dir]));
    assert_eq!(all.lines().count(), 47);
    let hidden = stdout(&run(&[&"list", &dir, &"--hide-optimizer", &"--hide-ema"]));
    let names: Vec<&str> = hidden
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(names.len(), 13, "{hidden}"); // 12 model variables + global_step
    assert!(names.contains(&"global_step") && names.contains(&"adam/w"));
    let grouped = stdout(&run(&[&"list", &dir, &"--group"]));
    assert!(
        grouped.contains("# optimizer state: 22 tensors"),
        "{grouped}"
    );
    assert!(
        grouped.contains("Adam ×2") && grouped.contains("beta1_power"),
        "{grouped}"
    );
    assert!(grouped.contains("# EMA shadows: 12 tensors"), "{grouped}");
}

#[test]
fn diff_suggest_infers_the_scope_rename_between_two_ports() {
    let fx = fixtures();
    let src = scope_checkpoint::open(fx.join("tiny_gpt2")).unwrap();
    let renamed: Vec<(String, scope_checkpoint::TensorData)> = src
        .entries()
        .iter()
        .map(|e| {
            let name = e
                .name
                .replacen("model/", "transformer/", 1)
                .replace("/ln_1/", "/norm_1/");
            (name, src.read(&e.name).unwrap())
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("renamed.safetensors");
    scope_checkpoint::save_safetensors(
        &out,
        renamed.iter().map(|(n, t)| (n.as_str(), t.view())),
        [("format", "pt")],
    )
    .unwrap();
    let o = run(&[&"diff", &out, &fx.join("tiny_gpt2"), &"--suggest"]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains(".map(\"transformer/\", \"model/\")"),
        "{text}"
    );
    assert!(text.contains(".rename(\"norm_1\", \"ln_1\")"), "{text}");
}
