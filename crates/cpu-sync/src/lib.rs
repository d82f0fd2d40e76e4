//! cpu-sync: the CPU baseline. One thread runs one loop over every URL: for each character, encode
//! it to UTF-8 and add its length.
//!
//! Run it: `cargo run --release -p cpu-sync -- --set cpu.urls=1000000`.

use std::sync::Arc;

use concbench_core::workload::urls::{Tally, UrlSet};
use concbench_core::{Config, Family, Model, Outcome, Probe, cpu};

/// One thread, one loop.
pub struct CpuSync;

impl Model for CpuSync {
    const NAME: &'static str = "cpu-sync";
    const FAMILY: Family = Family::Cpu;
    const SCENARIO: &'static str = cpu::SCENARIO;
    type Input = Arc<UrlSet>;

    fn prepare(cfg: &Config) -> anyhow::Result<Self::Input> {
        cpu::prepare(cfg)
    }

    fn run(_cfg: &Config, urls: &Self::Input, _probe: &Probe) -> anyhow::Result<Outcome> {
        let tally = Tally::of(urls.iter_range(0..urls.len()));
        cpu::outcome(urls, tally)
    }
}
