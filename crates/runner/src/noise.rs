//! The machine's own noise: before every run the runner times a small fixed CPU loop (the
//! probe). Its spread over the matrix says how much the machine's speed drifted, so a difference
//! smaller than that drift is reported as unresolved instead of ranked.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::stats::Stats;

/// Iterations of the probe's loop: about 2 ms on the 2-core reference VM.
const PROBE_ITERATIONS: u64 = 2_000_000;

/// Times the probe once: milliseconds for [`PROBE_ITERATIONS`] rounds of a dependent
/// multiply-xorshift chain (no memory traffic, one core).
pub fn probe_ms() -> f64 {
    let start = Instant::now();
    let mut x = std::hint::black_box(0x9E37_79B9_7F4A_7C15u64);
    for _ in 0..PROBE_ITERATIONS {
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    }
    std::hint::black_box(x);
    start.elapsed().as_secs_f64() * 1e3
}

/// The probe's figures over a matrix run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Noise {
    /// The probe's times, ms.
    pub probe_ms: Stats,
    /// Their coefficient of variation, %: the machine's drift from run to run.
    pub cv_pct: f64,
    /// The slowest probe over the fastest.
    pub spread: f64,
}

impl Noise {
    /// The noise of the probe times `ms`; `None` with fewer than two.
    pub fn of(ms: &[f64]) -> Option<Self> {
        let stats = Stats::of(ms).filter(|s| s.n >= 2 && s.mean > 0.0)?;
        Some(Self {
            cv_pct: stats.sd / stats.mean * 100.0,
            spread: stats.max / stats.min.max(1e-12),
            probe_ms: stats,
        })
    }

    /// Whether a speed ratio `r` differs from 1 by less than the machine's drift (one
    /// coefficient of variation): then the machine cannot tell it from 1.
    pub fn hides(&self, r: f64) -> bool {
        (r - 1.0).abs() * 100.0 < self.cv_pct
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_the_probes_spread() {
        let n = Noise::of(&[2.0, 2.0, 2.0, 2.0, 3.0]).unwrap();
        assert!((n.cv_pct - 0.447_213_6 / 2.2 * 100.0).abs() < 1e-3, "{n:?}");
        assert_eq!(n.spread, 1.5);
        assert!(n.hides(1.1) && !n.hides(1.3) && n.hides(0.85));
        assert!(Noise::of(&[2.0]).is_none());
        assert!(probe_ms() > 0.0);
    }
}
