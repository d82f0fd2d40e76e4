//! What the CPU-bound models share: their input and how a tally becomes an outcome.

use std::sync::Arc;

use crate::config::Config;
use crate::harness::Outcome;
use crate::report::Work;
use crate::workload::urls::{Tally, UrlSet};

/// The scenario name of the CPU family.
pub const SCENARIO: &str = "char-encoding";

/// Generates the URLs of `cfg` (outside the measured window).
pub fn prepare(cfg: &Config) -> anyhow::Result<Arc<UrlSet>> {
    Ok(Arc::new(UrlSet::generate(&cfg.cpu)))
}

/// The outcome of a CPU model, after checking that every URL was counted.
pub fn outcome(urls: &UrlSet, tally: Tally) -> anyhow::Result<Outcome> {
    anyhow::ensure!(
        tally.units == urls.len() as u64,
        "counted {} URLs of {}: work was lost",
        tally.units,
        urls.len()
    );
    Ok(Outcome {
        work: Work {
            units: tally.units,
            bytes: tally.bytes,
            checksum: tally.checksum_hex(),
        },
        io: None,
    })
}
