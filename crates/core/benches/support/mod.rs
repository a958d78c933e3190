//! Timing helpers shared by the benchmarks: the median of repeated runs after one warm-up.

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
