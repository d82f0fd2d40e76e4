//! Echoing one connection: read a whole message, do its [`Work`] (spin the CPU, then wait
//! `serve.work_ms` with the model's own sleep), write it back; until the client closes. Blocking
//! (std), on tokio, and on any runtime with futures-io streams (smol, async-std).

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use concbench_core::config::ServeConfig;
use concbench_core::skew::{Skew, spin};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::proto;

/// What the server does with each message before echoing it: spin the CPU on the thread that
/// serves the connection (`serve.spin_rounds`, `serve.heavy_factor` times as many for a heavy
/// connection's message), then wait (`serve.work_ms`) with the model's own sleep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Work {
    /// The wait after the spin.
    pub wait: Duration,
    /// The spin.
    pub skew: Skew,
}

impl Work {
    /// The work `serve` asks for.
    pub fn of(serve: &ServeConfig) -> Self {
        Self {
            wait: Duration::from_millis(serve.work_ms),
            skew: serve.skew(),
        }
    }

    /// The spin's rounds for `message`: heavy when its first byte is [`proto::HEAVY`] under
    /// uneven load.
    pub fn rounds_for(&self, message: &[u8]) -> u64 {
        self.skew.rounds(message.first() == Some(&proto::HEAVY))
    }

    /// Spins for `message` and returns the wait to do before echoing it.
    pub fn spin_for(&self, message: &[u8]) -> Duration {
        if self.skew.spin_rounds > 0 {
            spin(self.rounds_for(message));
        }
        self.wait
    }
}

/// Serves one connection on this thread until the client closes it (or an error ends it).
pub fn blocking(stream: std::net::TcpStream, message_bytes: usize, work: Work) {
    let _ = stream.set_nodelay(true);
    blocking_with(stream, message_bytes, work, std::thread::sleep);
}

/// [`blocking`] on any blocking-style stream (may's coroutine-aware sockets, say), sleeping
/// with `sleep`.
pub fn blocking_with(
    mut stream: impl Read + Write,
    message_bytes: usize,
    work: Work,
    sleep: impl Fn(Duration),
) {
    let mut buf = vec![0u8; message_bytes];
    while stream.read_exact(&mut buf).is_ok() {
        let wait = work.spin_for(&buf);
        if !wait.is_zero() {
            sleep(wait);
        }
        if stream.write_all(&buf).is_err() {
            break;
        }
    }
}

/// Serves one connection as a tokio task until the client closes it.
pub async fn tokio(mut stream: tokio::net::TcpStream, message_bytes: usize, work: Work) {
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0u8; message_bytes];
    while stream.read_exact(&mut buf).await.is_ok() {
        let wait = work.spin_for(&buf);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        if stream.write_all(&buf).await.is_err() {
            break;
        }
    }
}

/// Serves one connection as a task on a futures-io runtime (smol, async-std), sleeping with
/// `sleep`, until the client closes it.
pub async fn futures<S, F, Fut>(mut stream: S, message_bytes: usize, work: Work, sleep: F)
where
    S: futures_lite::AsyncRead + futures_lite::AsyncWrite + Unpin,
    F: Fn(Duration) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use futures_lite::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut buf = vec![0u8; message_bytes];
    while stream.read_exact(&mut buf).await.is_ok() {
        let wait = work.spin_for(&buf);
        if !wait.is_zero() {
            sleep(wait).await;
        }
        if stream.write_all(&buf).await.is_err() {
            break;
        }
    }
}

/// A tokio server on the current runtime: accepts on `listener` until `stop` is set (checked
/// after each accept, which the model wakes with one more connection) or `stopped` completes
/// (serve-procs' workers, told by their parent), a task per connection ([`tokio()`]); then
/// awaits `after_stop` (serve-hybrid wakes its next loop there) and waits for its connections
/// to end. Returns the connections it served.
pub async fn tokio_server(
    listener: std::net::TcpListener,
    stop: &AtomicBool,
    stopped: impl std::future::Future<Output = ()>,
    message_bytes: usize,
    work: Work,
    after_stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<u64> {
    listener
        .set_nonblocking(true)
        .context("making the listener non-blocking")?;
    let listener = tokio::net::TcpListener::from_std(listener).context("handing the listener to tokio")?;
    let mut tasks = tokio::task::JoinSet::new();
    let mut stopped = std::pin::pin!(stopped);
    let mut accepted_n = 0;
    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut stopped => break,
            accepted = listener.accept() => accepted,
        };
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok((stream, _)) = accepted else {
            // Out of descriptors, say: the client sees a timeout; do not spin.
            tokio::time::sleep(Duration::from_millis(1)).await;
            continue;
        };
        tasks.spawn(tokio(stream, message_bytes, work));
        accepted_n += 1;
    }
    drop(listener);
    after_stop.await;
    while tasks.join_next().await.is_some() {}
    Ok(accepted_n)
}

/// A server on a runtime of its own (smol, async-std, compio, monoio): takes connections from
/// `accept` until `stop` is set, starts each one's task with `spawn` (which echoes it), then
/// awaits `after_stop` (a thread-per-core loop wakes the next there) and the tasks. A failed
/// accept (out of descriptors, say) waits 1 ms with `sleep`. Returns the connections it took.
pub async fn futures_server<C, A, T, F, Fut>(
    mut accept: impl FnMut() -> A,
    mut spawn: impl FnMut(C) -> T,
    stop: &AtomicBool,
    sleep: F,
    after_stop: impl std::future::Future<Output = ()>,
) -> u64
where
    A: std::future::Future<Output = std::io::Result<C>>,
    T: std::future::Future<Output = ()>,
    F: Fn(Duration) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut tasks = Vec::new();
    loop {
        let accepted = accept().await;
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(connection) = accepted else {
            sleep(Duration::from_millis(1)).await;
            continue;
        };
        tasks.push(spawn(connection));
    }
    after_stop.await;
    let accepted = tasks.len() as u64;
    for task in tasks {
        task.await;
    }
    accepted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heavy_connections_message_spins_the_factor() {
        let serve = ServeConfig {
            spin_rounds: 1000,
            heavy_share: 0.1,
            heavy_factor: 20,
            work_ms: 3,
            ..ServeConfig::default()
        };
        let work = Work::of(&serve);
        let (heavy, light) = (proto::message(9, 0, 8, 0.1), proto::message(8, 0, 8, 0.1));
        assert_eq!((work.rounds_for(&heavy), work.rounds_for(&light)), (20_000, 1000));
        assert_eq!(work.spin_for(&light), Duration::from_millis(3), "then the wait");
        // Even load: a message whose pattern starts with the mark by chance is not heavy.
        let even = Work::of(&ServeConfig {
            heavy_share: 0.0,
            ..serve
        });
        assert_eq!(even.rounds_for(&[proto::HEAVY, 7]), 1000);
    }
}
