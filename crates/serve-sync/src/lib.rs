//! serve-sync: an iterative server, one connection at a time: it accepts a connection, echoes it
//! until the client closes it, and only then accepts the next. The serving family's baseline:
//! with many clients connected at once, all but one wait (in the kernel's accept queue).
//!
//! Run it: `cargo run --release -p serve-sync -- --set serve.connections=10`.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use concbench_core::{Config, Hooks};
use concbench_echo::{ServeModel, handler, model};

/// One connection at a time.
pub struct ServeSync;

impl Hooks for ServeSync {}

impl ServeModel for ServeSync {
    const NAME: &'static str = "serve-sync";

    fn serve(
        cfg: &Config,
        listener: std::net::TcpListener,
        stop: &AtomicBool,
        _probe: &concbench_core::Probe,
    ) -> anyhow::Result<Vec<u64>> {
        let (bytes, work) = (cfg.serve.message_bytes, Duration::from_millis(cfg.serve.work_ms));
        model::accept_until_stopped(&listener, stop, |stream| {
            handler::blocking(stream, bytes, work);
            Ok(())
        })
        .map(|()| Vec::new())
    }
}
