//! What the CPU-bound models share: the input (the generated URLs), the check that every URL was
//! counted, and the [`Model`] plumbing. A CPU model implements [`CpuModel`], which is only the
//! part that differs: how it counts.

use std::marker::PhantomData;
use std::sync::Arc;

use crate::config::{Config, ScenarioName};
use crate::harness::{Family, Hooks, Model, Outcome};
use crate::report::{UnitStats, Work};
use crate::sampler::Probe;
use crate::workload::units::UnitTally;
use crate::workload::urls::{Tally, UrlSet};

/// The scenario name of the CPU family.
pub const SCENARIO: &str = "char-encoding";

/// A CPU-bound model: counts every URL of the shared input its own way.
pub trait CpuModel: Hooks {
    /// Binary name, e.g. `cpu-sync`.
    const NAME: &'static str;

    /// Counts every URL (measured): build the runtime, pool or processes, count, collect.
    fn count(cfg: &Config, urls: &Arc<UrlSet>, probe: &Probe) -> anyhow::Result<Tally>;

    /// Runs `scenario.units` units of the task-cost scenario (measured), each doing
    /// [`units::work`](crate::workload::units::work) and the model's native sleep where the
    /// scenario sleeps.
    fn run_units(_cfg: &Config, _probe: &Probe) -> anyhow::Result<UnitRun> {
        anyhow::bail!("{} does not run the task-cost scenarios", Self::NAME)
    }
}

/// What a model's units returned.
#[derive(Debug, Clone, Default)]
pub struct UnitRun {
    /// Units finished and their checksum.
    pub tally: UnitTally,
    /// How the units ran: `task`, `thread`, `pool`, `process` or `sequential`.
    pub unit: &'static str,
    /// idle-scale: resident memory before the first unit, MiB.
    pub rss_before_mib: Option<f64>,
    /// idle-scale: resident memory with every unit waiting, MiB.
    pub rss_all_started_mib: Option<f64>,
    /// idle-scale on an async runtime: the size of one unit's future, bytes.
    pub future_bytes: Option<u64>,
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
        if cfg.scenario.name != ScenarioName::Main {
            return Ok(Arc::new(UrlSet::default())); // the units need no URLs
        }
        Ok(Arc::new(UrlSet::generate(&cfg.cpu)))
    }

    fn run(cfg: &Config, urls: &Self::Input, probe: &Probe) -> anyhow::Result<Outcome> {
        if cfg.scenario.name != ScenarioName::Main {
            return unit_outcome(cfg, M::run_units(cfg, probe)?);
        }
        let tally = M::count(cfg, urls, probe)?;
        outcome(urls, tally)
    }

    fn scenario(cfg: &Config) -> String {
        match cfg.scenario.name {
            ScenarioName::Main => SCENARIO.into(),
            other => other.name().into(),
        }
    }
}

/// The outcome of a task-cost run, after checking that every unit finished.
fn unit_outcome(cfg: &Config, run: UnitRun) -> anyhow::Result<Outcome> {
    anyhow::ensure!(
        run.tally.units == cfg.scenario.units as u64,
        "{} units of {} finished: work was lost",
        run.tally.units,
        cfg.scenario.units
    );
    let per_unit_kib = match (run.rss_before_mib, run.rss_all_started_mib) {
        (Some(before), Some(all)) => Some((all - before) * 1024.0 / cfg.scenario.units as f64),
        _ => None,
    };
    Ok(Outcome {
        work: run.tally.work(),
        io: None,
        units: Some(UnitStats {
            scenario: cfg.scenario.name.name().into(),
            unit: run.unit.into(),
            count: run.tally.units,
            per_unit_us: 0.0,
            rss_before_mib: run.rss_before_mib,
            rss_all_started_mib: run.rss_all_started_mib,
            rss_per_unit_kib: per_unit_kib,
            future_bytes: run.future_bytes,
        }),
    })
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
        units: None,
    })
}
