//! bench-server: the HTTP target of the IO models, a subset of httpbin on hyper 1 and tokio.
//!
//! It binds 127.0.0.1 on an ephemeral port unless told otherwise, prints its base URL as the first
//! line of stdout, and serves until SIGTERM or Ctrl-C (or, with `watch_stdin`, until its stdin
//! closes, so a server started by a model never outlives it). The routes are in [`routes`].
//!
//! ```text
//! cargo run --release -p concbench-server -- --bind 127.0.0.1:8080
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
pub fn run(opts: &Options) -> anyhow::Result<()> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = opts.threads {
        builder.worker_threads(threads.max(1));
    }
    let runtime = builder
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    runtime.block_on(async {
        let listener = bind(opts.bind).await?;
        let addr = listener.local_addr().context("reading the bound address")?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "http://{addr}")
            .and_then(|()| stdout.flush())
            .context("announcing the URL")?;
        drop(stdout);
        tracing::info!(%addr, "serving");
        serve(listener, stop_signal(opts.watch_stdin)).await;
        Ok(())
    })
}

/// Binds `addr` with a large backlog and `SO_REUSEADDR`.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .context("creating the listening socket")?;
    socket.set_reuseaddr(true).context("setting SO_REUSEADDR")?;
    socket.bind(addr).with_context(|| format!("binding {addr}"))?;
    socket
        .listen(BACKLOG)
        .with_context(|| format!("listening on {addr}"))
}

/// Accepts and serves connections until `stop` completes, then drains for at most [`DRAIN`].
pub async fn serve(listener: TcpListener, stop: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let http = hyper::server::conn::http1::Builder::new();
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

/// Completes on SIGTERM, Ctrl-C, or (with `watch_stdin`) the end of stdin.
async fn stop_signal(watch_stdin: bool) {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let sigterm = async {
        match term.as_mut() {
            Some(term) => drop(term.recv().await),
            None => std::future::pending().await,
        }
    };
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
        _ = tokio::signal::ctrl_c() => tracing::info!("Ctrl-C: shutting down"),
        () = stdin_closed => tracing::info!("stdin closed: shutting down"),
    }
}
