//! `resnet [--checkpoint DIR] [--repeat N]`: builds ResNet-v1 from
//! `DIR/config.json` (shape-only graph build), restores the checkpoint
//! `DIR/checkpoint` names, runs `DIR/input.json`, prints the load report
//! and the logits' shape and, when `DIR/expected.json` exists, the largest
//! difference over every output listed there. DIR defaults to the shipped
//! tiny model. Exit status 1 above 1e-4; 2 on any error.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use resnet::{diffs, load, load_expected, load_images, resnet_v1, Config, Error};
use scope_runtime::layers::LayerValue;
use scope_runtime::{Graph, Reuse};

const TOLERANCE: f32 = 1e-4;
const USAGE: &str = "usage: resnet [--checkpoint DIR] [--repeat N]";

fn shipped() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny_resnet");
    dir.canonicalize().unwrap_or(dir)
}

fn parse_args() -> Result<(PathBuf, usize), Error> {
    let (mut dir, mut repeat) = (shipped(), 0);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| Error::Io(USAGE.into()));
        match flag.as_str() {
            "--checkpoint" => dir = PathBuf::from(value()?),
            "--repeat" => {
                let v = value()?;
                repeat = v
                    .parse()
                    .map_err(|_| Error::Io(format!("--repeat takes a number, not `{v}`")))?;
            }
            _ => return Err(Error::Io(format!("unexpected argument `{flag}`; {USAGE}"))),
        }
    }
    Ok((dir, repeat))
}

fn run(start: Instant) -> Result<bool, Error> {
    let (dir, repeat) = parse_args()?;
    let mut config = Config::load(&dir.join("config.json"))?;
    let images = load_images(&dir.join("input.json"))?;
    let graph = Graph::new();
    let _default = graph.as_default();
    let shape: Vec<Option<usize>> = images.dims().iter().map(|&d| Some(d)).collect();
    let built = resnet_v1(LayerValue::Shape(shape), &config, None)?;
    // Later calls share the variables: by the scope's name (TF rejects
    // reuse on an unnamed scope).
    config.scope = Some(built.scope);
    let loaded = load(&graph, &dir)?;
    print!("{loaded}");
    println!("weights ready: {:.6} s", start.elapsed().as_secs_f64());
    // Inference: variables are read detached from autograd, so the CPU
    // kernels (the fused channels-last convolution) take their fast paths.
    let _inference = scope_runtime::no_grad();
    let forward = || resnet_v1(images.clone().into(), &config, Some(Reuse::True));
    let out = forward()?;
    let dims: Vec<String> = out
        .net
        .shape()
        .iter()
        .map(|d| d.map_or("?".into(), |d| d.to_string()))
        .collect();
    println!("logits: [{}]", dims.join(", "));
    let mut ok = true;
    let expected_path = dir.join("expected.json");
    if expected_path.exists() {
        let expected = load_expected(&expected_path)?;
        let diffs = diffs(&out, &expected)?;
        for (key, d) in &diffs {
            println!("  {key}: {d:e}");
        }
        let worst = diffs.iter().map(|(_, d)| *d).fold(0f32, f32::max);
        println!("max abs diff vs expected: {worst:e}");
        ok = worst <= TOLERANCE;
    }
    if repeat > 0 {
        let mut times = Vec::with_capacity(repeat);
        for _ in 0..repeat {
            let t = Instant::now();
            forward()?;
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        println!(
            "forward median: {:.6} s over {repeat} runs",
            times[times.len() / 2]
        );
    }
    Ok(ok)
}

fn main() -> ExitCode {
    let start = Instant::now();
    scope_ops::tune_cpu_threads();
    scope_ops::tune_cpu_allocator();
    match run(start) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("outputs differ from the expected ones by more than {TOLERANCE:e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("resnet: {e}");
            ExitCode::from(2)
        }
    }
}
