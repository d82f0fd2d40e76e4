//! The machine's own noise: before every run the runner times a small fixed CPU loop (the
//! probe). Its spread over the matrix describes how much the machine's speed drifted. It is a
//! description, not a gate: a paired speed-up is judged by its own interval, in which pairing
//! within a round has already cancelled the drift both runs shared. The probe's times have fat
//! tails (one slow probe in hundreds), so the spread reported is the robust one (MAD-based).

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::stats::{Stats, robust_sd};

/// A robust coefficient of variation above which the report warns that the machine was very
/// noisy (a quiet machine reads 1–2 %).
pub const VERY_NOISY_PCT: f64 = 5.0;

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
    /// Their coefficient of variation, %: one slow probe moves it a lot.
    pub cv_pct: f64,
    /// Their robust coefficient of variation, %: the MAD-based standard deviation (× 1.4826)
    /// over the median; what one outlier does not move.
    #[serde(default)]
    pub robust_cv_pct: f64,
    /// The slowest probe over the fastest.
    pub spread: f64,
}

impl Noise {
    /// The noise of the probe times `ms`; `None` with fewer than two.
    pub fn of(ms: &[f64]) -> Option<Self> {
        let stats = Stats::of(ms).filter(|s| s.n >= 2 && s.mean > 0.0)?;
        Some(Self {
            cv_pct: stats.sd / stats.mean * 100.0,
            robust_cv_pct: robust_sd(ms) / stats.median * 100.0,
            spread: stats.max / stats.min.max(1e-12),
            probe_ms: stats,
        })
    }

    /// Whether the machine was very noisy: a robust spread above [`VERY_NOISY_PCT`].
    pub fn very_noisy(&self) -> bool {
        self.robust_cv_pct > VERY_NOISY_PCT
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
        assert_eq!(n.robust_cv_pct, 0.0, "four equal probes: no robust spread");
        assert!(!n.very_noisy());
        // One slow probe in twenty moves the CV, not the robust spread.
        let mut ms = [2.7, 2.75, 2.8, 2.72, 2.78].repeat(4);
        ms[7] = 6.7;
        let n = Noise::of(&ms).unwrap();
        assert!(n.cv_pct > 25.0 && n.robust_cv_pct < 2.0, "{n:?}");
        assert!(Noise::of(&[2.0, 3.0, 2.0, 3.0, 2.5]).unwrap().very_noisy());
        assert!(Noise::of(&[2.0]).is_none());
        assert!(probe_ms() > 0.0);
    }
}
