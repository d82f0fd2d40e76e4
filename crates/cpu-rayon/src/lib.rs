//! cpu-rayon: data parallelism, the first thing a Rust user reaches for on CPU-bound work. The
//! items (URLs, numbers, records) are cut into the same jobs of `cpu.chunk` as cpu-threads', and
//! rayon's parallel iterator tallies them on a pool of `cpu.workers` threads (work stealing),
//! reducing the tallies as it goes. The pool's construction and teardown are inside the measured
//! window.
//!
//! In the task-cost scenarios each unit is a job spawned into one `rayon::scope` on the pool.
//! Where a kind of unit does not fit, a run shows it rather than a silence: a sleeping unit blocks
//! its worker (rayon has no timer; 20 units of 20 ms on 2 workers take 200 ms), and idle-scale,
//! which needs every unit waiting at once, is refused with the reason.
//!
//! Run it: `cargo run --release --bin cpu-rayon -- --set cpu.workers=cores`.

use std::sync::{Arc, Mutex};

use anyhow::Context;
use concbench_core::config::ScenarioName;
use concbench_core::{Config, Hooks, Probe};
use concbench_cpu::kernel::{Input, Tally};
use concbench_cpu::model::{CpuModel, UnitRun};
use concbench_cpu::units::{self, UnitTally};
use rayon::prelude::*;

/// rayon's parallel iterator on a pool of `cpu.workers` threads.
pub struct CpuRayon;

impl Hooks for CpuRayon {}

/// A pool of `cpu.workers` threads named `rayon-N`.
fn pool(cfg: &Config) -> anyhow::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.cpu.workers)
        .thread_name(|n| format!("rayon-{n}"))
        .build()
        .context("building the rayon pool")
}

impl CpuModel for CpuRayon {
    const NAME: &'static str = "cpu-rayon";

    fn count(cfg: &Config, input: &Arc<Input>, _probe: &Probe) -> anyhow::Result<Tally> {
        let pool = pool(cfg)?;
        let chunks = input.chunks(cfg.cpu.job_items());
        let tally = pool.install(|| {
            chunks
                .into_par_iter()
                .map(|range| input.tally(range))
                .reduce(Tally::default, Tally::merge)
        });
        drop(pool); // joins its threads: inside the window, as cpu-threads' pool
        Ok(tally)
    }

    fn run_units(cfg: &Config, _probe: &Probe) -> anyhow::Result<UnitRun> {
        anyhow::ensure!(
            cfg.scenario.name != ScenarioName::IdleScale,
            "idle-scale needs every unit waiting at once; a rayon pool of {} threads cannot hold {}, and a rayon job must not block (use cpu-threads with scenario.threads = \"per-unit\", or cpu-async)",
            cfg.cpu.workers,
            cfg.scenario.units
        );
        anyhow::ensure!(
            cfg.scenario.name != ScenarioName::Switch,
            "switch blocks each unit on a channel until the other answers; a rayon job must not block, and a pool of one thread would deadlock (use cpu-threads or cpu-async)"
        );
        let pool = pool(cfg)?;
        let tally = Mutex::new(UnitTally::default());
        pool.scope(|s| {
            for i in 0..cfg.scenario.units {
                let tally = &tally;
                s.spawn(move |_| {
                    if units::sleeps(cfg) {
                        std::thread::sleep(units::sleep_of(cfg, i)); // blocks this worker
                    }
                    let value = units::work(cfg, i);
                    tally.lock().unwrap_or_else(|e| e.into_inner()).add(i, value);
                });
            }
        });
        drop(pool);
        Ok(UnitRun {
            tally: tally.into_inner().unwrap_or_else(|e| e.into_inner()),
            unit: "rayon",
            ..UnitRun::default()
        })
    }
}
