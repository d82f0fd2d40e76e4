//! serve-async-std: async-std's executor, a task per connection. async-std is discontinued
//! upstream (RUSTSEC-2025-0052), so reports mark it legacy.
//!
//! Run it: `cargo run --release --bin serve-async-std -- --set serve.connections=10000`.

use concbench_core::{Config, Hooks};
use concbench_echo::{ServeCtx, ServeModel, Served, handler};

/// Tasks on async-std.
pub struct ServeAsyncStd;

impl Hooks for ServeAsyncStd {
    fn legacy(_cfg: &Config) -> bool {
        true
    }
}

impl ServeModel for ServeAsyncStd {
    const NAME: &'static str = "serve-async-std";

    fn serve(ctx: ServeCtx<'_>) -> anyhow::Result<Served> {
        let listener = async_std::net::TcpListener::from(ctx.listener);
        let spawn = |(stream, _): (async_std::net::TcpStream, _)| {
            let _ = stream.set_nodelay(true);
            async_std::task::spawn(handler::futures(
                stream,
                ctx.message_bytes,
                ctx.work,
                async_std::task::sleep,
            ))
        };
        let listener = &listener;
        async_std::task::block_on(handler::futures_server(
            || listener.accept(),
            spawn,
            ctx.stop,
            async_std::task::sleep,
            async {},
        ));
        Ok(Served::default())
    }
}
