//! Echoing one connection: read a whole message, wait `serve.work_ms` with the model's own sleep,
//! write it back; until the client closes. Blocking (std), on tokio, and on any runtime with
//! futures-io streams (smol, async-std).

use std::io::{Read, Write};
use std::time::Duration;

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves one connection on this thread until the client closes it (or an error ends it).
pub fn blocking(stream: std::net::TcpStream, message_bytes: usize, work: Duration) {
    let _ = stream.set_nodelay(true);
    blocking_with(stream, message_bytes, work, std::thread::sleep);
}

/// [`blocking`] on any blocking-style stream (may's coroutine-aware sockets, say), sleeping
/// with `sleep`.
pub fn blocking_with(
    mut stream: impl Read + Write,
    message_bytes: usize,
    work: Duration,
    sleep: impl Fn(Duration),
) {
    let mut buf = vec![0u8; message_bytes];
    while stream.read_exact(&mut buf).is_ok() {
        if !work.is_zero() {
            sleep(work);
        }
        if stream.write_all(&buf).is_err() {
            break;
        }
    }
}

/// Serves one connection as a tokio task until the client closes it.
pub async fn tokio(mut stream: tokio::net::TcpStream, message_bytes: usize, work: Duration) {
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0u8; message_bytes];
    while stream.read_exact(&mut buf).await.is_ok() {
        if !work.is_zero() {
            tokio::time::sleep(work).await;
        }
        if stream.write_all(&buf).await.is_err() {
            break;
        }
    }
}

/// Serves one connection as a task on a futures-io runtime (smol, async-std), sleeping with
/// `sleep`, until the client closes it.
pub async fn futures<S, F, Fut>(mut stream: S, message_bytes: usize, work: Duration, sleep: F)
where
    S: futures_lite::AsyncRead + futures_lite::AsyncWrite + Unpin,
    F: Fn(Duration) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use futures_lite::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut buf = vec![0u8; message_bytes];
    while stream.read_exact(&mut buf).await.is_ok() {
        if !work.is_zero() {
            sleep(work).await;
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
    work: Duration,
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
