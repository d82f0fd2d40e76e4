//! io-may: stackful coroutines (may 0.3): `min(io.concurrency, io.requests)` coroutines, one per
//! in-flight slot, on may's scheduler of `io.workers` threads, each taking the next request and
//! sending it with the same blocking `ureq` client as io-sync and io-threads, over may's
//! coroutine-aware sockets ([`transport`]): blocking-style code whose every wait parks the
//! coroutine, not the thread. An open-loop request waits for its time with may's sleep.
//!
//! Run it: `cargo run --release --bin io-may -- --set io.workers=cores --set io.concurrency=100`.

pub mod transport;

use std::sync::Arc;
use std::time::Instant;

use concbench_core::{Config, Hooks, Probe};
use concbench_http::{IoModel, Jobs, blocking, client};
use concbench_may::{go_on, join};

/// Each slot's stack, in words: 256 KiB. A request through ureq (its call path and the 16 KiB
/// the body is read in) overflows may's default 32 KiB; only the pages a coroutine touches
/// become resident.
pub const STACK_WORDS: usize = 0x8000;

/// Coroutines on may's scheduler.
pub struct IoMay;

impl Hooks for IoMay {
    fn variant(_cfg: &Config) -> Option<String> {
        Some(concbench_may::stack_name(STACK_WORDS))
    }
}

impl IoModel for IoMay {
    const NAME: &'static str = "io-may";

    fn in_flight_max(cfg: &Config) -> usize {
        cfg.io.concurrency
    }

    fn fetch(cfg: &Config, jobs: &Arc<Jobs>, _probe: &Probe) -> anyhow::Result<()> {
        concbench_may::configure(cfg.io.workers);
        let slots = client::slots(jobs.plan().requests, cfg.io.concurrency);
        let agent = ureq::Agent::with_parts(
            blocking::config(jobs.plan(), slots),
            transport::MayConnector,
            transport::MayResolver,
        );
        let coroutines = (0..slots)
            .map(|n| {
                let (jobs, agent) = (jobs.clone(), agent.clone());
                go_on(n, STACK_WORDS, move || drain(&jobs, &agent))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        for (n, coroutine) in coroutines.into_iter().enumerate() {
            join(n, coroutine)?;
        }
        Ok(())
    }
}

/// One slot: the next request until none is left, each waited for with may's sleep when it is
/// scheduled (open loop), dropped when overdue, timed and recorded.
fn drain(jobs: &Jobs, agent: &ureq::Agent) {
    while let Some(ticket) = jobs.next() {
        concbench_may::sleep(ticket.wait());
        if jobs.overdue(&ticket) {
            continue;
        }
        let sent = Instant::now();
        let fetch = blocking::get(agent, jobs.plan(), ticket.index);
        jobs.record(&ticket, &fetch, sent);
    }
}
