//! What an open-loop run and a blocking storm conclude, as values: whether an entry kept up with
//! its schedule, where a rate sweep's knee is, and whether a current-thread executor was
//! serialised. The open-loop section and the findings say them.

use super::EntrySummary;
use crate::metric::Metric;

/// An entry keeps up when it achieves at least this share of the offered rate.
pub const KEEPS_UP: f64 = 0.95;
/// A model's knee: the lowest offered rate from which on its corrected p99 stays above this
/// multiple of its value at the sweep's lowest rate.
pub const KNEE: f64 = 3.0;
/// A storm's executor was serialised when its wall time is within this band of one unit's time
/// times the units (one unit after another).
pub const SERIALISED: std::ops::RangeInclusive<f64> = 0.8..=1.25;

impl EntrySummary {
    /// Whether it achieved at least [`KEEPS_UP`] of its offered rate (`None`: not open loop).
    pub fn keeps_up(&self) -> Option<bool> {
        Some(self.mean(Metric::AchievedPerS)? >= KEEPS_UP * self.mean(Metric::OfferedPerS)?)
    }
}

/// Where a rate sweep's series turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Knee {
    /// Past its capacity already at the lowest rate.
    AtTheLowest,
    /// At the point of this index: from it on, every corrected p99 is above [`KNEE`] times the
    /// lowest rate's (so that one noisy point below the real knee does not pass for it).
    At(usize),
    /// No knee up to the highest rate.
    None,
}

/// The knee of `points` (offered rate, point), lowest rate first, with a corrected p99 each.
pub fn knee(points: &[(f64, &EntrySummary)]) -> Option<Knee> {
    let (_, first) = points.first()?;
    let base = first.mean(Metric::CorrectedP99)?;
    if first.keeps_up() == Some(false) {
        return Some(Knee::AtTheLowest);
    }
    let past = |p: &EntrySummary| p.mean(Metric::CorrectedP99).is_some_and(|c| c > KNEE * base);
    Some(
        (0..points.len())
            .find(|&k| points[k..].iter().all(|(_, p)| past(p)))
            .map_or(Knee::None, Knee::At),
    )
}

/// How a blocking storm's current-thread runtime ran against one unit after another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storm {
    /// Within [`SERIALISED`]: the executor ran one unit at a time.
    Serialised,
    /// Below it: the units overlapped.
    Overlapped,
    /// Above it: slower than one after another.
    SlowerThanSerial,
}

/// The storm's reading of `ratio`, the runtime's wall time over the units' serial time.
pub fn storm(ratio: f64) -> Storm {
    if SERIALISED.contains(&ratio) {
        Storm::Serialised
    } else if ratio < *SERIALISED.start() {
        Storm::Overlapped
    } else {
        Storm::SlowerThanSerial
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storm_is_serialised_only_near_one_unit_after_another() {
        assert_eq!(storm(1.0), Storm::Serialised);
        assert_eq!(storm(0.8), Storm::Serialised);
        assert_eq!(storm(1.25), Storm::Serialised);
        assert_eq!(storm(0.5), Storm::Overlapped, "two threads sharing the units");
        assert_eq!(storm(1.3), Storm::SlowerThanSerial);
    }
}
