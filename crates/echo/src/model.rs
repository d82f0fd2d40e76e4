//! What the serving models share: the listener, the load generator child, stopping the server,
//! and the report. A serving model implements [`ServeModel`]: only how it serves the listener.

use std::marker::PhantomData;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use anyhow::{Context, bail};
use concbench_core::harness::{Family, Hooks, Model, Outcome};
use concbench_core::report::Work;
use concbench_core::{Config, Probe, sys};

use crate::loadgen::{Job, LoadReport};

/// The scenario name of the serving family.
pub const SCENARIO: &str = "echo";
/// How long a server may take to stop once the load generator is done.
const STOP_BOUND: Duration = Duration::from_secs(30);

/// A serving model: serves the listener its own way until told to stop.
pub trait ServeModel: Hooks {
    /// Binary name, e.g. `serve-tokio`.
    const NAME: &'static str;

    /// Serves `listener` (measured, on a thread of its own) until `stop` is set: accepts
    /// connections and echoes each ([`crate::handler`]) until its client closes it. After `stop`
    /// one more connection arrives to wake a blocked accept; the model then waits for the
    /// connections it holds to end, and returns.
    fn serve(cfg: &Config, listener: TcpListener, stop: &AtomicBool) -> anyhow::Result<()>;

    /// Checks, before the measured window, that the run can be done (e.g. the threads it needs).
    fn preflight(_cfg: &Config) -> anyhow::Result<()> {
        Ok(())
    }
}

/// The [`Model`] of a [`ServeModel`]: `harness::main::<Echo<ServeTokio>>()`.
pub struct Echo<M>(PhantomData<M>);

impl<M: ServeModel> Model for Echo<M> {
    const NAME: &'static str = M::NAME;
    const FAMILY: Family = Family::Serve;
    const SCENARIO: &'static str = SCENARIO;
    type Input = Mutex<Option<TcpListener>>;
    type Hooks = M;

    fn prepare(cfg: &Config) -> anyhow::Result<Self::Input> {
        // The server holds a socket per connection, besides its listener and pipes.
        sys::ensure_fds(
            cfg.serve.connections as u64 + 64,
            &format!("{} connections", cfg.serve.connections),
        )?;
        M::preflight(cfg)?;
        Ok(Mutex::new(Some(listen()?)))
    }

    fn run(cfg: &Config, input: &Self::Input, _probe: &Probe) -> anyhow::Result<Outcome> {
        let listener = input
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .context("the listener was already used")?;
        let addr = listener.local_addr().context("reading the listener's address")?;
        let stop = Arc::new(AtomicBool::new(false));
        let (done_tx, done) = mpsc::channel();
        let server = {
            let (cfg, stop) = (cfg.clone(), stop.clone());
            std::thread::Builder::new()
                .name("server".into())
                .spawn(move || {
                    let _ = done_tx.send(M::serve(&cfg, listener, &stop));
                })
                .context("starting the server thread")?
        };
        let load = load(cfg, addr);
        stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1)); // wakes a blocked accept
        let served = match done.recv_timeout(STOP_BOUND) {
            Ok(result) => {
                let _ = server.join();
                result
            }
            Err(_) => Err(anyhow::anyhow!(
                "the server did not stop within {STOP_BOUND:?} of the load's end"
            )),
        };
        let load = load?;
        served.context("the server failed")?;
        Ok(Outcome {
            work: Work {
                units: load.round_trips,
                bytes: load.bytes,
                checksum: format!("{:016x}", load.checksum),
            },
            io: None,
            units: None,
            serve: Some(load.stats()),
        })
    }

    fn loadgen() -> anyhow::Result<()> {
        crate::loadgen::main()
    }
}

/// The accept queue's length asked for (the kernel caps it at `net.core.somaxconn`).
const BACKLOG: u32 = 4096;

/// A listener on 127.0.0.1 with a long accept queue: std's 128 overflows when thousands of clients
/// connect at once, and a dropped SYN is retried only after a second, which would then be
/// measured as the model's. (tokio's `TcpSocket` sets the backlog; the listener is then handed
/// to the model as a std one, blocking.)
fn listen() -> anyhow::Result<TcpListener> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .context("building a runtime to open the listener")?;
    let _guard = rt.enter();
    let socket = tokio::net::TcpSocket::new_v4().context("creating the listener's socket")?;
    socket.set_reuseaddr(true).context("setting SO_REUSEADDR")?;
    socket
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .context("binding the server's listener on 127.0.0.1")?;
    let listener = socket
        .listen(BACKLOG)
        .context("listening")?
        .into_std()
        .context("handing the listener over")?;
    listener
        .set_nonblocking(false)
        .context("making the listener blocking")?;
    Ok(listener)
}

/// Runs the load generator as a child (this executable's `--loadgen` mode, not tracked by the
/// sampler) against `addr` and returns what it saw.
fn load(cfg: &Config, addr: SocketAddr) -> anyhow::Result<LoadReport> {
    let exe = std::env::current_exe().context("finding this executable to start the load generator")?;
    let mut child = Command::new(exe)
        .arg("--loadgen")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the load generator")?;
    let job = Job {
        serve: cfg.serve.clone(),
        addr,
    };
    let mut stdin = child.stdin.take().context("the load generator's stdin")?;
    let sent = serde_json::to_writer(&mut stdin, &job).map_err(anyhow::Error::from);
    drop(stdin);
    let out = child
        .wait_with_output()
        .context("waiting for the load generator")?;
    sent.context("sending the load generator its job")?;
    if !out.status.success() {
        bail!("the load generator failed ({})", out.status);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).with_context(|| format!("the load generator answered {text:?}"))
}

/// Accepts connections until `stop` is set, handing each to `handle`; the connection that wakes
/// the accept after `stop` is dropped.
pub fn accept_until_stopped(
    listener: &TcpListener,
    stop: &AtomicBool,
    mut handle: impl FnMut(TcpStream) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        match stream {
            Ok(stream) => handle(stream)?,
            Err(err) => {
                // Out of descriptors, say: the client sees a timeout; do not spin meanwhile.
                tracing::debug!(%err, "accept failed");
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
    Ok(())
}
