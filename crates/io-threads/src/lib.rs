//! io-threads: a `threadpool` of `io.workers` threads sharing one `ureq` agent (and its pool of
//! up to `io.workers` idle connections). Each request is one pool job, as each URL was one
//! `executor.submit` in the study's `ThreadPoolExecutor`. A pool the OS cannot start (too many
//! threads) is found before the measured window and is exit 1 naming the limit, not a panic.
//!
//! Run it: `cargo run --release --bin io-threads -- --set io.workers=100 --set io.requests=1000`.

use std::sync::Arc;

use anyhow::bail;
use concbench_core::pool;
use concbench_core::{Config, Hooks, Probe};
use concbench_http::{IoModel, Jobs, blocking};

/// A pool of OS threads making blocking requests.
pub struct IoThreads;

impl Hooks for IoThreads {}

impl IoModel for IoThreads {
    const NAME: &'static str = "io-threads";

    fn in_flight_max(cfg: &Config) -> usize {
        cfg.io.workers
    }

    fn fetch(cfg: &Config, jobs: &Arc<Jobs>, _probe: &Probe) -> anyhow::Result<()> {
        let pool = pool::start(cfg.io.workers)?;
        let agent = blocking::agent(jobs.plan(), cfg.io.workers);
        for _ in 0..jobs.plan().requests {
            let (jobs, agent) = (jobs.clone(), agent.clone());
            pool.execute(move || {
                jobs.step(|plan, i| blocking::get(&agent, plan, i));
            });
        }
        pool.join();
        if pool.panic_count() > 0 {
            bail!("{} request jobs panicked", pool.panic_count());
        }
        Ok(())
    }

    fn preflight(cfg: &Config) -> anyhow::Result<()> {
        pool::probe(cfg.io.workers)
    }
}
