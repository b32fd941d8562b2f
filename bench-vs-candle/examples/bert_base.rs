//! BERT-base forward pass: scope's `examples/bert` beside candle-transformers'
//! own `bert::BertModel`, on the same TF checkpoint, in one process.
//!
//! ```sh
//! cd bench-vs-candle && cargo run --release --example bert_base -- DIR [--repeat N]
//! ```
//!
//! DIR is a BERT checkpoint directory as `examples/bert` reads it
//! (`bert_config.json`, a checkpoint, `input.json`; the one
//! `tools/tf-differential/bert_base_bench.py make` writes). The TF checkpoint
//! is read with scope's own reader (`scope_checkpoint::CheckpointReader`)
//! and converted in memory to candle-transformers' names (`bert.encoder.
//! layer.N.attention.self.query.weight`, `LayerNorm.weight`/`.bias`) and
//! layouts (dense kernels `[in, out]` transposed to `[out, in]`), with
//! `hidden_act` set to its tanh GELU (`geluapproximate`, the GELU of
//! google-research/bert). Both models then run `input.json`; their
//! sequence outputs are compared with each other and, when the directory
//! has TF's `expected.json` (or `expected_outputs.json`), with TensorFlow's.
//!
//! Timing: one warm-up each, then N rounds that run scope and
//! candle-transformers alternately (so both see the same machine load),
//! wall time and process CPU time (`CLOCK_PROCESS_CPUTIME_ID`, all threads)
//! per pass. Both use the same candle build (one `gemm` with its AVX-512
//! kernels, turned on by scope-runtime's `avx512` feature in this
//! workspace) and candle's default threading; scope's example additionally
//! applies its own threading choice (`bert::tune_threads`). Prints
//! `key: value` lines that `tools/bench/bert_base_vs.py` parses.

#![deny(unsafe_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, HiddenAct};
use scope_checkpoint::CheckpointReader;
use scope_runtime::Graph;

type BoxError = Box<dyn std::error::Error>;

/// Process CPU time in seconds (every thread).
#[allow(unsafe_code)]
fn cpu_time() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid pointer to a timespec; the clock id is a constant.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// TF's name for a tensor to candle-transformers' name, and whether it is
/// a dense kernel (`[in, out]`, to be transposed). `None`: not used by
/// `BertModel` (pooler, heads, optimizer state).
fn convert_name(tf: &str) -> Option<(String, bool)> {
    let rest = tf.strip_prefix("bert/")?;
    if rest.starts_with("pooler/") {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    let mut kernel = false;
    for p in rest.split('/') {
        match p {
            "kernel" => {
                parts.push("weight".into());
                kernel = true;
            }
            "gamma" => parts.push("weight".into()),
            "beta" => parts.push("bias".into()),
            p if p.starts_with("layer_") => {
                parts.push("layer".into());
                parts.push(p.trim_start_matches("layer_").into());
            }
            p if p.ends_with("_embeddings") => {
                parts.push(p.into());
                parts.push("weight".into());
            }
            p => parts.push(p.into()),
        }
    }
    Some((format!("bert.{}", parts.join(".")), kernel))
}

/// Every `bert/` tensor of the TF checkpoint under candle-transformers'
/// name and layout, as candle tensors.
fn convert(prefix: &Path) -> Result<HashMap<String, Tensor>, BoxError> {
    let r = CheckpointReader::open(prefix)?;
    let mut out = HashMap::new();
    for e in r.entries() {
        let Some((name, kernel)) = convert_name(&e.name) else {
            continue;
        };
        let v = r.view::<f32>(&e.name)?;
        let data: Vec<f32> = v.iter().copied().collect();
        let t = Tensor::from_vec(data, e.shape.as_slice(), &Device::Cpu)?;
        let t = if kernel { t.t()?.contiguous()? } else { t };
        out.insert(name, t);
    }
    Ok(out)
}

fn ct_config(c: &bert::BertConfig) -> Config {
    Config {
        vocab_size: c.vocab_size,
        hidden_size: c.hidden_size,
        num_hidden_layers: c.num_hidden_layers,
        num_attention_heads: c.num_attention_heads,
        intermediate_size: c.intermediate_size,
        hidden_act: HiddenAct::GeluApproximate,
        max_position_embeddings: c.max_position_embeddings,
        type_vocab_size: c.type_vocab_size,
        initializer_range: c.initializer_range,
        layer_norm_eps: 1e-12,
        ..Config::default()
    }
}

fn max_abs_diff(a: &Tensor, b: &Tensor) -> Result<f32, BoxError> {
    Ok((a - b)?.abs()?.flatten_all()?.max(0)?.to_scalar::<f32>()?)
}

fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut repeat = 10usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--repeat" => {
                repeat = args
                    .next()
                    .ok_or("--repeat needs a number")?
                    .parse()
                    .map_err(|_| "--repeat takes a number")?
            }
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let dir = dir.ok_or("usage: bert_base DIR [--repeat N]")?;
    let repeat = repeat.max(1);
    bert::tune_threads();

    let config = bert::BertConfig::load(&dir.join("bert_config.json"))?;
    let inputs = bert::Inputs::load(&dir.join("input.json"))?;

    // scope: shape-only build, restore by name.
    let t = Instant::now();
    let graph = Graph::new();
    let _default = graph.as_default();
    bert::bert(&config, &inputs, false, true)?;
    bert::load_with(&graph, &dir, &bert::LoadOptions::lenient())?;
    println!("scope weights ready: {:.6} s", t.elapsed().as_secs_f64());

    // candle-transformers: convert through scope's reader, VarBuilder over the map.
    let t = Instant::now();
    let tensors = convert(&bert::checkpoint_path(&dir)?)?;
    let vb = VarBuilder::from_tensors(tensors, DType::F32, &Device::Cpu);
    let ct = BertModel::load(vb, &ct_config(&config))?;
    println!(
        "candle-transformers weights ready: {:.6} s",
        t.elapsed().as_secs_f64()
    );

    let ids = &inputs.input_ids;
    let types = &inputs.token_type_ids;
    let mask = &inputs.input_mask;
    let scope_fwd = || -> Result<Tensor, BoxError> {
        bert::bert(&config, &inputs, false, false)?
            .sequence_output
            .ok_or_else(|| "no sequence output".into())
    };
    let ct_fwd = || -> Result<Tensor, BoxError> { Ok(ct.forward(ids, types, Some(mask))?) };

    let ours = scope_fwd()?;
    let theirs = ct_fwd()?;
    println!(
        "max abs diff candle-transformers vs scope: {:e}",
        max_abs_diff(&theirs, &ours)?
    );
    let expected = ["expected.json", "expected_outputs.json"]
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.exists());
    if let Some(p) = expected {
        let e = bert::load_expected(&p)?;
        if let Some(want) = e.get("sequence_output") {
            println!("max abs diff scope vs TF: {:e}", max_abs_diff(&ours, want)?);
            println!(
                "max abs diff candle-transformers vs TF: {:e}",
                max_abs_diff(&theirs, want)?
            );
        }
    }

    let (mut sw, mut sc, mut cw, mut cc) = (vec![], vec![], vec![], vec![]);
    for _ in 0..repeat {
        let (t, c) = (Instant::now(), cpu_time());
        scope_fwd()?;
        sw.push(t.elapsed().as_secs_f64());
        sc.push(cpu_time() - c);
        let (t, c) = (Instant::now(), cpu_time());
        ct_fwd()?;
        cw.push(t.elapsed().as_secs_f64());
        cc.push(cpu_time() - c);
    }
    println!(
        "scope forward median: {:.6} s over {repeat} runs",
        median(sw)
    );
    println!("scope forward cpu median: {:.6} s", median(sc));
    println!(
        "candle-transformers forward median: {:.6} s over {repeat} runs",
        median(cw)
    );
    println!(
        "candle-transformers forward cpu median: {:.6} s",
        median(cc)
    );
    Ok(())
}
