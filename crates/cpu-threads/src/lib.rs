//! cpu-threads: the items (URLs, numbers, records) are cut into jobs of `cpu.chunk`, run on a `threadpool` of
//! `cpu.workers` threads; each job sends its tally back over a channel and the main thread merges
//! them. The pool's construction and teardown are inside the measured window.
//!
//! In the task-cost scenarios each unit is an OS thread of its own (`scenario.threads =
//! "per-unit"`, as the article did) or a job on the `cpu.workers` pool (`"pool"`). A thread the OS
//! refuses is an error naming the limit, found before the process could abort.
//!
//! Run it: `cargo run --release --bin cpu-threads -- --set cpu.workers=2`.

use std::sync::{Arc, mpsc};

use concbench_core::config::{ScenarioName, ThreadUnits};
use concbench_core::pool::Gate;
use concbench_core::{Config, Hooks, Probe};
use concbench_core::{pool, sys};
use concbench_cpu::kernel::{Input, Tally};
use concbench_cpu::model::{CpuModel, UnitRun};
use concbench_cpu::units::{self, UnitTally};

/// A threadpool of `cpu.workers` threads.
pub struct CpuThreads;

impl Hooks for CpuThreads {}

impl CpuModel for CpuThreads {
    const NAME: &'static str = "cpu-threads";

    fn count(cfg: &Config, input: &Arc<Input>, _probe: &Probe) -> anyhow::Result<Tally> {
        let pool = threadpool::Builder::new()
            .num_threads(cfg.cpu.workers)
            .thread_name("cpu-worker".into())
            .build();
        let (tx, rx) = mpsc::channel();
        for range in input.chunks(cfg.cpu.job_items()) {
            let (tx, input) = (tx.clone(), Arc::clone(input));
            pool.execute(move || {
                let _ = tx.send(input.tally(range));
            });
        }
        drop(tx);
        // Ends when every job has sent or died: a panicked job drops its sender unsent.
        let tally = rx.iter().fold(Tally::default(), Tally::merge);
        pool.join();
        anyhow::ensure!(
            pool.panic_count() == 0,
            "{} pool jobs panicked",
            pool.panic_count()
        );
        Ok(tally)
    }

    fn run_units(cfg: &Config, _probe: &Probe) -> anyhow::Result<UnitRun> {
        if cfg.scenario.name == ScenarioName::Switch {
            // Two OS threads through std channels, whatever `scenario.threads` says: a pool of
            // one thread could not hold both units.
            let values = concbench_cpu::switch::on_threads(cfg)?;
            return Ok(UnitRun::of_values("thread", values));
        }
        match cfg.scenario.threads {
            ThreadUnits::PerUnit => per_unit(cfg),
            ThreadUnits::Pool => pooled(cfg),
        }
    }
}

/// What unit `i` does on its thread; idle units wait at `gate` first.
fn unit(cfg: &Config, i: usize, gate: Option<&Gate>) -> u64 {
    if let Some(gate) = gate {
        gate.arrive_and_wait();
    }
    if units::sleeps(cfg) {
        std::thread::sleep(units::sleep_of(cfg, i));
    }
    units::work(cfg, i)
}

fn per_unit(cfg: &Config) -> anyhow::Result<UnitRun> {
    let idle = cfg.scenario.name == ScenarioName::IdleScale;
    let (shared, gate) = (Arc::new(cfg.clone()), Arc::new(Gate::default()));
    let rss_before_mib = if idle { sys::rss_mib() } else { None };
    let body = {
        let (cfg, gate) = (shared.clone(), gate.clone());
        move |i| unit(&cfg, i, idle.then_some(&*gate))
    };
    let handles = pool::spawn_checked(cfg.scenario.units, body, || gate.open())?;
    let mut rss_all_started_mib = None;
    if idle {
        let waited = units::wait_arrivals(gate.arrived(), cfg.scenario.units);
        rss_all_started_mib = sys::rss_mib();
        std::thread::sleep(units::hold(cfg));
        gate.open();
        waited?;
    }
    let mut tally = UnitTally::default();
    for (i, handle) in handles.into_iter().enumerate() {
        let value = handle
            .join()
            .map_err(|_| anyhow::anyhow!("unit thread {i} panicked"))?;
        tally.add(i, value);
    }
    Ok(UnitRun {
        tally,
        unit: "thread",
        rss_before_mib,
        rss_all_started_mib,
        future_bytes: None,
        pss_mib: None,
    })
}

fn pooled(cfg: &Config) -> anyhow::Result<UnitRun> {
    anyhow::ensure!(
        cfg.scenario.name != ScenarioName::IdleScale,
        "idle-scale needs every unit waiting at once; a pool of {} threads cannot hold {} (use scenario.threads = \"per-unit\")",
        cfg.cpu.workers,
        cfg.scenario.units
    );
    let pool = threadpool::Builder::new().num_threads(cfg.cpu.workers).build();
    let (tx, rx) = mpsc::channel();
    let shared = Arc::new(cfg.clone());
    for i in 0..cfg.scenario.units {
        let (tx, cfg) = (tx.clone(), shared.clone());
        pool.execute(move || {
            let _ = tx.send((i, unit(&cfg, i, None)));
        });
    }
    drop(tx);
    let mut tally = UnitTally::default();
    for (i, value) in rx.iter() {
        tally.add(i, value);
    }
    pool.join();
    Ok(UnitRun {
        tally,
        unit: "pool",
        ..UnitRun::default()
    })
}
