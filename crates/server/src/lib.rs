//! bench-server: the HTTP target of the IO models, a subset of httpbin on hyper 1 and tokio.
//!
//! It binds 127.0.0.1 on an ephemeral port unless told otherwise, prints its base URL as the first
//! line of stdout, and serves until SIGTERM or Ctrl-C (or, with `watch_stdin`, until its stdin
//! closes, so a server started by a model never outlives it). The routes are in [`routes`].
//!
//! ```text
//! cargo run --release --bin bench-server -- --bind 127.0.0.1:8080
//! curl http://127.0.0.1:8080/delay/0.1
//! ```

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpSocket};

pub mod routes;

/// The listen backlog asked for; the kernel clamps it to `net.core.somaxconn`.
pub const BACKLOG: u32 = 65_535;
/// How long a shutdown waits for requests in flight before it drops them.
pub const DRAIN: Duration = Duration::from_secs(2);

/// How to run the server.
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to bind; port 0 picks a free port.
    pub bind: SocketAddr,
    /// Runtime worker threads; `None` means one per core.
    pub threads: Option<usize>,
    /// Stop when stdin reaches end of file (used when a model starts the server).
    pub watch_stdin: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            threads: None,
            watch_stdin: false,
        }
    }
}

/// Runs the server until a signal (or stdin's end): binds, announces `http://ADDR` on stdout, serves.
///
/// Thread per core, as nginx does: each thread runs its own single-threaded tokio runtime and
/// accepts on its own `SO_REUSEPORT` listener on the shared port, so a connection lives on one
/// thread, no task is stolen or woken across threads, and each listener has its own backlog.
pub fn run(opts: &Options) -> anyhow::Result<()> {
    let threads = opts
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let sockets = reuseport_sockets(opts.bind, threads.max(1))?;
    let addr = sockets[0].local_addr().context("reading the bound address")?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<anyhow::Result<()>>();
    let count = sockets.len();
    std::thread::scope(|s| {
        for (n, socket) in sockets.into_iter().enumerate() {
            let (mut stop_rx, ready_tx) = (stop_rx.clone(), ready_tx.clone());
            let thread = std::thread::Builder::new().name(format!("server-{n}"));
            thread
                .spawn_scoped(s, move || {
                    let runtime = match current_thread() {
                        Ok(runtime) => runtime,
                        Err(err) => return drop(ready_tx.send(Err(err))),
                    };
                    runtime.block_on(async move {
                        let listener = match socket.listen(BACKLOG) {
                            Ok(listener) => listener,
                            Err(err) => {
                                return drop(
                                    ready_tx.send(Err(anyhow::anyhow!("listening on {addr}: {err}"))),
                                );
                            }
                        };
                        let _ = ready_tx.send(Ok(()));
                        drop(ready_tx);
                        serve(listener, async move {
                            let _ = stop_rx.wait_for(|stop| *stop).await;
                        })
                        .await;
                    });
                })
                .context("starting a server thread")?;
        }
        drop(ready_tx);
        let started: anyhow::Result<()> = ready_rx.iter().take(count).collect();
        let rt = current_thread()?;
        // The handlers are installed before the URL is announced: a starter that sends SIGTERM
        // as soon as it has the URL must find them, not the default action that kills.
        let signals = {
            let _inside = rt.enter();
            Signals::install()
        };
        let announced = started.and_then(|()| {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "http://{addr}")
                .and_then(|()| stdout.flush())
                .context("announcing the URL")
        });
        if announced.is_ok() {
            tracing::info!(%addr, threads, "serving");
            rt.block_on(stop_signal(signals, opts.watch_stdin));
        }
        let _ = stop_tx.send(true);
        announced
    })
}

fn current_thread() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building a tokio runtime")
}

/// `count` sockets bound to `addr` with `SO_REUSEPORT` (the first picks the port when it is 0).
fn reuseport_sockets(addr: SocketAddr, count: usize) -> anyhow::Result<Vec<TcpSocket>> {
    let mut addr = addr;
    let mut sockets = Vec::with_capacity(count);
    for _ in 0..count {
        let socket = socket(addr)?;
        socket.set_reuseport(true).context("setting SO_REUSEPORT")?;
        socket.bind(addr).with_context(|| format!("binding {addr}"))?;
        addr = socket.local_addr().context("reading the bound address")?;
        sockets.push(socket);
    }
    Ok(sockets)
}

/// A TCP socket for `addr`'s family with `SO_REUSEADDR`, not bound yet.
fn socket(addr: SocketAddr) -> anyhow::Result<TcpSocket> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .context("creating a listening socket")?;
    socket.set_reuseaddr(true).context("setting SO_REUSEADDR")?;
    Ok(socket)
}

/// Accepts and serves connections until `stop` completes, then drains for at most [`DRAIN`].
pub async fn serve(listener: TcpListener, stop: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    // One buffer, one write(2) per response: the head and a small body copied together cost
    // less than writev(2) of two slices (`scripts/server-capacity.sh`, docs/results/io.md).
    http.writev(false);
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    // Out of file descriptors or a connection reset before accept: keep serving.
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let service = service_fn(move |req| async move {
            Ok::<_, std::convert::Infallible>(routes::handle(req, peer).await)
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(err) = conn.await {
                tracing::debug!(%err, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still in flight after {DRAIN:?}; stopping anyway");
    }
}

/// The server's SIGTERM and SIGINT (Ctrl-C) handlers.
struct Signals {
    term: Option<tokio::signal::unix::Signal>,
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Installs both handlers now; inside a tokio runtime's context.
    fn install() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        Self {
            term: signal(SignalKind::terminate()).ok(),
            interrupt: signal(SignalKind::interrupt()).ok(),
        }
    }
}

/// Waits for `signal`, or forever where it could not be installed.
async fn received(signal: Option<&mut tokio::signal::unix::Signal>) {
    match signal {
        Some(signal) => drop(signal.recv().await),
        None => std::future::pending().await,
    }
}

/// Completes on SIGTERM, Ctrl-C, or (with `watch_stdin`) the end of stdin.
async fn stop_signal(mut signals: Signals, watch_stdin: bool) {
    let sigterm = received(signals.term.as_mut());
    let ctrl_c = received(signals.interrupt.as_mut());
    let stdin_closed = async {
        if !watch_stdin {
            return std::future::pending().await;
        }
        let mut buf = [0u8; 64];
        let mut stdin = tokio::io::stdin();
        while let Ok(n) = tokio::io::AsyncReadExt::read(&mut stdin, &mut buf).await {
            if n == 0 {
                break;
            }
        }
    };
    tokio::select! {
        () = sigterm => tracing::info!("SIGTERM: shutting down"),
        () = ctrl_c => tracing::info!("Ctrl-C: shutting down"),
        () = stdin_closed => tracing::info!("stdin closed: shutting down"),
    }
}
