//! What the CPU-bound models share: the input (the generated URLs), the check that every URL was
//! counted, and the [`Model`] plumbing. A CPU model implements [`CpuModel`], which is only the
//! part that differs: how it counts.

use std::marker::PhantomData;
use std::sync::Arc;

use crate::config::Config;
use crate::harness::{Family, Hooks, Model, Outcome};
use crate::report::Work;
use crate::sampler::Probe;
use crate::workload::urls::{Tally, UrlSet};

/// The scenario name of the CPU family.
pub const SCENARIO: &str = "char-encoding";

/// A CPU-bound model: counts every URL of the shared input its own way.
pub trait CpuModel: Hooks {
    /// Binary name, e.g. `cpu-sync`.
    const NAME: &'static str;

    /// Counts every URL (measured): build the runtime, pool or processes, count, collect.
    fn count(cfg: &Config, urls: &Arc<UrlSet>, probe: &Probe) -> anyhow::Result<Tally>;
}

/// The [`Model`] of a [`CpuModel`]: `harness::main::<Cpu<CpuSync>>()`.
pub struct Cpu<M>(PhantomData<M>);

impl<M: CpuModel> Model for Cpu<M> {
    const NAME: &'static str = M::NAME;
    const FAMILY: Family = Family::Cpu;
    const SCENARIO: &'static str = SCENARIO;
    type Input = Arc<UrlSet>;
    type Hooks = M;

    fn prepare(cfg: &Config) -> anyhow::Result<Self::Input> {
        Ok(Arc::new(UrlSet::generate(&cfg.cpu)))
    }

    fn run(cfg: &Config, urls: &Self::Input, probe: &Probe) -> anyhow::Result<Outcome> {
        let tally = M::count(cfg, urls, probe)?;
        outcome(urls, tally)
    }
}

/// The outcome of a CPU model, after checking that every URL was counted.
fn outcome(urls: &UrlSet, tally: Tally) -> anyhow::Result<Outcome> {
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
