//! serve-smol: a smol `Executor` run by one thread per core, a task per connection.
//!
//! Run it: `cargo run --release -p serve-smol -- --set serve.connections=10000`.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Context;
use concbench_core::{Config, Hooks};
use concbench_echo::{ServeModel, handler};

/// Tasks on a smol executor.
pub struct ServeSmol;

impl Hooks for ServeSmol {}

impl ServeModel for ServeSmol {
    const NAME: &'static str = "serve-smol";

    fn serve(
        cfg: &Config,
        listener: std::net::TcpListener,
        stop: &AtomicBool,
        _probe: &concbench_core::Probe,
    ) -> anyhow::Result<Vec<u64>> {
        let (bytes, work) = (cfg.serve.message_bytes, Duration::from_millis(cfg.serve.work_ms));
        let listener = smol::net::TcpListener::try_from(listener).context("handing the listener to smol")?;
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
                ex.spawn(handler::futures(stream, bytes, work, sleep))
            };
            let listener = &listener;
            smol::block_on(ex.run(handler::futures_server(|| listener.accept(), spawn, stop, sleep)));
            drop(done); // the helper threads' `run` returns
        });
        Ok(Vec::new())
    }
}
