//! io-smol: a smol `Executor` run on one thread per core, and hyper 1's HTTP/1 client through
//! smol-hyper's adapters: `min(io.concurrency, io.requests)` tasks each drive one connection, so
//! at most `io.concurrency` requests are in flight.
//!
//! Run it: `cargo run --release --bin io-smol -- --set io.concurrency=1000 --set io.requests=1000`.

use std::sync::Arc;

use concbench_core::{Config, Hooks, Probe};
use concbench_http::{IoModel, Jobs, client, rt};

/// Tasks on a smol executor.
pub struct IoSmol;

impl Hooks for IoSmol {}

impl IoModel for IoSmol {
    const NAME: &'static str = "io-smol";

    fn in_flight_max(cfg: &Config) -> usize {
        cfg.io.concurrency
    }

    fn lean_client(_cfg: &Config) -> bool {
        true
    }

    fn fetch(cfg: &Config, jobs: &Arc<Jobs>, _probe: &Probe) -> anyhow::Result<()> {
        let executor = Arc::new(smol::Executor::new());
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let (stop, stopped) = smol::channel::bounded::<()>(1);
        std::thread::scope(|s| {
            for _ in 1..threads {
                let (executor, stopped) = (executor.clone(), stopped.clone());
                s.spawn(move || smol::block_on(executor.run(stopped.recv())));
            }
            let tasks: Vec<_> = (0..client::slots(jobs.plan().requests, cfg.io.concurrency))
                .map(|_| executor.spawn(client::drive(jobs.clone(), rt::Smol(executor.clone()))))
                .collect();
            smol::block_on(executor.run(async {
                for task in tasks {
                    task.await;
                }
            }));
            drop(stop); // the helper threads' `run` returns
        });
        Ok(())
    }
}
