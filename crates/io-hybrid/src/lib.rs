//! io-hybrid: async and OS threads together, in the two designs of `io.hybrid_mode`.
//!
//! - `loop-per-thread` (the study's design): `io.workers` OS threads, each running its own
//!   single-threaded tokio runtime whose tasks drive hyper connections. The `io.concurrency` slots
//!   are split evenly among the threads; all threads take requests from the one job list.
//! - `blocking-pool` (asyncio's `run_in_executor`): one single-threaded tokio runtime runs
//!   `io.concurrency` tasks, and each request is a blocking `ureq` call on tokio's blocking pool,
//!   capped at `io.workers` threads. At most `min(io.concurrency, io.workers)` are in flight.
//!
//! Run it: `cargo run --release --bin io-hybrid -- --set io.hybrid_mode=blocking-pool`.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use concbench_core::config::HybridMode;
use concbench_core::{Config, Hooks, Probe};
use concbench_http::{IoModel, Jobs, blocking, client, rt};

/// Async runtimes on OS threads, or an async runtime over a thread pool.
pub struct IoHybrid;

impl Hooks for IoHybrid {
    fn variant(cfg: &Config) -> Option<String> {
        Some(cfg.io.hybrid_mode.name().into())
    }
}

impl IoModel for IoHybrid {
    const NAME: &'static str = "io-hybrid";

    fn in_flight_max(cfg: &Config) -> usize {
        match cfg.io.hybrid_mode {
            // The `io.concurrency` slots are split over the loops.
            HybridMode::LoopPerThread => cfg.io.concurrency,
            // Each request holds a blocking-pool thread.
            HybridMode::BlockingPool => cfg.io.concurrency.min(cfg.io.workers),
        }
    }

    fn lean_client(cfg: &Config) -> bool {
        cfg.io.hybrid_mode == HybridMode::LoopPerThread
    }

    fn fetch(cfg: &Config, jobs: &Arc<Jobs>, _probe: &Probe) -> anyhow::Result<()> {
        match cfg.io.hybrid_mode {
            HybridMode::LoopPerThread => loop_per_thread(cfg, jobs),
            HybridMode::BlockingPool => blocking_pool(cfg, jobs),
        }
    }
}

fn current_thread(blocking_threads: usize) -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(blocking_threads.max(1))
        .build()
        .context("building a tokio runtime")
}

fn loop_per_thread(cfg: &Config, jobs: &Arc<Jobs>) -> anyhow::Result<()> {
    concbench_http::loops::per_thread(cfg, jobs, |share| {
        current_thread(1)?.block_on(async {
            let tasks: Vec<_> = share
                .map(|_| tokio::spawn(client::drive(jobs.clone(), rt::Tokio)))
                .collect();
            for task in tasks {
                task.await.context("a request task failed")?;
            }
            Ok(())
        })
    })
}

fn blocking_pool(cfg: &Config, jobs: &Arc<Jobs>) -> anyhow::Result<()> {
    let agent = blocking::agent(jobs.plan(), cfg.io.workers);
    current_thread(cfg.io.workers)?.block_on(async {
        let tasks: Vec<_> = (0..client::slots(jobs.plan().requests, cfg.io.concurrency))
            .map(|_| tokio::spawn(offload(jobs.clone(), agent.clone())))
            .collect();
        for task in tasks {
            task.await.context("a request task failed")??;
        }
        Ok(())
    })
}

/// Takes requests until none is left, sending each on the blocking pool (open loop: once it is
/// due, by the runtime's timer). The latency is the request's own, timed on the pool thread, as
/// in the other models; waiting for a free pool thread counts as send delay.
async fn offload(jobs: Arc<Jobs>, agent: ureq::Agent) -> anyhow::Result<()> {
    while let Some(ticket) = jobs.next() {
        client::due(&rt::Tokio, &ticket).await;
        if jobs.overdue(&ticket) {
            continue;
        }
        let (pool_jobs, agent) = (jobs.clone(), agent.clone());
        let (fetch, sent, done) = tokio::task::spawn_blocking(move || {
            let sent = Instant::now();
            let fetch = blocking::get(&agent, pool_jobs.plan(), ticket.index);
            (fetch, sent, Instant::now())
        })
        .await
        .context("a blocking request panicked")?;
        jobs.record_at(&ticket, &fetch, sent, done);
    }
    Ok(())
}
