//! io-async-std: async-std's global executor (one thread per core) and hyper 1's HTTP/1 client
//! through smol-hyper's futures-io adapter: `min(io.concurrency, io.requests)` tasks each drive one
//! connection. async-std is discontinued upstream (RUSTSEC-2025-0052), so reports mark it legacy.
//!
//! Run it: `cargo run --release --bin io-async-std -- --set io.concurrency=1000 --set io.requests=1000`.

use std::sync::Arc;

use concbench_core::{Config, Hooks, Probe};
use concbench_http::{IoModel, Jobs, client, rt};

/// Tasks on async-std.
pub struct IoAsyncStd;

impl Hooks for IoAsyncStd {
    fn legacy(_cfg: &Config) -> bool {
        true
    }
}

impl IoModel for IoAsyncStd {
    const NAME: &'static str = "io-async-std";

    fn in_flight_max(cfg: &Config) -> usize {
        cfg.io.concurrency
    }

    fn lean_client(_cfg: &Config) -> bool {
        true
    }

    fn fetch(cfg: &Config, jobs: &Arc<Jobs>, _probe: &Probe) -> anyhow::Result<()> {
        async_std::task::block_on(async {
            let tasks: Vec<_> = (0..client::slots(jobs.plan().requests, cfg.io.concurrency))
                .map(|_| async_std::task::spawn(client::drive(jobs.clone(), rt::AsyncStd)))
                .collect();
            for task in tasks {
                task.await;
            }
        });
        Ok(())
    }
}
