//! Timing helpers shared by the benchmarks: the median of repeated runs after one warm-up.
// Each bench binary uses only part of it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

pub fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

/// Runs `f` once to warm up (lazy metadata, page faults), then `runs` times; returns the median.
pub fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

/// A count from the environment (`ROWS=20000` for a quick run), else `default`.
pub fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(default)
}
