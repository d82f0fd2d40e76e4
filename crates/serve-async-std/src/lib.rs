//! serve-async-std: async-std's executor, a task per connection. async-std is discontinued
//! upstream (RUSTSEC-2025-0052), so reports mark it legacy.
//!
//! Run it: `cargo run --release -p serve-async-std -- --set serve.connections=10000`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use concbench_core::{Config, Hooks};
use concbench_echo::{ServeModel, handler};

/// Tasks on async-std.
pub struct ServeAsyncStd;

impl Hooks for ServeAsyncStd {
    fn legacy(_cfg: &Config) -> bool {
        true
    }
}

impl ServeModel for ServeAsyncStd {
    const NAME: &'static str = "serve-async-std";

    fn serve(cfg: &Config, listener: std::net::TcpListener, stop: &AtomicBool) -> anyhow::Result<()> {
        let (bytes, work) = (cfg.serve.message_bytes, Duration::from_millis(cfg.serve.work_ms));
        let listener = async_std::net::TcpListener::from(listener);
        async_std::task::block_on(async {
            let mut tasks = Vec::new();
            loop {
                let accepted = listener.accept().await;
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok((stream, _)) = accepted else {
                    async_std::task::sleep(Duration::from_millis(1)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                tasks.push(async_std::task::spawn(handler::futures(
                    stream,
                    bytes,
                    work,
                    async_std::task::sleep,
                )));
            }
            for task in tasks {
                task.await;
            }
        });
        Ok(())
    }
}
