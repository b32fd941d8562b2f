//! scope vs candle-nn (`VarBuilder` / `VarMap`) vs the hardware floor, on the
//! same data in one run. Prints a markdown table of medians and ratios at the
//! end (the table in `../BENCHMARKS.md` comes from it).
//!
//! Run: `cd bench-vs-candle && cargo bench` (about 4 minutes on 2 cores);
//! `REPORT_ONLY=1 cargo bench` reprints the table of the last run.
//! Set `SCOPE_BENCH_DIR` to generate the 1 GB of GPT-2 files somewhere else
//! than the system temp dir.

#![deny(unsafe_code)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bench_vs_candle::{self as ops, populated};
use candle_core::{DType, Device};
use candle_nn::{VarBuilder, VarMap};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use ndarray::{ArrayD, IxDyn};
use scope_checkpoint::{
    save_checkpoint_with, save_safetensors_with, CheckpointReader, SafetensorsReader, SaveOptions,
};
use scope_runtime::{variable_scope, Graph};

const SIZES: [usize; 2] = [1_000, 100_000];

// ---------------------------------------------------------------- lookup

fn lookup(c: &mut Criterion) {
    let mut g = c.benchmark_group("lookup");
    g.sample_size(30);
    for n in SIZES {
        let p = populated(n);
        let _d = p.graph.as_default();
        let vb = VarBuilder::from_varmap(&p.varmap, DType::F32, &Device::Cpu);

        g.bench_with_input(BenchmarkId::new("scope_entered", n), &n, |b, _| {
            let _m = variable_scope("model").enter().unwrap();
            let _l = variable_scope("layer").reuse(true).enter().unwrap();
            b.iter(|| black_box(ops::lookup_in_entered_scope()))
        });
        g.bench_with_input(BenchmarkId::new("scope_enter_per_call", n), &n, |b, _| {
            b.iter(|| black_box(ops::lookup_enter_per_call()))
        });
        g.bench_with_input(
            BenchmarkId::new("scope_enter_per_call_no_aux", n),
            &n,
            |b, _| b.iter(|| black_box(ops::lookup_enter_per_call_no_aux())),
        );
        g.bench_with_input(BenchmarkId::new("candle_pp_pp_get", n), &n, |b, _| {
            b.iter(|| black_box(ops::candle_lookup(&vb)))
        });
        let key = String::from("model/layer/w");
        g.bench_with_input(BenchmarkId::new("hashmap_floor", n), &n, |b, _| {
            b.iter(|| black_box(ops::floor_lookup(&p.floor, &key)))
        });
    }
    g.finish();
}

// ---------------------------------------------------------------- creation

fn create(c: &mut Criterion) {
    let (scope_names, var_names) = ops::create_names();
    let mut g = c.benchmark_group("create_10k");
    g.sample_size(20);
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("scope_get_variable", |b| {
        b.iter_batched(
            || Graph::with_seed(0),
            // The returned graph is dropped outside the timing.
            |graph| ops::create_10k(graph, &scope_names, &var_names),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("candle_get_with_hints", |b| {
        b.iter_batched(
            VarMap::new,
            |varmap| ops::candle_create_10k(varmap, &scope_names, &var_names),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

// ---------------------------------------------------------------- enter/exit

fn enter_exit(c: &mut Criterion) {
    let p = populated(SIZES[0]);
    let _d = p.graph.as_default();
    let vb = VarBuilder::from_varmap(&p.varmap, DType::F32, &Device::Cpu);
    let mut g = c.benchmark_group("enter_exit");
    g.sample_size(30);
    // One level down, in `model`, so both build a two-component prefix.
    g.bench_function("scope_variable_scope", |b| {
        let _m = variable_scope("model").enter().unwrap();
        b.iter(ops::enter_exit)
    });
    g.bench_function("scope_variable_scope_reuse", |b| {
        let _m = variable_scope("model").enter().unwrap();
        b.iter(ops::enter_exit_reuse)
    });
    g.bench_function("scope_name_scope", |b| {
        let _m = variable_scope("model").enter().unwrap();
        b.iter(ops::name_scope_enter_exit)
    });
    g.bench_function("candle_pp", |b| {
        let m = vb.pp("model");
        b.iter(|| black_box(ops::candle_pp(&m)))
    });
    g.finish();
}

// ---------------------------------------------------------------- loading

/// Names and shapes of GPT-2 124M (`openai/gpt-2` `src/model.py`): 148
/// tensors, 124,439,808 f32 = 497,759,232 bytes.
fn gpt2_124m_shapes() -> Vec<(String, Vec<usize>)> {
    let (embd, vocab, ctx, layers) = (768, 50257, 1024, 12);
    let mut out = vec![
        ("model/wpe".to_string(), vec![ctx, embd]),
        ("model/wte".to_string(), vec![vocab, embd]),
    ];
    for l in 0..layers {
        let per_layer: [(&str, Vec<usize>); 12] = [
            ("ln_1/g", vec![embd]),
            ("ln_1/b", vec![embd]),
            ("attn/c_attn/w", vec![1, embd, 3 * embd]),
            ("attn/c_attn/b", vec![3 * embd]),
            ("attn/c_proj/w", vec![1, embd, embd]),
            ("attn/c_proj/b", vec![embd]),
            ("ln_2/g", vec![embd]),
            ("ln_2/b", vec![embd]),
            ("mlp/c_fc/w", vec![1, embd, 4 * embd]),
            ("mlp/c_fc/b", vec![4 * embd]),
            ("mlp/c_proj/w", vec![1, 4 * embd, embd]),
            ("mlp/c_proj/b", vec![embd]),
        ];
        for (name, shape) in per_layer {
            out.push((format!("model/h{l}/{name}"), shape));
        }
    }
    out.push(("model/ln_f/g".into(), vec![embd]));
    out.push(("model/ln_f/b".into(), vec![embd]));
    out
}

fn gpt2_tensors() -> Vec<(String, ArrayD<f32>)> {
    gpt2_124m_shapes()
        .into_iter()
        .enumerate()
        .map(|(t, (name, shape))| {
            let len: usize = shape.iter().product();
            // Cheap, deterministic, not compressible to a constant.
            let data = (0..len)
                .map(|i| ((i.wrapping_mul(2_654_435_761) ^ t) % 4093) as f32 / 4093.0 - 0.5)
                .collect();
            (name, ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap())
        })
        .collect()
}

#[allow(unsafe_code)]
fn load(c: &mut Criterion) {
    let tensors = gpt2_tensors();
    let bytes: usize = tensors.iter().map(|(_, a)| a.len() * 4).sum();
    assert_eq!(tensors.len(), 148);
    let dir = match std::env::var_os("SCOPE_BENCH_DIR") {
        Some(d) => tempfile::tempdir_in(d).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };
    let ckpt = dir.path().join("gpt2.ckpt");
    let st = dir.path().join("gpt2.safetensors");
    let opts = SaveOptions {
        fsync: false,
        update_state_file: false,
    };
    save_checkpoint_with(&ckpt, tensors.iter().map(|(n, a)| (n, a)), &opts).unwrap();
    save_safetensors_with(
        &st,
        tensors.iter().map(|(n, a)| (n, a)),
        std::iter::empty::<(String, String)>(),
        &opts,
    )
    .unwrap();
    eprintln!(
        "gpt2_124m: {} tensors, {} bytes, files in {}",
        tensors.len(),
        bytes,
        dir.path().display()
    );
    check_same_data(&tensors, &ckpt, &st);

    let dev = Device::Cpu;
    let mut g = c.benchmark_group("gpt2_load");
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Bytes(bytes as u64));

    g.bench_function("scope_tf_owned", |b| {
        b.iter(|| {
            let r = CheckpointReader::open(&ckpt).unwrap();
            let v: Vec<ArrayD<f32>> = r
                .entries()
                .iter()
                .map(|e| r.read_as::<f32>(&e.name).unwrap())
                .collect();
            black_box(v)
        })
    });
    g.bench_function("scope_st_owned", |b| {
        b.iter(|| {
            let r = SafetensorsReader::open(&st).unwrap();
            let v: Vec<ArrayD<f32>> = r
                .entries()
                .iter()
                .map(|e| r.read_as::<f32>(&e.name).unwrap())
                .collect();
            black_box(v)
        })
    });
    g.bench_function("scope_tf_view", |b| {
        // Zero copy; every tensor's crc32c is verified, so every byte is read.
        b.iter(|| {
            let r = CheckpointReader::open(&ckpt).unwrap();
            let mut sum = 0.0f32;
            for e in r.entries() {
                let v = r.view::<f32>(&e.name).unwrap();
                sum += v.first().copied().unwrap();
            }
            black_box(sum)
        })
    });
    g.bench_function("scope_st_view", |b| {
        // Zero copy, no checksum in the format: touch one f32 per 4 KiB page
        // so every page is actually mapped in.
        b.iter(|| {
            let r = SafetensorsReader::open(&st).unwrap();
            let mut sum = 0.0f32;
            for e in r.entries() {
                let v = r.view::<f32>(&e.name).unwrap();
                sum += v.as_slice().unwrap().iter().step_by(1024).sum::<f32>();
            }
            black_box(sum)
        })
    });
    g.bench_function("candle_st_load", |b| {
        b.iter(|| black_box(candle_core::safetensors::load(&st, &dev).unwrap()))
    });
    g.bench_function("candle_st_mmap_load", |b| {
        b.iter(|| {
            // SAFETY: the file is not modified while mapped.
            let m = unsafe { candle_core::safetensors::MmapedSafetensors::new(&st) }.unwrap();
            let v: Vec<_> = m
                .tensors()
                .into_iter()
                .map(|(name, _)| m.load(&name, &dev).unwrap())
                .collect();
            black_box(v)
        })
    });
    let mut dst: Vec<Vec<f32>> = tensors.iter().map(|(_, a)| vec![1.0f32; a.len()]).collect();
    g.bench_function("memcpy_floor", |b| {
        b.iter(|| {
            for (d, (_, s)) in dst.iter_mut().zip(&tensors) {
                d.copy_from_slice(s.as_slice().unwrap());
            }
            black_box(&dst);
        })
    });
    g.finish();
}

/// All readers see the same values (so the timings compare the same work).
fn check_same_data(tensors: &[(String, ArrayD<f32>)], ckpt: &Path, st: &Path) {
    let r = CheckpointReader::open(ckpt).unwrap();
    let s = SafetensorsReader::open(st).unwrap();
    let c = candle_core::safetensors::load(st, &Device::Cpu).unwrap();
    for (name, a) in [&tensors[0], &tensors[5], &tensors[147]] {
        assert_eq!(&r.read_as::<f32>(name).unwrap(), a);
        assert_eq!(s.view::<f32>(name).unwrap(), a.view());
        let t = c[name.as_str()]
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        assert_eq!(t.as_slice(), a.as_slice().unwrap());
    }
}

// ---------------------------------------------------------------- report

fn criterion_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CRITERION_HOME") {
        return d.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into());
    PathBuf::from(target).join("criterion")
}

/// Median in ns of one benchmark of this run, from criterion's estimates.
fn median(id: &str) -> Option<f64> {
    let path = criterion_dir().join(id).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn fmt_time(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.3} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// One table row: what, scope's benchmark, the peer's, the floor's, and the
/// issue's target as the largest allowed scope/peer and scope/floor ratios.
struct Row {
    what: String,
    scope: String,
    peer: Option<String>,
    floor: Option<String>,
    max_vs_peer: Option<f64>,
    max_vs_floor: Option<f64>,
}

fn row(what: &str, scope: &str, peer: &str, floor: Option<&str>, targets: [Option<f64>; 2]) -> Row {
    Row {
        what: what.into(),
        scope: scope.into(),
        peer: Some(peer.into()),
        floor: floor.map(Into::into),
        max_vs_peer: targets[0],
        max_vs_floor: targets[1],
    }
}

fn report() {
    let mut rows = Vec::new();
    for n in SIZES {
        let id = |s: &str| format!("lookup/{s}/{n}");
        let (peer, floor) = (id("candle_pp_pp_get"), id("hashmap_floor"));
        rows.push(row(
            &format!("lookup, scope entered once, n={n}"),
            &id("scope_entered"),
            &peer,
            Some(&floor),
            [Some(0.25), Some(2.0)],
        ));
        rows.push(row(
            &format!("lookup, 2 scopes entered per call, n={n}"),
            &id("scope_enter_per_call"),
            &peer,
            Some(&floor),
            [Some(1.0), None],
        ));
        rows.push(row(
            &format!("lookup, 2 scopes entered per call, auxiliary_name_scope(false), n={n}"),
            &id("scope_enter_per_call_no_aux"),
            &peer,
            Some(&floor),
            [None, None],
        ));
    }
    let none = [None, None];
    let (load, mmap, memcpy) = (
        "gpt2_load/candle_st_load",
        "gpt2_load/candle_st_mmap_load",
        Some("gpt2_load/memcpy_floor"),
    );
    rows.extend([
        row(
            "create 10k vars in 100 scopes",
            "create_10k/scope_get_variable",
            "create_10k/candle_get_with_hints",
            None,
            [Some(1.0), None],
        ),
        row(
            "variable_scope enter+exit vs pp",
            "enter_exit/scope_variable_scope",
            "enter_exit/candle_pp",
            None,
            [Some(1.0), None],
        ),
        row(
            "variable_scope(reuse) enter+exit vs pp",
            "enter_exit/scope_variable_scope_reuse",
            "enter_exit/candle_pp",
            None,
            none,
        ),
        row(
            "name_scope enter+exit vs pp",
            "enter_exit/scope_name_scope",
            "enter_exit/candle_pp",
            None,
            none,
        ),
        row(
            "GPT-2: TF ckpt -> owned vs candle load",
            "gpt2_load/scope_tf_owned",
            load,
            memcpy,
            [Some(1.0), None],
        ),
        row(
            "GPT-2: TF ckpt -> owned vs candle mmap",
            "gpt2_load/scope_tf_owned",
            mmap,
            memcpy,
            [Some(1.0), None],
        ),
        row(
            "GPT-2: TF ckpt zero-copy vs candle load",
            "gpt2_load/scope_tf_view",
            load,
            memcpy,
            [Some(1.0 / 3.0), None],
        ),
        row(
            "GPT-2: TF ckpt zero-copy vs candle mmap",
            "gpt2_load/scope_tf_view",
            mmap,
            memcpy,
            [Some(1.0 / 3.0), None],
        ),
        row(
            "GPT-2: safetensors -> owned vs candle load",
            "gpt2_load/scope_st_owned",
            load,
            memcpy,
            none,
        ),
        row(
            "GPT-2: safetensors zero-copy vs candle load",
            "gpt2_load/scope_st_view",
            load,
            memcpy,
            none,
        ),
    ]);

    println!();
    println!("| operation | scope | candle | floor | scope/candle | scope/floor | target | met |");
    println!("|---|---:|---:|---:|---:|---:|---|---|");
    for r in rows {
        let s = median(&r.scope);
        let p = r.peer.as_deref().and_then(median);
        let f = r.floor.as_deref().and_then(median);
        let time = |x: Option<f64>| x.map(fmt_time).unwrap_or_else(|| "–".into());
        let ratio = |x: Option<f64>| match (s, x) {
            (Some(s), Some(x)) => Some(s / x),
            _ => None,
        };
        let (rp, rf) = (ratio(p), ratio(f));
        let show = |x: Option<f64>| x.map(|x| format!("{x:.2}")).unwrap_or_else(|| "–".into());
        let mut target = Vec::new();
        let mut met = true;
        for (max, got, what) in [(r.max_vs_peer, rp, "candle"), (r.max_vs_floor, rf, "floor")] {
            if let Some(max) = max {
                target.push(format!("scope/{what} ≤ {max:.2}"));
                met &= got.is_some_and(|g| g <= max);
            }
        }
        let (target, met) = if target.is_empty() {
            ("–".to_string(), "–")
        } else {
            (target.join(", "), if met { "yes" } else { "**no**" })
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {target} | {met} |",
            r.what,
            time(s),
            time(p),
            time(f),
            show(rp),
            show(rf),
        );
    }
    println!("\n(times are criterion medians of this run; ratios are scope time / other time)");
}

fn main() {
    // `REPORT_ONLY=1 cargo bench` reprints the table of the last run.
    if std::env::var_os("REPORT_ONLY").is_some() {
        report();
        return;
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    lookup(&mut c);
    create(&mut c);
    enter_exit(&mut c);
    load(&mut c);
    c.final_summary();
    report();
}
