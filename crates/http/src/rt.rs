//! [`Runtime`] for tokio, smol and async-std. smol and async-std reach hyper through smol-hyper's
//! `FuturesIo` adapter (futures-io traits to hyper's), tokio through hyper-util's `TokioIo`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::client::{Driver, Runtime};

/// The tokio runtime the calling task runs on (current-thread or multi-thread).
#[derive(Debug, Clone, Copy, Default)]
pub struct Tokio;

impl Runtime for Tokio {
    type Io = hyper_util::rt::TokioIo<tokio::net::TcpStream>;

    async fn connect(&self, addr: SocketAddr) -> io::Result<Self::Io> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(hyper_util::rt::TokioIo::new(stream))
    }

    fn spawn(&self, driver: Driver<Self::Io>) {
        tokio::spawn(driver);
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        tokio::time::sleep(duration)
    }
}

/// A smol executor (run by the model on its threads).
#[derive(Debug, Clone)]
pub struct Smol(pub Arc<smol::Executor<'static>>);

impl Runtime for Smol {
    type Io = smol_hyper::rt::FuturesIo<smol::net::TcpStream>;

    async fn connect(&self, addr: SocketAddr) -> io::Result<Self::Io> {
        let stream = smol::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(smol_hyper::rt::FuturesIo::new(stream))
    }

    fn spawn(&self, driver: Driver<Self::Io>) {
        self.0.spawn(driver).detach();
    }

    async fn sleep(&self, duration: Duration) {
        smol::Timer::after(duration).await;
    }
}

/// async-std's global executor.
#[derive(Debug, Clone, Copy, Default)]
pub struct AsyncStd;

impl Runtime for AsyncStd {
    type Io = smol_hyper::rt::FuturesIo<async_std::net::TcpStream>;

    async fn connect(&self, addr: SocketAddr) -> io::Result<Self::Io> {
        let stream = async_std::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(smol_hyper::rt::FuturesIo::new(stream))
    }

    fn spawn(&self, driver: Driver<Self::Io>) {
        async_std::task::spawn(driver);
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        async_std::task::sleep(duration)
    }
}
