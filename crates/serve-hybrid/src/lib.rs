//! serve-hybrid: `serve.workers` OS threads, each running its own single-threaded tokio runtime
//! that accepts from the one shared listening socket (each thread holds a duplicate of it) and
//! runs a task per connection. The kernel hands each connection to one of the waiting loops.
//! (bench-server's loops bind separate `SO_REUSEPORT` sockets instead; a shared socket needs no
//! second bind before the load starts.)
//!
//! Run it: `cargo run --release -p serve-hybrid -- --set serve.workers=2 --set serve.connections=10000`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use concbench_core::Hooks;
use concbench_echo::{ServeCtx, ServeModel, Served, handler};

/// Event loops on OS threads.
pub struct ServeHybrid;

impl Hooks for ServeHybrid {}

impl ServeModel for ServeHybrid {
    const NAME: &'static str = "serve-hybrid";

    fn serve(ctx: ServeCtx<'_>) -> anyhow::Result<Served> {
        let loops = ctx.cfg.serve.workers;
        let listeners = (0..loops)
            .map(|_| ctx.listener.try_clone().context("duplicating the listener"))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let woken = std::sync::atomic::AtomicUsize::new(0);
        let accepted_by = std::thread::scope(|s| {
            let threads: Vec<_> = listeners
                .into_iter()
                .enumerate()
                .map(|(n, l)| {
                    let woken = &woken;
                    std::thread::Builder::new()
                        .name(format!("loop-{n}"))
                        .spawn_scoped(s, move || {
                            event_loop(l, ctx.stop, woken, loops, ctx.message_bytes, ctx.work)
                        })
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
}

/// One loop: accepts until stopped, then waits for its connections. After the stop each loop
/// that is woken connects once more, so that every other loop's accept wakes too.
fn event_loop(
    listener: std::net::TcpListener,
    stop: &AtomicBool,
    woken: &std::sync::atomic::AtomicUsize,
    loops: usize,
    bytes: usize,
    work: Duration,
) -> anyhow::Result<u64> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building a loop's runtime")?;
    let addr = listener.local_addr().context("reading the listener's address")?;
    let wake_next = async {
        if woken.fetch_add(1, Ordering::SeqCst) + 1 < loops {
            let _ = tokio::net::TcpStream::connect(addr).await;
        }
    };
    rt.block_on(handler::tokio_server(
        listener,
        stop,
        std::future::pending(),
        bytes,
        work,
        wake_next,
    ))
}
