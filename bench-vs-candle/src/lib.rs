//! Benchmark-only crate: see `benches/vs_candle.rs` and `../BENCHMARKS.md`.
