//! `jobrig bench`: measurements of the engine in-process and of `jobrig serve` on the wire.

pub mod engine;
pub mod http;
pub mod mqtt;
pub mod server;

pub use engine::{RolloutReport, engine_rollout, peak_rss_mib};

/// Median and 99th percentile of latencies in microseconds.
pub fn percentiles(mut samples: Vec<u64>) -> (f64, f64) {
    if samples.is_empty() {
        return (0.0, 0.0);
    }
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize] as f64;
    (at(0.5), at(0.99))
}
