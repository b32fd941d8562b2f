//! `gpt2 [--checkpoint DIR] [--weights FILE]`: builds GPT-2 with scope,
//! restores TensorFlow's weights by name, runs the input and compares the
//! logits with TensorFlow's.
//!
//! DIR holds `hparams.json`, a TF checkpoint (found through its
//! `checkpoint` state file), `input.json` and optionally
//! `expected_logits.json`; it defaults to the shipped tiny model.
//! `--weights FILE` loads a safetensors file (or a checkpoint prefix) instead.
//! Exit status 1 if the logits differ from the expected ones by more than 1e-4.

use std::path::PathBuf;
use std::process::ExitCode;

use gpt2::{build, greedy_next, load_json_array, load_tokens, max_abs_diff, model, HParams};
use scope_runtime::Graph;

const TOLERANCE: f32 = 1e-4;

fn shipped() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny_gpt2");
    dir.canonicalize().unwrap_or(dir)
}

struct Args {
    dir: PathBuf,
    weights: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        dir: shipped(),
        weights: None,
    };
    let mut it = std::env::args_os().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{flag} needs a path"))
        };
        match arg.to_str() {
            Some("--checkpoint") => args.dir = value("--checkpoint")?,
            Some("--weights") => args.weights = Some(value("--weights")?),
            Some("-h" | "--help") => {
                return Err("usage: gpt2 [--checkpoint DIR] [--weights FILE]".to_string())
            }
            _ => {
                return Err(format!(
                    "unexpected argument {arg:?}; usage: gpt2 [--checkpoint DIR] [--weights FILE]"
                ))
            }
        }
    }
    Ok(args)
}

fn run() -> Result<bool, String> {
    let args = parse_args()?;
    let hparams = HParams::load(&args.dir.join("hparams.json")).map_err(|e| e.to_string())?;
    let graph = Graph::new();
    let _default = graph.as_default();
    build(&hparams).map_err(|e| e.to_string())?;
    println!("{}", graph.summary());

    let weights = args.weights.clone().unwrap_or_else(|| args.dir.clone());
    let report = graph
        .restore(&weights)
        .map_err(|e| format!("loading {}: {e}", weights.display()))?;
    println!("{report}\n");

    let tokens = load_tokens(&args.dir.join("input.json")).map_err(|e| e.to_string())?;
    let logits = model(&hparams, &tokens).map_err(|e| e.to_string())?;
    println!("logits: {:?}", logits.shape());
    for (b, next) in greedy_next(&logits).iter().enumerate() {
        let row: Vec<String> = tokens.row(b).iter().map(i32::to_string).collect();
        println!("  [{}] -> next token {next}", row.join(" "));
    }

    let expected_path = args.dir.join("expected_logits.json");
    if !expected_path.exists() {
        return Ok(true);
    }
    let expected = load_json_array(&expected_path).map_err(|e| e.to_string())?;
    let diff = max_abs_diff(&logits, &expected).ok_or_else(|| {
        format!(
            "expected logits have shape {:?}, the model produced {:?}",
            expected.shape(),
            logits.shape()
        )
    })?;
    println!("max abs diff vs expected: {diff:e}");
    Ok(diff <= TOLERANCE)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("logits differ from the expected ones by more than {TOLERANCE:e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("gpt2: {e}");
            ExitCode::from(2)
        }
    }
}
