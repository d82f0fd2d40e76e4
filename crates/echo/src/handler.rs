//! Echoing one connection: read a whole message, wait `serve.work_ms` with the model's own sleep,
//! write it back; until the client closes. Blocking (std), on tokio, and on any runtime with
//! futures-io streams (smol, async-std).

use std::io::{Read, Write};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves one connection on this thread until the client closes it (or an error ends it).
pub fn blocking(mut stream: std::net::TcpStream, message_bytes: usize, work: Duration) {
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0u8; message_bytes];
    while stream.read_exact(&mut buf).is_ok() {
        if !work.is_zero() {
            std::thread::sleep(work);
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
