//! serve-tokio: tokio's multi-threaded runtime (one worker per core), a task per connection.
//!
//! Run it: `cargo run --release --bin serve-tokio -- --set serve.connections=10000`.

use anyhow::Context;
use concbench_core::{Config, Hooks};
use concbench_echo::{ServeCtx, ServeModel, Served, handler};

/// Tasks on tokio's work-stealing scheduler.
pub struct ServeTokio;

impl Hooks for ServeTokio {
    fn variant(_cfg: &Config) -> Option<String> {
        Some("tokio-multi-thread".into())
    }
}

impl ServeModel for ServeTokio {
    const NAME: &'static str = "serve-tokio";

    fn serve(ctx: ServeCtx<'_>) -> anyhow::Result<Served> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("building the tokio runtime")?;
        rt.block_on(handler::tokio_server(
            ctx.listener,
            ctx.stop,
            std::future::pending(),
            ctx.message_bytes,
            ctx.work,
            async {},
        ))
        .map(|_| Served::default())
    }
}
