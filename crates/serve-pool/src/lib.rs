//! serve-pool: a `threadpool` of `serve.workers` threads; each connection is one job that holds
//! its thread until the client closes it, so connections beyond the pool wait (accepted by the
//! kernel, unserved) for a free thread. A pool the OS cannot start is exit 1 naming the limit.
//!
//! Run it: `cargo run --release --bin serve-pool -- --set serve.workers=8 --set serve.connections=100`.

use concbench_core::{Config, Hooks, pool};
use concbench_echo::{ServeCtx, ServeModel, Served, handler, model};

/// A pool of OS threads, a connection per job.
pub struct ServePool;

impl Hooks for ServePool {}

impl ServeModel for ServePool {
    const NAME: &'static str = "serve-pool";

    fn preflight(cfg: &Config) -> anyhow::Result<()> {
        pool::probe(cfg.serve.workers)
    }

    fn serve(ctx: ServeCtx<'_>) -> anyhow::Result<Served> {
        let pool = pool::start(ctx.cfg.serve.workers)?;
        let accepted = model::accept_until_stopped(&ctx.listener, ctx.stop, |stream| {
            pool.execute(move || handler::blocking(stream, ctx.message_bytes, ctx.work));
            Ok(())
        });
        pool.join();
        accepted.map(|()| Served::default())
    }
}
