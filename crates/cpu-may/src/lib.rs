//! cpu-may: stackful coroutines (may 0.3), the runtime under may_minihttp: blocking-style code,
//! no `async`. The items are cut into the same jobs of `cpu.chunk` as cpu-threads', and each job
//! is a coroutine on may's scheduler of `cpu.workers` threads (work stealing); the tallies are
//! joined and merged.
//!
//! In the task-cost scenarios each unit is a coroutine: it sleeps with may's own sleep (the
//! coroutine yields; the thread goes on), waits in idle-scale on a coroutine-aware flag, and
//! passes the switch's token through may's channels. Every coroutine gets a stack of
//! [`concbench_may::STACK_WORDS`] words (may's default: 32 KiB reserved on 64-bit, of which only the pages a
//! coroutine touches become resident), named in the report's variant.
//!
//! may's scheduler is process-wide and configured once, before the first coroutine: its worker
//! count is `cpu.workers`, and its default pinning of each worker to a core is turned off, so
//! that the operating system places its threads as it places every other model's.
//!
//! Run it: `cargo run --release --bin cpu-may -- --set cpu.workers=cores`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use concbench_core::config::ScenarioName;
use concbench_core::{Config, Hooks, Probe, sys};
use concbench_cpu::kernel::{Input, Tally};
use concbench_cpu::model::{CpuModel, UnitRun};
use concbench_cpu::switch;
use concbench_cpu::units::{self, UnitTally};
use concbench_may::{go, join};

/// Coroutines on may's scheduler.
pub struct CpuMay;

impl Hooks for CpuMay {
    fn variant(_cfg: &Config) -> Option<String> {
        Some(concbench_may::stack_name(concbench_may::STACK_WORDS))
    }
}

impl CpuModel for CpuMay {
    const NAME: &'static str = "cpu-may";

    fn count(cfg: &Config, input: &Arc<Input>, _probe: &Probe) -> anyhow::Result<Tally> {
        concbench_may::configure(cfg.cpu.workers);
        let handles = input
            .chunks(cfg.cpu.job_items())
            .into_iter()
            .enumerate()
            .map(|(n, range)| {
                let input = input.clone();
                go(n, move || input.tally(range))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut tally = Tally::default();
        for (n, handle) in handles.into_iter().enumerate() {
            tally = tally.merge(join(n, handle)?);
        }
        Ok(tally)
    }

    fn run_units(cfg: &Config, _probe: &Probe) -> anyhow::Result<UnitRun> {
        concbench_may::configure(cfg.cpu.workers);
        match cfg.scenario.name {
            ScenarioName::Switch => switched(cfg),
            _ => units_as_coroutines(cfg),
        }
    }
}

/// A coroutine per unit; in idle-scale each waits on a flag until every unit has started and
/// the memory is read.
fn units_as_coroutines(cfg: &Config) -> anyhow::Result<UnitRun> {
    let idle = cfg.scenario.name == ScenarioName::IdleScale;
    let shared = Arc::new(cfg.clone());
    let arrived = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(may::sync::SyncFlag::new());
    let rss_before_mib = if idle { sys::rss_mib() } else { None };
    let mut handles = Vec::with_capacity(cfg.scenario.units);
    for i in 0..cfg.scenario.units {
        let (cfg, arrivals, flag) = (shared.clone(), arrived.clone(), release.clone());
        let started = go(i, move || {
            if idle {
                arrivals.fetch_add(1, Ordering::SeqCst);
                flag.wait();
            }
            if units::sleeps(&cfg) {
                concbench_may::sleep(units::sleep_of(&cfg, i));
            }
            units::work(&cfg, i)
        });
        match started {
            Ok(handle) => handles.push(handle),
            Err(err) => {
                release.fire(); // let the started ones end before saying why
                return Err(err);
            }
        }
    }
    let mut rss_all_started_mib = None;
    if idle {
        let waited = units::wait_arrivals(&arrived, cfg.scenario.units);
        rss_all_started_mib = sys::rss_mib();
        std::thread::sleep(units::hold(cfg));
        release.fire();
        waited?;
    }
    let mut tally = UnitTally::default();
    for (i, handle) in handles.into_iter().enumerate() {
        tally.add(i, join(i, handle)?);
    }
    Ok(UnitRun {
        tally,
        unit: "coroutine",
        rss_before_mib,
        rss_all_started_mib,
        ..UnitRun::default()
    })
}

/// The switch: two coroutines passing the token through may's channels.
fn switched(cfg: &Config) -> anyhow::Result<UnitRun> {
    let n = cfg.scenario.switches;
    let (to_1, from_0) = may::sync::mpsc::channel::<u64>();
    let (to_0, from_1) = may::sync::mpsc::channel::<u64>();
    let zero = go(0, move || {
        switch::relay(0, n, |t| to_1.send(t).is_ok(), || from_1.recv().ok())
    })?;
    let one = go(1, move || {
        switch::relay(1, n, |t| to_0.send(t).is_ok(), || from_0.recv().ok())
    })?;
    Ok(UnitRun::of_values("coroutine", [join(0, zero)?, join(1, one)?]))
}
