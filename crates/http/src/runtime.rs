//! What the async clients need from a runtime ([`Runtime`]), the two connection types it gives
//! (hyper's IO, a lean [`Conn`]), and the slot loop's helpers both clients share.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Empty;
use hyper::client::conn::http1;

use crate::jobs::Ticket;

/// What the clients need from an async runtime: open a TCP connection (adapted to hyper, or as a
/// lean [`Conn`]), run a hyper connection's driver in the background, and sleep (the request
/// timeout).
///
/// Nothing here demands `Send`: a thread-per-core runtime (its tasks pinned to the thread that
/// spawned them, its sockets `!Send`) implements it with a local spawn, and the futures of
/// [`crate::client::drive`] are then `!Send` too, run by that thread. A work-stealing runtime's `Io` is `Send`,
/// so its [`Driver`] and its [`crate::client::drive`] futures are `Send` and go to its global spawn.
/// `tests/not_send.rs` runs the client on tokio's `LocalSet` with a `!Send` connection type.
pub trait Runtime: Clone + 'static {
    /// The connection type, adapted to hyper's IO traits.
    type Io: hyper::rt::Read + hyper::rt::Write + Unpin + 'static;

    /// The connection type of the lean client: the runtime's own TCP stream.
    type Conn: Conn;

    /// Opens a TCP connection to `addr` with `TCP_NODELAY` set.
    fn connect(&self, addr: SocketAddr) -> impl Future<Output = io::Result<Self::Io>>;

    /// Opens a TCP connection to `addr` for the lean client, `TCP_NODELAY` set.
    fn open(&self, addr: SocketAddr) -> impl Future<Output = io::Result<Self::Conn>>;

    /// Runs a connection's driver in the background on this runtime.
    fn spawn(&self, driver: Driver<Self::Io>);

    /// Completes after `duration`.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()>;
}

/// The future that drives one HTTP/1 connection (reads and writes its socket) until it closes;
/// an error is logged at debug level, since the request that saw it counts it.
pub struct Driver<Io: hyper::rt::Read + hyper::rt::Write + Unpin>(
    pub(crate) http1::Connection<Io, Empty<Bytes>>,
);

impl<Io: hyper::rt::Read + hyper::rt::Write + Unpin> Future for Driver<Io> {
    type Output = ();

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(|ended| {
            if let Err(err) = ended {
                tracing::debug!(%err, "connection ended with an error");
            }
        })
    }
}

/// A TCP connection as the lean client uses it: buffers passed in and given back.
pub trait Conn: 'static {
    /// Writes all of `buf`; gives it back.
    fn send(&mut self, buf: Vec<u8>) -> impl Future<Output = (io::Result<()>, Vec<u8>)>;

    /// Appends what has arrived to `buf`, into its spare capacity (the caller leaves some);
    /// gives it back with how many bytes came, 0 when the peer has closed.
    fn receive(&mut self, buf: Vec<u8>) -> impl Future<Output = (io::Result<usize>, Vec<u8>)>;
}

/// Completes when `ticket` is due (at once in a closed loop).
pub async fn due<R: Runtime>(rt: &R, ticket: &Ticket) {
    let wait = ticket.wait();
    if !wait.is_zero() {
        rt.sleep(wait).await;
    }
}

/// How many slots (tasks each driving one connection) a run of `requests` with at most
/// `concurrency` in flight needs.
pub fn slots(requests: usize, concurrency: usize) -> usize {
    concurrency.min(requests).max(1)
}
