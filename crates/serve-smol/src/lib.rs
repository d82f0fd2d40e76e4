//! serve-smol: a smol `Executor` run by one thread per core, a task per connection.
//!
//! Run it: `cargo run --release --bin serve-smol -- --set serve.connections=10000`.

use anyhow::Context;
use concbench_core::Hooks;
use concbench_echo::{ServeCtx, ServeModel, Served, handler};

/// Tasks on a smol executor.
pub struct ServeSmol;

impl Hooks for ServeSmol {}

impl ServeModel for ServeSmol {
    const NAME: &'static str = "serve-smol";

    fn serve(ctx: ServeCtx<'_>) -> anyhow::Result<Served> {
        let listener =
            smol::net::TcpListener::try_from(ctx.listener).context("handing the listener to smol")?;
        let ex = smol::Executor::new();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let (done, finished) = smol::channel::bounded::<()>(1);
        std::thread::scope(|s| {
            for _ in 1..threads {
                s.spawn(|| smol::block_on(ex.run(finished.recv())));
            }
            let sleep = |d| async move {
                smol::Timer::after(d).await;
            };
            let spawn = |(stream, _): (smol::net::TcpStream, _)| {
                let _ = stream.set_nodelay(true);
                ex.spawn(handler::futures(stream, ctx.message_bytes, ctx.work, sleep))
            };
            let listener = &listener;
            smol::block_on(ex.run(handler::futures_server(
                || listener.accept(),
                spawn,
                ctx.stop,
                sleep,
                async {},
            )));
            drop(done); // the helper threads' `run` returns
        });
        Ok(Served::default())
    }
}
