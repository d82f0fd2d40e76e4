//! serve-smol: a smol `Executor` run by one thread per core, a task per connection.
//!
//! Run it: `cargo run --release -p serve-smol -- --set serve.connections=10000`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use concbench_core::{Config, Hooks};
use concbench_echo::{ServeModel, handler};

/// Tasks on a smol executor.
pub struct ServeSmol;

impl Hooks for ServeSmol {}

impl ServeModel for ServeSmol {
    const NAME: &'static str = "serve-smol";

    fn serve(cfg: &Config, listener: std::net::TcpListener, stop: &AtomicBool) -> anyhow::Result<()> {
        let (bytes, work) = (cfg.serve.message_bytes, Duration::from_millis(cfg.serve.work_ms));
        let listener = smol::net::TcpListener::try_from(listener).context("handing the listener to smol")?;
        let ex = smol::Executor::new();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let (done, finished) = smol::channel::bounded::<()>(1);
        std::thread::scope(|s| {
            for _ in 1..threads {
                s.spawn(|| smol::block_on(ex.run(finished.recv())));
            }
            smol::block_on(ex.run(async {
                let mut tasks = Vec::new();
                loop {
                    let accepted = listener.accept().await;
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok((stream, _)) = accepted else {
                        smol::Timer::after(Duration::from_millis(1)).await;
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let sleep = |d| async move {
                        smol::Timer::after(d).await;
                    };
                    tasks.push(ex.spawn(handler::futures(stream, bytes, work, sleep)));
                }
                for task in tasks {
                    task.await;
                }
            }));
            drop(done); // the helper threads' `run` returns
        });
        Ok(())
    }
}
