//! serve-hybrid: `serve.workers` OS threads, each running its own single-threaded tokio runtime
//! that accepts from the one shared listening socket (each thread holds a duplicate of it,
//! [`concbench_echo::loops`]) and runs a task per connection. The kernel hands each connection
//! to one of the waiting loops.
//!
//! Run it: `cargo run --release --bin serve-hybrid -- --set serve.workers=2 --set serve.connections=10000`.

use std::sync::atomic::AtomicBool;

use anyhow::Context;
use concbench_core::Hooks;
use concbench_echo::loops::{self, Wake};
use concbench_echo::{ServeCtx, ServeModel, Served, handler};

/// Event loops on OS threads.
pub struct ServeHybrid;

impl Hooks for ServeHybrid {}

impl ServeModel for ServeHybrid {
    const NAME: &'static str = "serve-hybrid";

    fn serve(ctx: ServeCtx<'_>) -> anyhow::Result<Served> {
        let (stop, bytes, work) = (ctx.stop, ctx.message_bytes, ctx.work);
        loops::per_thread(ctx, |listener, wake| {
            event_loop(listener, stop, wake, bytes, work)
        })
    }
}

/// One loop: accepts until stopped, wakes the next loop, then waits for its connections.
fn event_loop(
    listener: std::net::TcpListener,
    stop: &AtomicBool,
    wake: &Wake,
    bytes: usize,
    work: handler::Work,
) -> anyhow::Result<u64> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building a loop's runtime")?;
    let wake_next = async {
        if let Some(addr) = wake.next() {
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
