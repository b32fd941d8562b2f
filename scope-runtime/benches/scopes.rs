//! Scope and variable operations at 1k and 100k variables in the graph.
//! `cargo bench -p scope-runtime --bench scopes`; figures in README.md.

#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use scope_runtime::{get_variable, name_scope, variable_scope, Graph, Initializer, Variable};

const SIZES: [usize; 2] = [1_000, 100_000];

/// A graph with `n` variables spread over 100 scopes (`s0/w0` ...), plus
/// `layer/w` used by the lookup benchmarks.
fn populated(n: usize) -> Graph {
    let graph = Graph::with_seed(0);
    {
        let _d = graph.as_default();
        let per_scope = n / 100;
        for s in 0..100 {
            let _vs = variable_scope(format!("s{s}").as_str()).enter().unwrap();
            for i in 0..per_scope {
                get_variable(&format!("w{i}"))
                    .shape(&[1])
                    .initializer(Initializer::Zeros)
                    .get()
                    .unwrap();
            }
        }
        let _vs = variable_scope("model").enter().unwrap();
        let _inner = variable_scope("layer").enter().unwrap();
        get_variable("w").shape(&[4]).get().unwrap();
    }
    graph
}

fn scope_enter_exit(c: &mut Criterion) {
    let mut group = c.benchmark_group("enter_exit");
    for n in SIZES {
        let graph = populated(n);
        let _d = graph.as_default();
        group.bench_with_input(BenchmarkId::new("name_scope", n), &n, |b, _| {
            b.iter(|| black_box(name_scope("block").enter().unwrap()))
        });
        group.bench_with_input(BenchmarkId::new("variable_scope", n), &n, |b, _| {
            b.iter(|| black_box(variable_scope("block").enter().unwrap()))
        });
    }
    group.finish();
}

fn lookup(c: &mut Criterion) {
    let mut group = c.benchmark_group("get_variable_hit");
    for n in SIZES {
        let graph = populated(n);
        let _d = graph.as_default();
        group.bench_with_input(BenchmarkId::new("inside_entered_scope", n), &n, |b, _| {
            let _outer = variable_scope("model").enter().unwrap();
            let _vs = variable_scope("layer").reuse(true).enter().unwrap();
            b.iter(|| black_box(get_variable("w").shape(&[4]).get().unwrap()))
        });
        group.bench_with_input(
            BenchmarkId::new("scope_entered_per_lookup", n),
            &n,
            |b, _| {
                let _outer = variable_scope("model").enter().unwrap();
                b.iter(|| {
                    let _vs = variable_scope("layer").reuse(true).enter().unwrap();
                    black_box(get_variable("w").shape(&[4]).get().unwrap())
                })
            },
        );
    }
    group.finish();
}

/// Times `op(i)` over `iters` calls, in chunks of `n` on a fresh graph of
/// `n` variables, so the graph stays between n and 2n variables.
fn time_growing(n: usize, iters: u64, mut op: impl FnMut(usize)) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0u64;
    while done < iters {
        let chunk = (iters - done).min(n as u64) as usize;
        let graph = populated(n);
        let _d = graph.as_default();
        let start = Instant::now();
        for i in 0..chunk {
            op(i);
        }
        total += start.elapsed();
        done += chunk as u64;
    }
    total
}

fn create(c: &mut Criterion) {
    let mut group = c.benchmark_group("create");
    for n in SIZES {
        let names: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
        group.bench_with_input(BenchmarkId::new("get_variable", n), &n, |b, &n| {
            b.iter_custom(|iters| {
                time_growing(n, iters, |i| {
                    let _ = black_box(
                        get_variable(&names[i])
                            .shape(&[4])
                            .initializer(Initializer::Zeros)
                            .get()
                            .unwrap(),
                    );
                })
            })
        });
        group.bench_with_input(
            BenchmarkId::new("variable_new_10k_same_name", n),
            &n,
            |b, &n| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    let mut done = 0u64;
                    while done < iters {
                        let chunk = (iters - done).min(n as u64);
                        let graph = populated(n);
                        let _d = graph.as_default();
                        let _ns = name_scope("layer").enter().unwrap();
                        for _ in 0..10_000 {
                            Variable::new("w", 0.0f32).unwrap();
                        }
                        let start = Instant::now();
                        for _ in 0..chunk {
                            black_box(Variable::new("w", 0.0f32).unwrap());
                        }
                        total += start.elapsed();
                        done += chunk;
                    }
                    total
                })
            },
        );
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = scope_enter_exit, lookup, create
}
criterion_main!(benches);
