//! Thread-per-core clients: `io.workers` OS threads, each running an event loop of its own
//! (a tokio current-thread runtime, a compio or monoio ring) with its share of the
//! `io.concurrency` slots, all taking requests from the one job list.

use std::ops::Range;
use std::sync::Arc;

use anyhow::{Context, bail};
use concbench_core::Config;
use concbench_core::seq::split;

use crate::{Jobs, client};

/// Runs `event_loop` on `io.workers` threads named `loop-N`, each given its share of the slots
/// (a range of slot numbers: one `client::drive` task per slot), and fails with the first
/// loop that failed or panicked.
pub fn per_thread<F>(cfg: &Config, jobs: &Arc<Jobs>, event_loop: F) -> anyhow::Result<()>
where
    F: Fn(Range<usize>) -> anyhow::Result<()> + Sync,
{
    let slots = client::slots(jobs.plan().requests, cfg.io.concurrency);
    let shares = split(slots, cfg.io.workers);
    std::thread::scope(|s| {
        let mut threads = Vec::with_capacity(shares.len());
        for (n, share) in shares.into_iter().enumerate() {
            let event_loop = &event_loop;
            let thread = std::thread::Builder::new()
                .name(format!("loop-{n}"))
                .spawn_scoped(s, move || event_loop(share))
                .with_context(|| format!("starting event-loop thread {n} of {}", cfg.io.workers))?;
            threads.push(thread);
        }
        for thread in threads {
            match thread.join() {
                Ok(result) => result?,
                Err(_) => bail!("an event-loop thread panicked"),
            }
        }
        Ok(())
    })
}
