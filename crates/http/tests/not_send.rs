//! The async client on a runtime whose futures are `!Send`, as a thread-per-core runtime's are:
//! tokio's current-thread runtime with a `LocalSet`, tasks started by `spawn_local`, and a
//! connection type that holds an `Rc` (so neither it nor any future holding it is `Send`).
//! The checks are the IO contract's, run in process against a real bench-server on loopback.

use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use concbench_core::config;
use concbench_http::client::{self, Driver, Runtime};
use concbench_http::lean::Conn;
use concbench_http::plan::{BodySink, Plan, Target};
use concbench_http::tally::HttpTally;
use concbench_http::testing::{MIXED, expected_mixed};
use concbench_http::{Jobs, rt};
use hyper_util::rt::TokioIo;

/// A TCP connection that must stay on the thread that opened it.
struct LocalIo {
    inner: TokioIo<tokio::net::TcpStream>,
    _pinned: PhantomData<Rc<()>>,
}

impl hyper::rt::Read for LocalIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for LocalIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The lean client's connection, held to its thread the same way.
struct LocalConn {
    inner: tokio::net::TcpStream,
    _pinned: PhantomData<Rc<()>>,
}

impl Conn for LocalConn {
    async fn send(&mut self, buf: Vec<u8>) -> (io::Result<()>, Vec<u8>) {
        self.inner.send(buf).await
    }

    async fn receive(&mut self, buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        self.inner.receive(buf).await
    }
}

/// The test implementation: local spawn, `!Send` IO, `!Send` futures.
#[derive(Clone, Default)]
struct TokioLocal {
    _pinned: PhantomData<Rc<()>>,
}

impl Runtime for TokioLocal {
    type Io = LocalIo;
    type Conn = LocalConn;

    async fn open(&self, addr: SocketAddr) -> io::Result<LocalConn> {
        let marker = Rc::new(());
        let inner = rt::Tokio.open(addr).await?;
        drop(marker);
        Ok(LocalConn {
            inner,
            _pinned: PhantomData,
        })
    }

    fn connect(&self, addr: SocketAddr) -> impl Future<Output = io::Result<LocalIo>> {
        let marker = Rc::new(()); // held across the await: this future is !Send
        async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            drop(marker);
            Ok(LocalIo {
                inner: TokioIo::new(stream),
                _pinned: PhantomData,
            })
        }
    }

    fn spawn(&self, driver: Driver<LocalIo>) {
        tokio::task::spawn_local(driver);
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        let marker = Rc::new(());
        async move {
            tokio::time::sleep(duration).await;
            drop(marker);
        }
    }
}

/// Fails to compile if `T` is `Send`: the proof that the test runtime is what it claims.
trait NotSend<A> {
    fn check() {}
}
impl<T: ?Sized> NotSend<()> for T {}
impl<T: ?Sized + Send> NotSend<u8> for T {}

#[test]
fn the_test_runtime_is_not_send() {
    // Ambiguous (a compile error) if LocalIo or TokioLocal were Send.
    <LocalIo as NotSend<_>>::check();
    <LocalConn as NotSend<_>>::check();
    <TokioLocal as NotSend<_>>::check();
}

/// A bench-server on a loopback port of its own, on a thread with its own runtime.
struct Server {
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start() -> Self {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime for bench-server");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("a loopback port");
                ready_tx
                    .send(listener.local_addr().expect("an address"))
                    .expect("the test waits");
                concbench_server::serve(listener, async move {
                    let _ = stopped.await;
                })
                .await;
            });
        });
        let addr = ready_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("bench-server starts");
        Self {
            url: format!("http://{addr}"),
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The config `sets` and the request plan against `server`.
fn plan(server: &Server, sets: &[&str]) -> (config::Config, Arc<Plan>) {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let cfg = config::load(None, &sets).expect("valid test sets");
    let target = Target::parse(&server.url).expect("the server's URL");
    let sink = BodySink::create(cfg.io.sink).expect("a body sink");
    let plan = Arc::new(Plan::new(&cfg.io, target, sink));
    (cfg, plan)
}

/// Runs the config `sets` against `server` on one thread: a `LocalSet` on tokio's
/// current-thread runtime, one `spawn_local` task per in-flight slot.
fn run_local(server: &Server, sets: &[&str]) -> HttpTally {
    let (cfg, plan) = plan(server, sets);
    let jobs = Arc::new(Jobs::new(plan.clone()).starting_at(Instant::now()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        let tasks: Vec<_> = (0..client::slots(plan.requests, cfg.io.concurrency))
            .map(|_| tokio::task::spawn_local(client::drive(jobs.clone(), TokioLocal::default())))
            .collect();
        for task in tasks {
            task.await.expect("a request task");
        }
    });
    jobs.tally()
}

#[test]
fn mixed_endpoints_give_exact_counts_on_a_local_runtime() {
    let server = Server::start();
    let tally = run_local(&server, &[MIXED, "io.requests=60", "io.concurrency=7"]);
    let (stats, expected) = (tally.stats(), expected_mixed(60));
    assert_eq!(tally.work().checksum, expected.work().checksum);
    assert_eq!(stats.status, expected.stats().status);
    assert_eq!((stats.ok, stats.failed, stats.responses), (50, 10, 60));
    assert!(stats.errors.values().all(|n| *n == 0), "{:?}", stats.errors);
    // The same requests on the Send runtime give the same work: one client, two runtimes; and
    // the lean client and the bare floor on both give it too, bytes included.
    let sent = run_send(&server, &[MIXED, "io.requests=60", "io.concurrency=7"]);
    assert_eq!(sent.work(), tally.work());
    for client in ["io.client=lean", "io.client=bare"] {
        let sets = [MIXED, "io.requests=60", "io.concurrency=7", client];
        assert_eq!(run_local(&server, &sets).work(), tally.work(), "{client}, !Send");
        assert_eq!(run_send(&server, &sets).work(), tally.work(), "{client}, Send");
    }
}

#[test]
fn timeouts_and_closed_connections_are_counted_on_a_local_runtime() {
    let server = Server::start();
    let start = Instant::now();
    let tally = run_local(
        &server,
        &[
            r#"io.endpoints=["/delay/3", "/get"]"#,
            "io.requests=6",
            "io.timeout_ms=300",
            "io.concurrency=3",
        ],
    );
    let stats = tally.stats();
    assert_eq!(stats.errors["timeout"], 3, "{:?}", stats.errors);
    assert_eq!((stats.ok, stats.failed), (3, 3));
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "bounded by the timeout"
    );
    let tally = run_local(
        &server,
        &[MIXED, "io.requests=30", "io.concurrency=4", "io.keep_alive=false"],
    );
    assert_eq!(tally.work().checksum, expected_mixed(30).work().checksum);
}

#[test]
fn the_open_loop_keeps_its_schedule_on_a_local_runtime() {
    let server = Server::start();
    let start = Instant::now();
    let tally = run_local(
        &server,
        &[MIXED, "io.requests=60", "io.concurrency=7", "io.rate=200"],
    );
    assert_eq!(tally.work().checksum, expected_mixed(60).work().checksum);
    assert!(
        start.elapsed() >= Duration::from_millis(295),
        "request 59 is due at 295 ms"
    );
}

/// The same run on tokio's multi-threaded runtime with the `Send` [`rt::Tokio`].
fn run_send(server: &Server, sets: &[&str]) -> HttpTally {
    let (cfg, plan) = plan(server, sets);
    let jobs = Arc::new(Jobs::new(plan.clone()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let tasks: Vec<_> = (0..client::slots(plan.requests, cfg.io.concurrency))
            .map(|_| tokio::spawn(client::drive(jobs.clone(), rt::Tokio)))
            .collect();
        for task in tasks {
            task.await.expect("a request task");
        }
    });
    jobs.tally()
}
