//! io-tokio: tokio's multi-threaded runtime (one worker per core) and hyper 1's HTTP/1 client with
//! hyper-util's tokio adapters: `min(io.concurrency, io.requests)` tasks each drive one connection
//! and take requests until none is left, so at most `io.concurrency` are in flight.
//!
//! Run it: `cargo run --release --bin io-tokio` (starts its own bench-server).

use std::sync::Arc;

use anyhow::Context;
use concbench_core::{Config, Hooks, Probe};
use concbench_http::{IoModel, Jobs, client, rt};

/// Tasks on tokio's work-stealing scheduler.
pub struct IoTokio;

impl Hooks for IoTokio {
    fn variant(_cfg: &Config) -> Option<String> {
        Some("tokio-multi-thread".into())
    }
}

impl IoModel for IoTokio {
    const NAME: &'static str = "io-tokio";

    fn in_flight_max(cfg: &Config) -> usize {
        cfg.io.concurrency
    }

    fn lean_client(_cfg: &Config) -> bool {
        true
    }

    fn fetch(cfg: &Config, jobs: &Arc<Jobs>, _probe: &Probe) -> anyhow::Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("building the tokio runtime")?;
        runtime.block_on(async {
            let tasks: Vec<_> = (0..client::slots(jobs.plan().requests, cfg.io.concurrency))
                .map(|_| tokio::spawn(client::drive(jobs.clone(), rt::Tokio)))
                .collect();
            for task in tasks {
                task.await.context("a request task failed")?;
            }
            Ok(())
        })
    }
}
