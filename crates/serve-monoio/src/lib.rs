//! serve-monoio: `serve.workers` OS threads, each running its own monoio runtime on an io_uring
//! of its own (monoio's `IoUringDriver` with its timer, thread-per-core as monoio is meant to be
//! used), accepting from the one shared listening socket ([`concbench_echo::loops`]), a task per
//! connection.
//!
//! monoio's io_uring driver is asked for by name, not its `FusionDriver`, so a machine without
//! io_uring exits 1 saying so rather than measuring epoll under this name.
//!
//! Run it: `cargo run --release --bin serve-monoio -- --set serve.workers=2 --set serve.connections=1000`.

use std::sync::atomic::AtomicBool;

use anyhow::Context;
use concbench_core::Hooks;
use concbench_echo::handler::Work;
use concbench_echo::loops::{self, Wake};
use concbench_echo::{ServeCtx, ServeModel, Served, handler};
use monoio::io::{AsyncReadRentExt, AsyncWriteRentExt};
use monoio::net::{TcpListener, TcpStream};

/// io_uring rings, one per thread.
pub struct ServeMonoio;

impl Hooks for ServeMonoio {}

impl ServeModel for ServeMonoio {
    const NAME: &'static str = "serve-monoio";

    fn serve(ctx: ServeCtx<'_>) -> anyhow::Result<Served> {
        let (stop, bytes, work) = (ctx.stop, ctx.message_bytes, ctx.work);
        loops::per_thread(ctx, |listener, wake| {
            event_loop(listener, stop, wake, bytes, work)
        })
    }
}

/// One ring's loop: accepts until stopped, wakes the next loop, waits for its connections.
fn event_loop(
    listener: std::net::TcpListener,
    stop: &AtomicBool,
    wake: &Wake,
    bytes: usize,
    work: Work,
) -> anyhow::Result<u64> {
    let mut rt = monoio::RuntimeBuilder::<monoio::IoUringDriver>::new()
        .enable_timer()
        .build()
        .context("building monoio's io_uring runtime: io_uring_setup failed (is io_uring available?)")?;
    rt.block_on(async {
        let listener = TcpListener::from_std(listener).context("handing the listener to monoio")?;
        let spawn = |(stream, _): (TcpStream, _)| {
            let _ = stream.set_nodelay(true);
            monoio::spawn(echo(stream, bytes, work))
        };
        let wake_next = async {
            if let Some(addr) = wake.next() {
                let _ = TcpStream::connect_addr(addr).await;
            }
        };
        Ok(handler::futures_server(|| listener.accept(), spawn, stop, monoio::time::sleep, wake_next).await)
    })
}

/// Echoes one connection with owned buffers: each read fills the buffer's capacity
/// (`message_bytes`), the write hands the same buffer back.
async fn echo(mut stream: TcpStream, bytes: usize, work: Work) {
    let mut buf = Vec::with_capacity(bytes);
    loop {
        buf.clear();
        let (read, b) = stream.read_exact(buf).await;
        buf = b;
        if read.is_err() {
            break;
        }
        let wait = work.spin_for(&buf);
        if !wait.is_zero() {
            monoio::time::sleep(wait).await;
        }
        let (written, b) = stream.write_all(buf).await;
        buf = b;
        if written.is_err() {
            break;
        }
    }
}
