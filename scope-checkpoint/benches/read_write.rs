//! Reading and writing a GPT-2-124M-shaped checkpoint (148 f32 tensors,
//! about 500 MB), next to the memcpy and page-fault floors.
//!
//! Run: `cargo bench -p scope-checkpoint --bench read_write`
//! (set `SCOPE_BENCH_DIR` to generate the files somewhere else than the
//! system temp dir).

#![deny(unsafe_code)]

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ndarray::{ArrayD, IxDyn};
use scope_checkpoint::{
    save_checkpoint_with, save_safetensors_with, CheckpointReader, SafetensorsReader, SaveOptions,
};

/// Names and shapes of GPT-2 124M (`openai/gpt-2` `src/model.py`).
fn gpt2_124m() -> Vec<(String, Vec<usize>)> {
    let (e, v, c, layers) = (768, 50257, 1024, 12);
    let mut t = vec![
        ("model/wpe".to_string(), vec![c, e]),
        ("model/wte".to_string(), vec![v, e]),
    ];
    for l in 0..layers {
        let h = format!("model/h{l}");
        for (n, s) in [
            ("ln_1/g", vec![e]),
            ("ln_1/b", vec![e]),
            ("attn/c_attn/w", vec![1, e, 3 * e]),
            ("attn/c_attn/b", vec![3 * e]),
            ("attn/c_proj/w", vec![1, e, e]),
            ("attn/c_proj/b", vec![e]),
            ("ln_2/g", vec![e]),
            ("ln_2/b", vec![e]),
            ("mlp/c_fc/w", vec![1, e, 4 * e]),
            ("mlp/c_fc/b", vec![4 * e]),
            ("mlp/c_proj/w", vec![1, 4 * e, e]),
            ("mlp/c_proj/b", vec![e]),
        ] {
            t.push((format!("{h}/{n}"), s));
        }
    }
    t.push(("model/ln_f/g".into(), vec![e]));
    t.push(("model/ln_f/b".into(), vec![e]));
    t
}

fn make_tensors() -> Vec<(String, ArrayD<f32>)> {
    gpt2_124m()
        .into_iter()
        .enumerate()
        .map(|(k, (name, shape))| {
            let n: usize = shape.iter().product();
            let data: Vec<f32> = (0..n)
                .map(|i| ((i * 31 + k) % 1013) as f32 * 1e-3 - 0.5)
                .collect();
            (name, ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap())
        })
        .collect()
}

#[allow(unsafe_code)]
fn bench(c: &mut Criterion) {
    let tensors = make_tensors();
    assert_eq!(tensors.len(), 148);
    let total: usize = tensors.iter().map(|(_, a)| a.len() * 4).sum();
    let dir = match std::env::var_os("SCOPE_BENCH_DIR") {
        Some(d) => tempfile::tempdir_in(d).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };
    let no_sync = SaveOptions {
        fsync: false,
        update_state_file: false,
    };
    let prefix = dir.path().join("gpt2.ckpt");
    let st = dir.path().join("gpt2.safetensors");
    save_checkpoint_with(&prefix, tensors.iter().map(|(n, a)| (n, a)), &no_sync).unwrap();
    save_safetensors_with(
        &st,
        tensors.iter().map(|(n, a)| (n, a)),
        [("format", "np")],
        &no_sync,
    )
    .unwrap();
    let sizes: Vec<usize> = tensors.iter().map(|(_, a)| a.len()).collect();
    eprintln!(
        "{} tensors, {} bytes, in {}",
        tensors.len(),
        total,
        dir.path().display()
    );

    let mut g = c.benchmark_group("gpt2_124m");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(total as u64));

    g.bench_function("read_owned/tf_checkpoint (crc32c on)", |b| {
        b.iter(|| {
            let r = CheckpointReader::open(&prefix).unwrap();
            let v: Vec<_> = r
                .entries()
                .iter()
                .map(|e| r.read(&e.name).unwrap())
                .collect();
            black_box(v)
        })
    });
    g.bench_function("read_owned/safetensors", |b| {
        b.iter(|| {
            let r = SafetensorsReader::open(&st).unwrap();
            let v: Vec<_> = r
                .entries()
                .iter()
                .map(|e| r.read(&e.name).unwrap())
                .collect();
            black_box(v)
        })
    });
    g.bench_function("view/tf_checkpoint (zero-copy, crc32c on)", |b| {
        b.iter(|| {
            let r = CheckpointReader::open(&prefix).unwrap();
            let mut s = 0.0f32;
            for e in r.entries() {
                let v = r.view::<f32>(&e.name).unwrap();
                s += v.first().copied().unwrap_or(0.0);
            }
            black_box(s)
        })
    });
    g.bench_function("view/safetensors (zero-copy, no checksum in format)", |b| {
        b.iter(|| {
            let r = SafetensorsReader::open(&st).unwrap();
            let mut s = 0.0f32;
            for e in r.entries() {
                let v = r.view::<f32>(&e.name).unwrap();
                s += v.iter().step_by(1024).sum::<f32>();
            }
            black_box(s)
        })
    });
    // Floors.
    let src: Vec<Vec<f32>> = tensors
        .iter()
        .map(|(_, a)| a.as_slice().unwrap().to_vec())
        .collect();
    let mut dst: Vec<Vec<f32>> = sizes.iter().map(|&n| vec![1.0f32; n]).collect();
    g.bench_function("floor/memcpy into touched buffers", |b| {
        b.iter(|| {
            for (d, s) in dst.iter_mut().zip(&src) {
                d.copy_from_slice(s);
            }
            black_box(&dst);
        })
    });
    g.bench_function("floor/page_fault (allocate + fill fresh buffers)", |b| {
        b.iter(|| {
            let v: Vec<Vec<f32>> = sizes
                .iter()
                .map(|&n| {
                    let mut x = Vec::with_capacity(n);
                    x.resize(n, 1.0f32);
                    x
                })
                .collect();
            black_box(v)
        })
    });
    g.bench_function(
        "floor/page_fault with MADV_HUGEPAGE (what read_owned does)",
        |b| {
            b.iter(|| {
                let v: Vec<Vec<f32>> = sizes
                    .iter()
                    .map(|&n| {
                        let mut x: Vec<f32> = Vec::with_capacity(n);
                        let (p, len) = (x.as_mut_ptr() as usize, n * 4);
                        let huge = 2usize << 20;
                        let (start, end) = (p.next_multiple_of(huge), (p + len) & !(huge - 1));
                        if len >= 2 * huge && end > start {
                            // SAFETY: advice on memory this Vec owns.
                            unsafe {
                                libc::madvise(
                                    start as *mut libc::c_void,
                                    end - start,
                                    libc::MADV_HUGEPAGE,
                                )
                            };
                        }
                        x.resize(n, 1.0f32);
                        x
                    })
                    .collect();
                black_box(v)
            })
        },
    );
    drop(dst);
    drop(src);

    // Writing.
    let out = dir.path().join("out.ckpt");
    let out_st = dir.path().join("out.safetensors");
    let raw = dir.path().join("raw.bin");
    let one_buffer: Vec<u8> = vec![7u8; total];
    g.bench_function("write/fs_write (one call, same bytes)", |b| {
        b.iter(|| std::fs::write(&raw, &one_buffer).unwrap())
    });
    g.bench_function("write/tf_checkpoint (no fsync)", |b| {
        b.iter(|| {
            save_checkpoint_with(&out, tensors.iter().map(|(n, a)| (n, a)), &no_sync).unwrap()
        })
    });
    g.bench_function("write/safetensors (no fsync)", |b| {
        b.iter(|| {
            save_safetensors_with(
                &out_st,
                tensors.iter().map(|(n, a)| (n, a)),
                [("format", "np")],
                &no_sync,
            )
            .unwrap()
        })
    });
    g.bench_function("write/fs_write + fsync", |b| {
        b.iter(|| {
            std::fs::write(&raw, &one_buffer).unwrap();
            std::fs::File::open(&raw).unwrap().sync_all().unwrap();
        })
    });
    g.bench_function("write/tf_checkpoint (fsync, default)", |b| {
        b.iter(|| {
            save_checkpoint_with(
                &out,
                tensors.iter().map(|(n, a)| (n, a)),
                &SaveOptions::default(),
            )
            .unwrap()
        })
    });
    g.finish();
    let _ = Path::new("");
}

criterion_group!(benches, bench);
criterion_main!(benches);
