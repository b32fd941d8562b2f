//! Thread configuration for candle's CPU backend, chosen for inference.
//!
//! candle 0.11 runs element-wise ops on its own "barrier pool" (one worker
//! per extra core, each spinning up to 25,000 `pause`s after every op
//! before it parks) and matmuls on rayon's global pool: on 2 cores that is
//! 3 busy threads. On the GPT-2 124M forward pass the barrier workers'
//! spinning took about 20 % of the samples and competed with the matmul
//! threads for the cores (worse when the machine is loaded); with
//! `CANDLE_NUM_THREADS=1` the pool has no worker, element-wise ops run on
//! the calling thread, and the process CPU time per pass fell by ~18 %
//! (9.4 s → 7.7 s user for 11 passes plus the load, same run).
//! Matmuls keep every core (rayon's pool, `RAYON_NUM_THREADS`).

/// Sets `CANDLE_NUM_THREADS=1` unless the user set it: element-wise ops
/// on the calling thread, no spinning helper threads. Call it first thing
/// in `main`, before any thread is started or any candle op runs (candle
/// reads the variable once, when it first needs its pool).
pub fn tune_cpu_threads() {
    if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
        std::env::set_var("CANDLE_NUM_THREADS", "1");
    }
}

/// CPU time used so far by the live threads of this process, in seconds
/// (Linux: the sum of `/proc/self/task/*/schedstat`, nanosecond
/// resolution; `None` elsewhere). Less sensitive than wall time to other
/// load on the machine, for benchmarks.
pub fn process_cpu_seconds() -> Option<f64> {
    let mut ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path().join("schedstat");
        let text = std::fs::read_to_string(path).ok()?;
        ns += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(ns as f64 * 1e-9)
}
