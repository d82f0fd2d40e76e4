//! io-monoio: `io.workers` OS threads, each running its own monoio runtime on an io_uring of its
//! own (`IoUringDriver` with its timer) with its share of the `io.concurrency` slots
//! ([`concbench_http::loops`]), hyper 1's HTTP/1 client on each slot's connection through
//! monoio-compat's `MonoioIo` over monoio's poll-io streams: hyper needs readiness-style IO, which
//! monoio gives over the ring (a poll operation, then the read or write), not its own
//! completion-based buffers. Every slot is a monoio task driving one connection.
//!
//! Where io_uring is not available the runtime cannot be built and the run exits 1 naming
//! `io_uring_setup`; there is no fallback to epoll.
//!
//! Run it: `cargo run --release --bin io-monoio -- --set io.workers=cores --set io.concurrency=100`.

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
use monoio::io::IntoPollIo;

/// io_uring rings, one per thread.
pub struct IoMonoio;

impl Hooks for IoMonoio {}

/// The monoio runtime of the calling thread.
#[derive(Debug, Clone, Copy, Default)]
pub struct Monoio;

impl Runtime for Monoio {
    type Io = monoio_compat::hyper::MonoioIo<monoio::net::tcp::stream_poll::TcpStreamPoll>;
    type Conn = Ring;

    async fn connect(&self, addr: SocketAddr) -> io::Result<Self::Io> {
        Ok(monoio_compat::hyper::MonoioIo::new(
            self.open(addr).await?.0.into_poll_io()?,
        ))
    }

    async fn open(&self, addr: SocketAddr) -> io::Result<Ring> {
        let stream = monoio::net::TcpStream::connect_addr(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Ring(stream))
    }

    fn spawn(&self, driver: Driver<Self::Io>) {
        // A dropped join handle leaves the task running.
        drop(monoio::spawn(driver));
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        monoio::time::sleep(duration)
    }
}

/// A monoio TCP stream as the lean client's [`Conn`]: its completion-based reads and writes on
/// the ring (monoio's own, not the poll-io hyper needs), into and out of the client's buffers.
pub struct Ring(monoio::net::TcpStream);

impl Conn for Ring {
    async fn send(&mut self, buf: Vec<u8>) -> (io::Result<()>, Vec<u8>) {
        let (sent, buf) = monoio::io::AsyncWriteRentExt::write_all(&mut self.0, buf).await;
        (sent.map(drop), buf)
    }

    async fn receive(&mut self, buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        use monoio::buf::IoBufMut;
        // Read after what the buffer holds: monoio reads to the start of the buffer it is given.
        let len = buf.len();
        let (read, spare) = monoio::io::AsyncReadRent::read(&mut self.0, buf.slice_mut(len..)).await;
        (read, spare.into_inner())
    }
}

impl IoModel for IoMonoio {
    const NAME: &'static str = "io-monoio";

    fn in_flight_max(cfg: &Config) -> usize {
        cfg.io.concurrency
    }

    fn lean_client(_cfg: &Config) -> bool {
        true
    }

    fn fetch(cfg: &Config, jobs: &Arc<Jobs>, _probe: &Probe) -> anyhow::Result<()> {
        concbench_http::loops::per_thread(cfg, jobs, |share| {
            let mut rt = monoio::RuntimeBuilder::<monoio::IoUringDriver>::new()
                .enable_timer()
                .build()
                .context(
                    "building monoio's io_uring runtime: io_uring_setup failed (is io_uring available?)",
                )?;
            rt.block_on(async {
                let tasks: Vec<_> = share
                    .map(|_| monoio::spawn(client::drive(jobs.clone(), Monoio)))
                    .collect();
                for task in tasks {
                    task.await;
                }
                Ok(())
            })
        })
    }
}
