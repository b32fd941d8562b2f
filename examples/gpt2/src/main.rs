//! `gpt2 [--checkpoint DIR] [--weights FILE] [--repeat N] [--dtype bfloat16|float16]
//!       [--train-steps K --optimizer sgd|adamw [--lr X] [--weight-decay W] --save OUT]`:
//! builds GPT-2 with scope, restores TensorFlow's weights by name, runs the
//! input and compares the logits with TensorFlow's; optionally times the
//! forward pass, runs it again in half precision from the float32 weights
//! through a casting custom getter (`--dtype`, printing `max abs diff vs
//! float32 logits: X`), or fine-tunes on the input with openai/gpt-2's `train.py`
//! loss and saves a TensorFlow checkpoint directory.
//!
//! DIR holds `hparams.json`, a TF checkpoint (found through its
//! `checkpoint` state file), `input.json` and optionally
//! `expected_logits.json`; it defaults to the shipped tiny model.
//! `--weights FILE` loads a safetensors file (or a checkpoint prefix) instead.
//! Exit status 1 if the logits differ from the expected ones by more than
//! 1e-4; 2 on any error.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use candle_nn::{AdamW, Optimizer, ParamsAdamW, SGD};
use gpt2::{
    build, forward_in, greedy_next, load_json_array, load_tokens, loss, max_abs_diff, model,
    HParams, Mode,
};
use scope_runtime::Graph;

const TOLERANCE: f32 = 1e-4;
const USAGE: &str = "usage: gpt2 [--checkpoint DIR] [--weights FILE] [--repeat N] \
    [--dtype bfloat16|float16] \
    [--train-steps K --optimizer sgd|adamw [--lr X] [--weight-decay W] --save OUT]";

fn shipped() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny_gpt2");
    dir.canonicalize().unwrap_or(dir)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum OptimizerKind {
    Sgd,
    AdamW,
}

struct Train {
    steps: usize,
    optimizer: OptimizerKind,
    lr: Option<f64>,
    weight_decay: f64,
    save: PathBuf,
}

struct Args {
    dir: PathBuf,
    weights: Option<PathBuf>,
    repeat: usize,
    /// Also run the forward pass in this dtype through a cast getter.
    half: Option<scope_runtime::DType>,
    train: Option<Train>,
}

fn parse_args() -> Result<Args, String> {
    let mut dir = shipped();
    let mut weights = None;
    let mut repeat = 0;
    let mut half = None;
    let (mut steps, mut optimizer, mut lr, mut weight_decay, mut save) =
        (None, None, None, None, None);
    let mut it = std::env::args_os().skip(1);
    while let Some(arg) = it.next() {
        let flag = arg.to_string_lossy().into_owned();
        let mut value = || {
            it.next()
                .map(|v| v.to_string_lossy().into_owned())
                .ok_or_else(|| format!("{flag} needs a value; {USAGE}"))
        };
        fn number<T: std::str::FromStr>(flag: &str, v: String) -> Result<T, String> {
            v.parse()
                .map_err(|_| format!("{flag} takes a number, not `{v}`; {USAGE}"))
        }
        match flag.as_str() {
            "--checkpoint" => dir = PathBuf::from(value()?),
            "--weights" => weights = Some(PathBuf::from(value()?)),
            "--repeat" => repeat = number(&flag, value()?)?,
            "--dtype" => {
                half = Some(match value()?.as_str() {
                    "bfloat16" => scope_runtime::DType::BF16,
                    "float16" => scope_runtime::DType::F16,
                    other => {
                        return Err(format!("--dtype takes bfloat16 or float16, not `{other}`"))
                    }
                })
            }
            "--train-steps" => steps = Some(number::<usize>(&flag, value()?)?),
            "--optimizer" => {
                optimizer = Some(match value()?.as_str() {
                    "sgd" => OptimizerKind::Sgd,
                    "adamw" => OptimizerKind::AdamW,
                    other => return Err(format!("unknown optimizer `{other}`: use sgd or adamw")),
                })
            }
            "--lr" => lr = Some(number::<f64>(&flag, value()?)?),
            "--weight-decay" => weight_decay = Some(number::<f64>(&flag, value()?)?),
            "--save" => save = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(USAGE.to_string()),
            _ => return Err(format!("unexpected argument {arg:?}; {USAGE}")),
        }
    }
    let train = match (steps, optimizer, save) {
        (None, None, None) if lr.is_none() && weight_decay.is_none() => None,
        (Some(steps), Some(optimizer), Some(save)) => Some(Train {
            steps,
            optimizer,
            lr,
            weight_decay: weight_decay.unwrap_or(0.0),
            save,
        }),
        _ => {
            return Err(format!(
                "training needs --train-steps, --optimizer and --save together; {USAGE}"
            ))
        }
    };
    Ok(Args {
        dir,
        weights,
        repeat,
        half,
        train,
    })
}

fn run(start: Instant) -> Result<bool, String> {
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
    println!("{report}");
    println!("weights ready: {:.6} s\n", start.elapsed().as_secs_f64());

    let tokens = load_tokens(&args.dir.join("input.json")).map_err(|e| e.to_string())?;
    if let Some(train) = &args.train {
        return fine_tune(&graph, &hparams, &tokens, train, &args.dir).map(|()| true);
    }
    let logits = model(&hparams, &tokens, Mode::Infer).map_err(|e| e.to_string())?;
    println!("logits: {:?}", logits.dims());
    let next = greedy_next(&logits).map_err(|e| e.to_string())?;
    let rows = tokens.to_vec2::<u32>().map_err(|e| e.to_string())?;
    for (row, next) in rows.iter().zip(next) {
        let row: Vec<String> = row.iter().map(u32::to_string).collect();
        println!("  [{}] -> next token {next}", row.join(" "));
    }

    let mut ok = true;
    let expected_path = args.dir.join("expected_logits.json");
    if expected_path.exists() {
        let expected = load_json_array(&expected_path).map_err(|e| e.to_string())?;
        let diff = max_abs_diff(&logits, &expected)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                format!(
                    "expected logits have shape {:?}, the model produced {:?}",
                    expected.dims(),
                    logits.dims()
                )
            })?;
        println!("max abs diff vs expected: {diff:e}");
        ok = diff <= TOLERANCE;
    }
    if let Some(dtype) = args.half {
        let reduced = forward_in(&hparams, &tokens, dtype).map_err(|e| e.to_string())?;
        let diff = max_abs_diff(&reduced, &logits)
            .map_err(|e| e.to_string())?
            .ok_or("half-precision logits have another shape")?;
        println!("{dtype} forward from float32 weights (cast getter)");
        println!("max abs diff vs float32 logits: {diff:e}");
    }
    if args.repeat > 0 {
        let mut times = Vec::with_capacity(args.repeat);
        let mut cpu = Vec::with_capacity(args.repeat);
        for _ in 0..args.repeat {
            let (t, c) = (Instant::now(), scope_ops::process_cpu_seconds());
            let logits = model(&hparams, &tokens, Mode::Infer).map_err(|e| e.to_string())?;
            // Wait for the device to finish (a no-op on the CPU).
            logits.device().synchronize().map_err(|e| e.to_string())?;
            times.push(t.elapsed().as_secs_f64());
            if let (Some(c0), Some(c1)) = (c, scope_ops::process_cpu_seconds()) {
                cpu.push(c1 - c0);
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "forward median: {:.6} s over {} runs",
            times[times.len() / 2],
            args.repeat
        );
        if cpu.len() == times.len() {
            cpu.sort_by(f64::total_cmp);
            println!("forward cpu median: {:.6} s", cpu[cpu.len() / 2]);
        }
    }
    Ok(ok)
}

/// One optimizer update from a loss.
type Step = dyn FnMut(&scope_runtime::candle::Tensor) -> Result<(), String>;

/// Fine-tunes every trainable variable on `tokens` and saves the model.
fn fine_tune(
    graph: &Graph,
    hparams: &HParams,
    tokens: &scope_runtime::candle::Tensor,
    train: &Train,
    dir: &Path,
) -> Result<(), String> {
    let vars = graph
        .trainable_variables("")
        .iter()
        .map(|v| v.var())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let mut optimizer: Box<Step> = match train.optimizer {
        OptimizerKind::Sgd => {
            let mut sgd = SGD::new(vars, train.lr.unwrap_or(0.1)).map_err(|e| e.to_string())?;
            Box::new(move |loss| sgd.backward_step(loss).map_err(|e| e.to_string()))
        }
        OptimizerKind::AdamW => {
            let params = ParamsAdamW {
                lr: train.lr.unwrap_or(1e-3),
                weight_decay: train.weight_decay,
                ..ParamsAdamW::default()
            };
            let mut adamw = AdamW::new(vars, params).map_err(|e| e.to_string())?;
            Box::new(move |loss| adamw.backward_step(loss).map_err(|e| e.to_string()))
        }
    };
    let mut times = Vec::with_capacity(train.steps);
    for step in 1..=train.steps {
        let t = Instant::now();
        let loss = loss(hparams, tokens).map_err(|e| e.to_string())?;
        let value = loss
            .to_dtype(scope_runtime::candle::DType::F32)
            .and_then(|l| l.to_scalar::<f32>())
            .map_err(|e| e.to_string())?;
        optimizer(&loss)?;
        times.push(t.elapsed().as_secs_f64());
        println!("step {step} loss {value:e}");
    }
    if !times.is_empty() {
        times.sort_by(f64::total_cmp);
        println!(
            "train step median: {:.6} s over {} steps",
            times[times.len() / 2],
            times.len()
        );
    }
    std::fs::create_dir_all(&train.save)
        .map_err(|e| format!("cannot create {}: {e}", train.save.display()))?;
    graph
        .save_checkpoint(train.save.join("model.ckpt"))
        .map_err(|e| format!("saving {}: {e}", train.save.display()))?;
    for file in ["hparams.json", "input.json"] {
        std::fs::copy(dir.join(file), train.save.join(file))
            .map_err(|e| format!("copying {file} to {}: {e}", train.save.display()))?;
    }
    println!("saved {}", train.save.display());
    Ok(())
}

fn main() -> ExitCode {
    let start = Instant::now();
    scope_ops::tune_cpu_threads();
    match run(start) {
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
