//! cpu-threads: the URLs are cut into jobs of `cpu.chunk` URLs, run on a `threadpool` of
//! `cpu.workers` threads; each job sends its tally back over a channel and the main thread merges
//! them. The pool's construction and teardown are inside the measured window.
//!
//! Run it: `cargo run --release -p cpu-threads -- --set cpu.workers=2`.

use std::sync::{Arc, mpsc};

use concbench_core::cpu::CpuModel;
use concbench_core::workload::urls::{Tally, UrlSet};
use concbench_core::{Config, Hooks, Probe};

/// A threadpool of `cpu.workers` threads.
pub struct CpuThreads;

impl Hooks for CpuThreads {}

impl CpuModel for CpuThreads {
    const NAME: &'static str = "cpu-threads";

    fn count(cfg: &Config, urls: &Arc<UrlSet>, _probe: &Probe) -> anyhow::Result<Tally> {
        let pool = threadpool::Builder::new()
            .num_threads(cfg.cpu.workers)
            .thread_name("cpu-worker".into())
            .build();
        let (tx, rx) = mpsc::channel();
        for range in urls.chunks(cfg.cpu.chunk) {
            let (tx, urls) = (tx.clone(), Arc::clone(urls));
            pool.execute(move || {
                let _ = tx.send(Tally::of(urls.iter_range(range)));
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
}
