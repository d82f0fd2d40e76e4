//! cpu-sync: the CPU baseline. One thread runs the kernel over every item in one loop (for
//! char-encoding: for each character of each URL, encode it to UTF-8 and add its length).
//!
//! In the task-cost scenarios it runs the units one after another: the baseline of the suite.
//!
//! Run it: `cargo run --release --bin cpu-sync -- --set cpu.urls=1000000`.

use std::sync::Arc;

use concbench_core::config::ScenarioName;
use concbench_core::{Config, Hooks, Probe};
use concbench_cpu::kernel::{Input, Tally};
use concbench_cpu::model::{CpuModel, UnitRun};
use concbench_cpu::units::{self, UnitTally};

/// One thread, one loop.
pub struct CpuSync;

impl Hooks for CpuSync {}

impl CpuModel for CpuSync {
    const NAME: &'static str = "cpu-sync";

    fn count(_cfg: &Config, input: &Arc<Input>, _probe: &Probe) -> anyhow::Result<Tally> {
        Ok(input.tally(0..input.len()))
    }

    fn run_units(cfg: &Config, _probe: &Probe) -> anyhow::Result<UnitRun> {
        anyhow::ensure!(
            cfg.scenario.name != ScenarioName::Switch,
            "switch needs two units running at once; cpu-sync runs one after another (use cpu-threads, cpu-async or cpu-procs)"
        );
        let mut tally = UnitTally::default();
        for i in 0..cfg.scenario.units {
            if units::sleeps(cfg) {
                std::thread::sleep(units::sleep_of(cfg, i));
            }
            tally.add(i, units::work(cfg, i));
        }
        Ok(UnitRun {
            tally,
            unit: "sequential",
            ..UnitRun::default()
        })
    }
}
