//! serve-compio: `serve.workers` OS threads, each running its own compio runtime on an io_uring
//! of its own (completion-based: the kernel reads into and writes from buffers the task hands
//! it), accepting from the one shared listening socket ([`concbench_echo::loops`]), a task per
//! connection.
//!
//! Where io_uring is not available (an old kernel, a sandbox that forbids `io_uring_setup`) the
//! runtime cannot be built and the run exits 1 saying so; there is no fallback to epoll, which
//! would measure another model under this name.
//!
//! Run it: `cargo run --release --bin serve-compio -- --set serve.workers=2 --set serve.connections=1000`.

use std::sync::atomic::AtomicBool;

use anyhow::Context;
use compio::buf::BufResult;
use compio::io::{AsyncReadExt, AsyncWriteExt};
use compio::net::{TcpListener, TcpStream};
use concbench_core::Hooks;
use concbench_echo::handler::Work;
use concbench_echo::loops::{self, Wake};
use concbench_echo::{ServeCtx, ServeModel, Served, handler};

/// io_uring rings, one per thread.
pub struct ServeCompio;

impl Hooks for ServeCompio {}

impl ServeModel for ServeCompio {
    const NAME: &'static str = "serve-compio";

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
    let rt = compio::runtime::Runtime::new()
        .context("building compio's runtime: io_uring_setup failed (is io_uring available?)")?;
    rt.block_on(async {
        let listener = TcpListener::from_std(listener).context("handing the listener to compio")?;
        let spawn = |(stream, _): (TcpStream, _)| {
            let _ = stream.set_nodelay(true);
            let task = compio::runtime::spawn(echo(stream, bytes, work));
            async move {
                let _ = task.await;
            }
        };
        let wake_next = async {
            if let Some(addr) = wake.next() {
                let _ = TcpStream::connect(addr).await;
            }
        };
        Ok(handler::futures_server(|| listener.accept(), spawn, stop, compio::time::sleep, wake_next).await)
    })
}

/// Echoes one connection with owned buffers: each read fills the buffer's capacity
/// (`message_bytes`), the write hands the same buffer back.
async fn echo(mut stream: TcpStream, bytes: usize, work: Work) {
    let mut buf = Vec::with_capacity(bytes);
    loop {
        buf.clear();
        let BufResult(read, b) = stream.read_exact(buf).await;
        buf = b;
        if read.is_err() {
            break;
        }
        let wait = work.spin_for(&buf);
        if !wait.is_zero() {
            compio::time::sleep(wait).await;
        }
        let BufResult(written, b) = stream.write_all(buf).await;
        buf = b;
        if written.is_err() {
            break;
        }
    }
}
