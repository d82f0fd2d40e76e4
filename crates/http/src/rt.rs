//! [`Runtime`] for tokio, smol and async-std. smol and async-std reach hyper through smol-hyper's
//! `FuturesIo` adapter (futures-io traits to hyper's), tokio through hyper-util's `TokioIo`; the
//! lean client uses each runtime's TCP stream as it is ([`Conn`]).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::runtime::Conn;
use crate::runtime::{Driver, Runtime};

/// The tokio runtime the calling task runs on (current-thread or multi-thread).
#[derive(Debug, Clone, Copy, Default)]
pub struct Tokio;

impl Runtime for Tokio {
    type Io = hyper_util::rt::TokioIo<tokio::net::TcpStream>;
    type Conn = tokio::net::TcpStream;

    async fn connect(&self, addr: SocketAddr) -> io::Result<Self::Io> {
        Ok(hyper_util::rt::TokioIo::new(self.open(addr).await?))
    }

    async fn open(&self, addr: SocketAddr) -> io::Result<Self::Conn> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
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
    type Conn = smol::net::TcpStream;

    async fn connect(&self, addr: SocketAddr) -> io::Result<Self::Io> {
        Ok(smol_hyper::rt::FuturesIo::new(self.open(addr).await?))
    }

    async fn open(&self, addr: SocketAddr) -> io::Result<Self::Conn> {
        let stream = smol::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
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
    type Conn = async_std::net::TcpStream;

    async fn connect(&self, addr: SocketAddr) -> io::Result<Self::Io> {
        Ok(smol_hyper::rt::FuturesIo::new(self.open(addr).await?))
    }

    async fn open(&self, addr: SocketAddr) -> io::Result<Self::Conn> {
        let stream = async_std::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    fn spawn(&self, driver: Driver<Self::Io>) {
        async_std::task::spawn(driver);
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        async_std::task::sleep(duration)
    }
}

impl Conn for tokio::net::TcpStream {
    async fn send(&mut self, buf: Vec<u8>) -> (io::Result<()>, Vec<u8>) {
        use tokio::io::AsyncWriteExt;
        (self.write_all(&buf).await, buf)
    }

    async fn receive(&mut self, mut buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        use tokio::io::AsyncReadExt;
        // A `Vec` with spare capacity is read into that capacity, with no zeroing and no growth.
        let read = self.read_buf(&mut buf).await;
        (read, buf)
    }
}

/// [`Conn`] over a futures-io stream: the spare capacity zeroed, read into, cut back.
macro_rules! futures_io_conn {
    ($($stream:ty),*) => {$(
        impl Conn for $stream {
            async fn send(&mut self, buf: Vec<u8>) -> (io::Result<()>, Vec<u8>) {
                use futures_lite::AsyncWriteExt;
                (self.write_all(&buf).await, buf)
            }

            async fn receive(&mut self, mut buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
                use futures_lite::AsyncReadExt;
                let len = buf.len();
                buf.resize(buf.capacity(), 0);
                let read = self.read(&mut buf[len..]).await;
                buf.truncate(len + *read.as_ref().unwrap_or(&0));
                (read, buf)
            }
        }
    )*};
}

futures_io_conn!(smol::net::TcpStream, async_std::net::TcpStream);
