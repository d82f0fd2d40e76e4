//! serve-sync: an iterative server, one connection at a time: it accepts a connection, echoes it
//! until the client closes it, and only then accepts the next. The serving family's baseline:
//! with many clients connected at once, all but one wait (in the kernel's accept queue).
//!
//! Run it: `cargo run --release --bin serve-sync -- --set serve.connections=10`.

use concbench_core::Hooks;
use concbench_echo::{ServeCtx, ServeModel, Served, handler, model};

/// One connection at a time.
pub struct ServeSync;

impl Hooks for ServeSync {}

impl ServeModel for ServeSync {
    const NAME: &'static str = "serve-sync";

    fn serve(ctx: ServeCtx<'_>) -> anyhow::Result<Served> {
        model::accept_until_stopped(&ctx.listener, ctx.stop, |stream| {
            handler::blocking(stream, ctx.message_bytes, ctx.work);
            Ok(())
        })
        .map(|()| Served::default())
    }
}
