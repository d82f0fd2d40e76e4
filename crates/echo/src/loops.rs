//! Thread-per-core servers: `serve.workers` OS threads, each running an event loop of its own
//! (a tokio current-thread runtime, a compio or monoio ring) that accepts from the one shared
//! listening socket, each thread holding a duplicate of it. The kernel hands each connection to
//! one of the waiting loops; [`Served::accepted_by`] says how it spread them.
//!
//! The choice of one shared socket over a `SO_REUSEPORT` socket per loop (bench-server's way):
//! the listener exists, bound and listening, before the load starts, and needs no second bind.

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, bail};

use crate::{ServeCtx, Served};

/// How a loop that has stopped accepting wakes the next: the model wakes one blocked accept
/// with one more connection, and each loop so woken connects once more, until every loop has.
pub struct Wake<'a> {
    addr: SocketAddr,
    woken: &'a AtomicUsize,
    loops: usize,
}

impl Wake<'_> {
    /// Called once by a loop when it stops accepting: the address to connect to once, so that
    /// another loop's accept returns; `None` for the last loop to stop.
    pub fn next(&self) -> Option<SocketAddr> {
        (self.woken.fetch_add(1, Ordering::SeqCst) + 1 < self.loops).then_some(self.addr)
    }
}

/// Runs `event_loop` on `ctx.cfg.serve.workers` threads named `loop-N`, each with its own
/// duplicate of the listener, and returns how many connections each accepted.
pub fn per_thread<F>(ctx: ServeCtx<'_>, event_loop: F) -> anyhow::Result<Served>
where
    F: Fn(TcpListener, &Wake) -> anyhow::Result<u64> + Sync,
{
    let loops = ctx.cfg.serve.workers;
    let addr = ctx
        .listener
        .local_addr()
        .context("reading the listener's address")?;
    let listeners = (0..loops)
        .map(|_| ctx.listener.try_clone().context("duplicating the listener"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let woken = AtomicUsize::new(0);
    let wake = Wake {
        addr,
        woken: &woken,
        loops,
    };
    let accepted_by = std::thread::scope(|s| {
        let threads: Vec<_> = listeners
            .into_iter()
            .enumerate()
            .map(|(n, l)| {
                let (wake, event_loop) = (&wake, &event_loop);
                std::thread::Builder::new()
                    .name(format!("loop-{n}"))
                    .spawn_scoped(s, move || event_loop(l, wake))
                    .with_context(|| format!("starting event-loop thread {n} of {loops}"))
            })
            .collect::<anyhow::Result<_>>()?;
        let mut accepted_by = Vec::with_capacity(loops);
        for thread in threads {
            match thread.join() {
                Ok(result) => accepted_by.push(result?),
                Err(_) => bail!("an event-loop thread panicked"),
            }
        }
        Ok(accepted_by)
    })?;
    drop(ctx.listener);
    Ok(Served { accepted_by })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_loop_but_the_last_wakes_one_more() {
        let woken = AtomicUsize::new(0);
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let wake = Wake {
            addr,
            woken: &woken,
            loops: 3,
        };
        let woke: Vec<Option<SocketAddr>> = (0..3).map(|_| wake.next()).collect();
        assert_eq!(woke, [Some(addr), Some(addr), None]);
    }
}
