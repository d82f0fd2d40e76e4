//! Uneven load: a share of the units (a server's connections, a client's requests) carries
//! `heavy_factor` times the CPU work of the rest, so that a scheduler that pins work to a thread
//! (thread-per-core) and one that moves it (work stealing) part ways. The work is [`spin`]: a
//! fixed number of dependent steps, the same in every model.

/// Whether unit `index` is heavy when `share` of the units are: spread evenly over them (with a
/// share of 0.1, units 9, 19, 29, ...).
pub fn is_heavy(index: usize, share: f64) -> bool {
    share > 0.0 && ((index + 1) as f64 * share).floor() > (index as f64 * share).floor()
}

/// `rounds` steps of xorshift64, a dependent chain the compiler cannot fold: CPU work of a
/// fixed size. Returns the state so that it is not optimised away.
pub fn spin(rounds: u64) -> u64 {
    let mut x = std::hint::black_box(0x9E37_79B9_7F4A_7C15u64);
    for _ in 0..std::hint::black_box(rounds) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    std::hint::black_box(x)
}

/// The CPU work per unit of a run: `spin_rounds` for a light unit, `heavy_factor` times as
/// many for a heavy one.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Skew {
    /// Rounds of [`spin`] per light unit; 0: no work.
    pub spin_rounds: u64,
    /// The share of the units that are heavy; 0: all alike.
    pub heavy_share: f64,
    /// A heavy unit's rounds over a light one's.
    pub heavy_factor: u64,
}

impl Skew {
    /// The rounds of a unit that is `heavy` or not (light when the load is even).
    pub fn rounds(&self, heavy: bool) -> u64 {
        let factor = if heavy && self.heavy_share > 0.0 {
            self.heavy_factor.max(1)
        } else {
            1
        };
        self.spin_rounds.saturating_mul(factor)
    }

    /// Spins for unit `index`.
    pub fn spin_for(&self, index: usize) {
        if self.spin_rounds > 0 {
            spin(self.rounds(is_heavy(index, self.heavy_share)));
        }
    }

    /// True when some units are heavier than others.
    pub fn uneven(&self) -> bool {
        self.spin_rounds > 0 && self.heavy_share > 0.0 && self.heavy_factor > 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_heavy_spread_evenly() {
        let heavy: Vec<usize> = (0..30).filter(|&c| is_heavy(c, 0.1)).collect();
        assert_eq!(heavy, [9, 19, 29]);
        assert_eq!((0..100).filter(|&c| is_heavy(c, 0.25)).count(), 25);
        assert!((0..100).all(|c| !is_heavy(c, 0.0)) && (0..100).all(|c| is_heavy(c, 1.0)));
    }

    #[test]
    fn heavy_units_carry_the_factor() {
        let skew = Skew {
            spin_rounds: 100,
            heavy_share: 0.5,
            heavy_factor: 20,
        };
        assert_eq!((skew.rounds(false), skew.rounds(true)), (100, 2000));
        let even = Skew {
            heavy_share: 0.0,
            ..skew
        };
        assert_eq!(even.rounds(true), 100, "no share, no heavy units");
        assert!(skew.uneven() && !even.uneven());
        assert_ne!(spin(10), spin(11));
    }
}
