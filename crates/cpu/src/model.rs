//! What the CPU-bound models share: the input (the kernel's URLs, numbers or records), the check
//! that every item was tallied, and the [`Model`] plumbing. A CPU model implements [`CpuModel`],
//! which is only the part that differs: how it splits the work and runs it.

use std::marker::PhantomData;
use std::sync::Arc;

use anyhow::Context;

use crate::files::Files;
use crate::kernel::{Input, Tally};
use crate::sqlite::{self, Db};
use crate::units::UnitTally;
use concbench_core::config::{Config, CpuKernel, ScenarioName};
use concbench_core::harness::{Family, Hooks, Model, Outcome};
use concbench_core::report::{Moved, UnitStats, Work};
use concbench_core::sampler::Probe;

/// What this run's process model moved to its workers ([`note_moved`]).
static MOVED: std::sync::Mutex<Option<Moved>> = std::sync::Mutex::new(None);

/// Records what a process model moved to its workers, for the report's `moved` block.
pub fn note_moved(moved: Moved) {
    *MOVED.lock().expect("the moved lock") = Some(moved);
}

/// The scenario name of the CPU family's default kernel.
pub const SCENARIO: &str = "char-encoding";

/// A CPU-bound model: counts every URL of the shared input its own way.
pub trait CpuModel: Hooks {
    /// Binary name, e.g. `cpu-sync`.
    const NAME: &'static str;

    /// Tallies every item of `input` with [`Input::tally`] (measured): build the runtime, pool
    /// or processes, tally the ranges, merge.
    fn count(cfg: &Config, input: &Arc<Input>, probe: &Probe) -> anyhow::Result<Tally>;

    /// Runs `scenario.units` units of the task-cost scenario (measured), each doing
    /// [`units::work`](crate::units::work) and the model's native sleep where the
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
    /// idle-scale with processes: the PSS of this process before the first unit, and of the
    /// whole tree with every unit waiting, MiB.
    pub pss_mib: Option<(f64, f64)>,
}

impl UnitRun {
    /// The run of units whose values are `values`, unit `i` the `i`th, run as `unit` (the
    /// switch's two units, say).
    pub fn of_values(unit: &'static str, values: impl IntoIterator<Item = u64>) -> Self {
        let mut tally = UnitTally::default();
        for (i, value) in values.into_iter().enumerate() {
            tally.add(i, value);
        }
        UnitRun {
            tally,
            unit,
            ..UnitRun::default()
        }
    }
}

/// The inputs of a CPU run: the kernel's items, and the data of the sqlite and file scenarios.
#[derive(Debug)]
pub struct CpuInput {
    /// What [`CpuModel::count`] tallies (empty for the task-cost scenarios).
    pub items: Arc<Input>,
    /// The sqlite scenarios' database, or file-read's files.
    pub data: Option<ScenarioData>,
}

/// Data a task-cost scenario's units use, made before the window.
#[derive(Debug)]
pub enum ScenarioData {
    /// The SQLite file.
    Db(Db),
    /// One file per unit.
    Files(Files),
}

impl ScenarioData {
    fn create(cfg: &Config) -> anyhow::Result<Option<Self>> {
        Ok(match cfg.scenario.name {
            ScenarioName::SqliteInsert | ScenarioName::SqliteRead => {
                Some(Self::Db(Db::create(cfg).context("creating the SQLite file")?))
            }
            ScenarioName::FileRead => Some(Self::Files(Files::create(cfg).context("writing the files")?)),
            _ => None,
        })
    }

    fn path(&self) -> &std::path::Path {
        match self {
            Self::Db(db) => db.path(),
            Self::Files(files) => files.path(),
        }
    }
}

/// The [`Model`] of a [`CpuModel`]: `harness::main::<Cpu<CpuSync>>()`.
pub struct Cpu<M>(PhantomData<M>);

impl<M: CpuModel> Model for Cpu<M> {
    const NAME: &'static str = M::NAME;
    const FAMILY: Family = Family::Cpu;
    const SCENARIO: &'static str = SCENARIO;
    type Input = CpuInput;
    type Hooks = M;

    fn prepare(cfg: &Config) -> anyhow::Result<Self::Input> {
        let data = ScenarioData::create(cfg)?;
        let items = if cfg.scenario.name == ScenarioName::Main {
            Input::generate(&cfg.cpu)
        } else {
            Input::default() // the units need no items
        };
        Ok(CpuInput {
            items: Arc::new(items),
            data,
        })
    }

    fn run(cfg: &Config, input: &Self::Input, probe: &Probe) -> anyhow::Result<Outcome> {
        if cfg.scenario.cpus > 0 {
            concbench_core::sys::pin_to_first(cfg.scenario.cpus)?;
        }
        if cfg.scenario.name == ScenarioName::Main {
            let tally = M::count(cfg, &input.items, probe)?;
            return outcome(&input.items, tally);
        }
        let Some(data) = &input.data else {
            return unit_outcome(cfg, M::run_units(cfg, probe)?);
        };
        // The units find their data through the config they are given.
        let mut with_data = cfg.clone();
        with_data.scenario.data = data.path().to_string_lossy().into_owned();
        let run = M::run_units(&with_data, probe)?;
        if let Some(failure) = crate::failure() {
            anyhow::bail!("a unit failed: {failure}");
        }
        let mut outcome = unit_outcome(cfg, run)?;
        if let (Some(units), ScenarioData::Db(_)) = (&mut outcome.units, data) {
            units.busy_retries = Some(sqlite::busy_retries());
        }
        Ok(outcome)
    }

    fn check(cfg: &Config, input: &Self::Input) -> anyhow::Result<()> {
        match (&input.data, cfg.scenario.name) {
            (Some(ScenarioData::Db(db)), ScenarioName::SqliteInsert) => db.verify(cfg),
            _ => Ok(()),
        }
    }

    fn scenario(cfg: &Config) -> String {
        match cfg.scenario.name {
            ScenarioName::Main => cfg.cpu.kernel.name().into(),
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
            busy_retries: None,
            pss_per_unit_kib: run
                .pss_mib
                .map(|(before, all)| (all - before) * 1024.0 / cfg.scenario.units as f64),
            switches: (cfg.scenario.name == ScenarioName::Switch).then_some(cfg.scenario.switches),
            switch_ns: None,
        }),
        serve: None,
        moved: None,
    })
}

/// The outcome of a CPU model, after checking that every item was tallied.
fn outcome(input: &Input, tally: Tally) -> anyhow::Result<Outcome> {
    let items = match input.kernel() {
        CpuKernel::CharEncoding => "URLs",
        CpuKernel::SqrtSum => "numbers",
        CpuKernel::FilterAggregate => "records",
    };
    anyhow::ensure!(
        tally.units == input.len() as u64,
        "tallied {} {items} of {}: work was lost",
        tally.units,
        input.len()
    );
    Ok(Outcome {
        work: Work {
            units: tally.units,
            bytes: tally.bytes,
            checksum: tally.checksum_hex(),
        },
        io: None,
        units: None,
        serve: None,
        moved: MOVED.lock().expect("the moved lock").take(),
    })
}
