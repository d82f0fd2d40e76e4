//! serve-may: stackful coroutines (may 0.3, the runtime under may_minihttp): blocking-style
//! code, no `async`. A coroutine accepts on the listener (handed to may, so an accept parks the
//! coroutine, not the thread) and starts a coroutine per connection, which echoes with plain
//! `read_exact` and `write_all` on may's coroutine-aware socket and sleeps `serve.work_ms` with
//! may's sleep; may's scheduler runs them on `serve.workers` threads.
//!
//! Run it: `cargo run --release --bin serve-may -- --set serve.workers=2 --set serve.connections=1000`.

use std::sync::atomic::Ordering;
use std::time::Duration;

use concbench_core::Hooks;
use concbench_echo::{ServeCtx, ServeModel, Served, handler};
use concbench_may::{go, join};

/// Coroutines on may's scheduler.
pub struct ServeMay;

impl Hooks for ServeMay {}

impl ServeModel for ServeMay {
    const NAME: &'static str = "serve-may";

    fn serve(ctx: ServeCtx<'_>) -> anyhow::Result<Served> {
        concbench_may::configure(ctx.cfg.serve.workers);
        let listener = concbench_may::listener(ctx.listener)?;
        let (bytes, work) = (ctx.message_bytes, ctx.work);
        let mut connections = Vec::new();
        loop {
            let accepted = listener.accept();
            if ctx.stop.load(Ordering::SeqCst) {
                break;
            }
            let Ok((stream, _)) = accepted else {
                // Out of descriptors, say: the client sees a timeout; do not spin.
                std::thread::sleep(Duration::from_millis(1));
                continue;
            };
            let _ = stream.set_nodelay(true);
            let n = connections.len();
            connections.push(go(n, move || {
                handler::blocking_with(stream, bytes, work, concbench_may::sleep)
            })?);
        }
        drop(listener);
        for (n, connection) in connections.into_iter().enumerate() {
            join(n, connection)?;
        }
        Ok(Served::default())
    }
}
