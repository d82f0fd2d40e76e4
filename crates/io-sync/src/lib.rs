//! io-sync: every request one after another on one `ureq` agent, one connection reused (with
//! `io.keep_alive`). The baseline of the IO family, as `requests.get` in a loop was the study's.
//!
//! Run it: `cargo run --release --bin io-sync -- --set io.requests=50`.

use std::sync::Arc;

use concbench_core::{Config, Hooks, Probe};
use concbench_http::{IoModel, Jobs, blocking};

/// One thread, one request at a time.
pub struct IoSync;

impl Hooks for IoSync {}

impl IoModel for IoSync {
    const NAME: &'static str = "io-sync";

    fn in_flight_max(_cfg: &Config) -> usize {
        1
    }

    fn fetch(_cfg: &Config, jobs: &Arc<Jobs>, _probe: &Probe) -> anyhow::Result<()> {
        let agent = blocking::agent(jobs.plan(), 1);
        jobs.drain(|plan, i| blocking::get(&agent, plan, i));
        Ok(())
    }
}
