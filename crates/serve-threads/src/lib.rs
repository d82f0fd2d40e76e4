//! serve-threads: one OS thread per connection (std, 64 KiB stacks), the classic
//! thread-per-connection server. Whether the OS allows as many threads as `serve.connections` is
//! checked before the measured window; a refusal is exit 1 naming the limits, never an abort.
//!
//! Run it: `cargo run --release --bin serve-threads -- --set serve.connections=1000`.

use anyhow::anyhow;
use concbench_core::{Config, Hooks, pool};
use concbench_echo::{ServeCtx, ServeModel, Served, handler, model};

/// A thread's stack: enough for the echo loop, as a lean thread-per-connection server sets it.
const STACK: usize = 64 * 1024;

/// An OS thread per connection.
pub struct ServeThreads;

impl Hooks for ServeThreads {}

impl ServeModel for ServeThreads {
    const NAME: &'static str = "serve-threads";

    fn preflight(cfg: &Config) -> anyhow::Result<()> {
        pool::probe(cfg.serve.connections)
    }

    fn serve(ctx: ServeCtx<'_>) -> anyhow::Result<Served> {
        let mut threads = Vec::new();
        let accepted = model::accept_until_stopped(&ctx.listener, ctx.stop, |stream| {
            let thread = std::thread::Builder::new()
                .stack_size(STACK)
                .spawn(move || handler::blocking(stream, ctx.message_bytes, ctx.work))
                .map_err(|err| {
                    anyhow!(
                        "the OS refused connection thread {}: {err}; the OS limits in force: {}",
                        threads.len() + 1,
                        pool::limits()
                    )
                })?;
            threads.push(thread);
            Ok(())
        });
        for thread in threads {
            let _ = thread.join();
        }
        accepted.map(|()| Served::default())
    }
}
