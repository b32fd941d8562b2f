//! `albert [--checkpoint DIR] [--repeat N] [--strict]`: builds ALBERT with
//! scope (shape-only graph build, no initializer runs), restores Google's
//! checkpoint by name, runs `DIR/input.json` and compares every output
//! `DIR/expected.json` lists. DIR holds `albert_config.json` and a checkpoint
//! (named by a `checkpoint` state file, or the one prefix in DIR as in
//! Google's release archives); it defaults to the shipped tiny model.
//! Exit status 1 if an output differs by more than 1e-4; 2 on any error.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use albert::{albert, AlbertConfig};
use bert::{load_expected, load_with, max_abs_diff, Inputs, LoadOptions, Outputs};
use scope_runtime::Graph;

const TOLERANCE: f32 = 1e-4;
const USAGE: &str = "usage: albert [--checkpoint DIR] [--repeat N] [--strict]";

fn shipped() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny_albert");
    dir.canonicalize().unwrap_or(dir)
}

struct Args {
    dir: PathBuf,
    repeat: usize,
    strict: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        dir: shipped(),
        repeat: 0,
        strict: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--checkpoint" => args.dir = PathBuf::from(it.next().ok_or(USAGE)?),
            "--repeat" => {
                let v = it.next().ok_or(USAGE)?;
                args.repeat = v
                    .parse()
                    .map_err(|_| format!("--repeat takes a number, not `{v}`"))?;
            }
            "--strict" => args.strict = true,
            _ => return Err(format!("unexpected argument `{flag}`; {USAGE}")),
        }
    }
    Ok(args)
}

fn run(start: Instant) -> Result<bool, String> {
    let args = parse_args()?;
    let s = |e: scope_runtime::ScopeError| e.to_string();
    let config = AlbertConfig::load(&args.dir.join("albert_config.json")).map_err(s)?;
    let inputs = Inputs::load(&args.dir.join("input.json")).map_err(s)?;
    let graph = Graph::new();
    let _default = graph.as_default();
    albert(&config, &inputs, true, true).map_err(s)?;
    let options = if args.strict {
        LoadOptions::strict()
    } else {
        LoadOptions::lenient()
    };
    let loaded = load_with(&graph, &args.dir, &options).map_err(s)?;
    print!("{loaded}");
    println!("weights ready: {:.6} s", start.elapsed().as_secs_f64());
    let forward = || albert(&config, &inputs, loaded.has_heads, false).map_err(s);
    let out: Outputs = forward()?;
    for (name, t) in out.named() {
        println!("{name}: {:?}", t.dims());
    }
    let mut ok = true;
    let expected_path = args.dir.join("expected.json");
    if expected_path.exists() {
        let expected = load_expected(&expected_path).map_err(s)?;
        let diff = max_abs_diff(&out, &expected).map_err(s)?;
        println!("max abs diff vs expected: {diff:e}");
        ok = diff <= TOLERANCE;
    }
    if args.repeat > 0 {
        let mut times = Vec::with_capacity(args.repeat);
        for _ in 0..args.repeat {
            let t = Instant::now();
            forward()?;
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        println!(
            "forward median: {:.6} s over {} runs",
            times[times.len() / 2],
            args.repeat
        );
    }
    Ok(ok)
}

fn main() -> ExitCode {
    let start = Instant::now();
    bert::tune_threads();
    match run(start) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("outputs differ from the expected ones by more than {TOLERANCE:e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("albert: {e}");
            ExitCode::from(2)
        }
    }
}
