//! io-compio: `io.workers` OS threads, each running its own compio runtime on an io_uring of its
//! own with its share of the `io.concurrency` slots ([`concbench_http::loops`]), hyper 1's HTTP/1
//! client on each slot's connection through cyper-core's `HyperStream` (the adapter cyper, the
//! HTTP client of compio, is built on: hyper's poll-based IO traits over compio's completion-based
//! streams). Every slot is a compio task driving one connection, so at most `io.concurrency`
//! requests are in flight.
//!
//! Where io_uring is not available the runtime cannot be built and the run exits 1 naming
//! `io_uring_setup`; there is no fallback to epoll.
//!
//! Run it: `cargo run --release --bin io-compio -- --set io.workers=cores --set io.concurrency=100`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use concbench_core::{Config, Hooks, Probe};
use concbench_http::client::{self, Driver, Runtime};
use concbench_http::lean::Conn;
use concbench_http::{IoModel, Jobs};

/// io_uring rings, one per thread.
pub struct IoCompio;

impl Hooks for IoCompio {}

/// The compio runtime of the calling thread.
#[derive(Debug, Clone, Copy, Default)]
pub struct Compio;

impl Runtime for Compio {
    type Io = cyper_core::HyperStream<compio::net::TcpStream>;
    type Conn = Ring;

    async fn connect(&self, addr: SocketAddr) -> io::Result<Self::Io> {
        Ok(cyper_core::HyperStream::new_plain(self.open(addr).await?.0))
    }

    async fn open(&self, addr: SocketAddr) -> io::Result<Ring> {
        let stream = compio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Ring(stream))
    }

    fn spawn(&self, driver: Driver<Self::Io>) {
        compio::runtime::spawn(driver).detach();
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        compio::time::sleep(duration)
    }
}

/// A compio TCP stream as the lean client's [`Conn`]: its completion-based reads and writes on
/// the ring, into and out of the client's own buffers.
pub struct Ring(compio::net::TcpStream);

impl Conn for Ring {
    async fn send(&mut self, buf: Vec<u8>) -> (io::Result<()>, Vec<u8>) {
        let compio::BufResult(sent, buf) = compio::io::AsyncWriteExt::write_all(&mut self.0, buf).await;
        (sent, buf)
    }

    async fn receive(&mut self, buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        let compio::BufResult(read, buf) = compio::io::AsyncReadExt::append(&mut self.0, buf).await;
        (read, buf)
    }
}

impl IoModel for IoCompio {
    const NAME: &'static str = "io-compio";

    fn in_flight_max(cfg: &Config) -> usize {
        cfg.io.concurrency
    }

    fn lean_client(_cfg: &Config) -> bool {
        true
    }

    fn fetch(cfg: &Config, jobs: &Arc<Jobs>, _probe: &Probe) -> anyhow::Result<()> {
        concbench_http::loops::per_thread(cfg, jobs, |share| {
            let rt = compio::runtime::Runtime::new()
                .context("building compio's runtime: io_uring_setup failed (is io_uring available?)")?;
            rt.block_on(async {
                let tasks: Vec<_> = share
                    .map(|_| compio::runtime::spawn(client::drive(jobs.clone(), Compio)))
                    .collect();
                for task in tasks {
                    task.await
                        .map_err(|_| anyhow::anyhow!("a request task panicked"))?;
                }
                Ok(())
            })
        })
    }
}
