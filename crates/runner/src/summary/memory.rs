//! Which memory figure compares an entry: a single process by its exact high-water mark, a
//! process tree by its PSS where the sampler read it often enough.

use concbench_core::config::Kind;

use super::{EntrySummary, FamilySummary};
use crate::metric::Metric;

/// An entry's peak memory as a comparison reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PeakMemory {
    /// A single process: its exact high-water mark (median peak RSS), MiB.
    Rss(f64),
    /// A process tree: its median peak PSS, MiB (RSS summed over a tree counts a shared page
    /// once per process), from runs long enough for the sampler's slow tier to read the tree
    /// [`concbench_core::sampler::MIN_SAMPLES`] times.
    Pss(f64),
    /// A process tree whose runs had no sampled PSS read long enough to catch its peak: its
    /// median PSS as the work ended, MiB (each worker's reading as it exited). Not a peak, so
    /// never put in a ratio with one.
    PssAtEnd(f64),
    /// A process tree whose runs carry no PSS.
    NoPss,
    /// A process tree whose runs were too short for the slow tier to catch its peak.
    TooShort {
        /// The median wall time, ms.
        wall_ms: f64,
        /// What enough slow-tier reads take, ms.
        needed_ms: f64,
    },
}

impl FamilySummary {
    /// The peak memory of `e`, an entry of this group: a single process by its exact peak RSS,
    /// a process tree by its peak PSS where its runs were sampled enough to catch it, else by
    /// its PSS as the work ended.
    pub fn peak_memory(&self, e: &EntrySummary) -> PeakMemory {
        if e.kind != Some(Kind::Processes) {
            return e
                .median(Metric::RssPeak)
                .map_or(PeakMemory::NoPss, PeakMemory::Rss);
        }
        let interval_ms = self.settings.as_ref().map_or(50, |c| c.sampler.interval_ms) as f64;
        let needed_ms = concbench_core::sampler::MIN_SAMPLES as f64 * interval_ms;
        let long = e
            .median(Metric::Wall)
            .map(|w| w * 1e3)
            .filter(|&w| w >= needed_ms);
        match (e.median(Metric::PssPeak), long, e.median(Metric::PssEnd)) {
            (Some(pss), Some(_), _) => PeakMemory::Pss(pss),
            (_, _, Some(end)) => PeakMemory::PssAtEnd(end),
            (Some(_), None, None) => PeakMemory::TooShort {
                wall_ms: e.median(Metric::Wall).unwrap_or(0.0) * 1e3,
                needed_ms,
            },
            (None, _, None) => PeakMemory::NoPss,
        }
    }
}
