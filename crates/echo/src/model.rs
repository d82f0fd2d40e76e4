//! What the serving models share: the listener, the load generator child, stopping the server,
//! and the report. A serving model implements [`ServeModel`]: only how it serves the listener.

use std::marker::PhantomData;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::Duration;

use anyhow::Context;
use concbench_core::config::ServeConfig;
use concbench_core::harness::{Family, Hooks, Model, Outcome};
use concbench_core::report::HeldMemory;
use concbench_core::report::Work;
use concbench_core::worker::Worker;
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

    /// Serves `ctx.listener` (measured, on a thread of its own) until `ctx.stop` is set (a
    /// model that starts processes registers them with `ctx.probe`): accepts connections and
    /// echoes each ([`crate::handler`]) until its client closes it. After the stop one more
    /// connection arrives to wake a blocked accept (unless [`Self::WAKE_ACCEPT`] is false); the
    /// model then waits for the connections it holds to end, and returns what it [`Served`].
    fn serve(ctx: ServeCtx<'_>) -> anyhow::Result<Served>;

    /// Whether a blocked accept must be woken by one more connection after `stop` (false for a
    /// model that stops its accepting otherwise, so that this connection is not served).
    const WAKE_ACCEPT: bool = true;

    /// Whether the model calls [`ready`] once every loop or worker it starts is accepting; the
    /// load then waits for it, so that the memory read with every connection held sees all of
    /// the server's processes (the kernel completes the connections in the listener's queue
    /// before any worker runs).
    const SIGNALS_READY: bool = false;

    /// Checks, before the measured window, that the run can be done (e.g. the threads it needs).
    fn preflight(_cfg: &Config) -> anyhow::Result<()> {
        Ok(())
    }
}

/// What a serving model is given: a field added here touches only the models that read it.
pub struct ServeCtx<'a> {
    /// The run's config.
    pub cfg: &'a Config,
    /// The listening socket (loopback, a 4,096-long accept queue), the model's to serve.
    pub listener: TcpListener,
    /// Set when the load is done: stop accepting, finish the connections held, return.
    pub stop: &'a AtomicBool,
    /// The sampler's probe, where a model registers the processes it starts.
    pub probe: &'a Probe,
    /// `serve.message_bytes`: the size of every message a connection echoes.
    pub message_bytes: usize,
    /// What the server does before each echo: `serve.spin_rounds` (× `serve.heavy_factor` on
    /// a heavy connection), then `serve.work_ms`.
    pub work: crate::handler::Work,
}

/// What a serving model says about its run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Served {
    /// How many connections each of its event loops or workers accepted, for a model with
    /// several on one listener (empty for the others): the kernel, not the model, decides.
    pub accepted_by: Vec<u64>,
}

/// Said by a model with [`ServeModel::SIGNALS_READY`] once its workers are accepting.
static READY: (Mutex<bool>, Condvar) = (Mutex::new(false), Condvar::new());

/// Tells the load that the server is ready (see [`ServeModel::SIGNALS_READY`]).
pub fn ready() {
    let (flag, cond) = &READY;
    *lock(flag) = true;
    cond.notify_all();
}

/// Waits for [`ready`] while `server` runs, within `bound`: false when the server ended or the
/// bound passed first.
fn wait_ready(server: &std::thread::JoinHandle<()>, bound: Duration) -> bool {
    let (flag, cond) = &READY;
    let start = std::time::Instant::now();
    let mut ready = lock(flag);
    while !*ready && !server.is_finished() && start.elapsed() < bound {
        ready = cond
            .wait_timeout(ready, Duration::from_millis(10))
            .map_or_else(|e| e.into_inner().0, |(guard, _)| guard);
    }
    *ready
}

/// The [`Model`] of a [`ServeModel`]: `harness::main::<Echo<ServeTokio>>()`.
pub struct Echo<M>(PhantomData<M>);

/// What a serving run holds besides the window: the listener (taken by the server) and the
/// load generators once they have answered, reaped after the window so that their CPU time does
/// not join the process's (a reaped child's is counted in `getrusage(RUSAGE_CHILDREN)`).
pub struct Serving {
    listener: Mutex<Option<TcpListener>>,
    answered: Mutex<Vec<Worker>>,
}

impl<M: ServeModel> Model for Echo<M> {
    const NAME: &'static str = M::NAME;
    const FAMILY: Family = Family::Serve;
    const SCENARIO: &'static str = SCENARIO;
    type Input = Serving;
    type Hooks = M;

    fn prepare(cfg: &Config) -> anyhow::Result<Self::Input> {
        // The server holds a socket per connection, besides its listener and pipes.
        sys::ensure_fds(
            cfg.serve.connections as u64 + 64,
            &format!("{} connections", cfg.serve.connections),
        )?;
        ensure_ports(cfg.serve.connections)?;
        M::preflight(cfg)?;
        Ok(Serving {
            listener: Mutex::new(Some(listen()?)),
            answered: Mutex::new(Vec::new()),
        })
    }

    fn run(cfg: &Config, input: &Self::Input, probe: &Probe) -> anyhow::Result<Outcome> {
        let listener = lock(&input.listener)
            .take()
            .context("the listener was already used")?;
        let addr = listener.local_addr().context("reading the listener's address")?;
        let stop = Arc::new(AtomicBool::new(false));
        let (done_tx, done) = mpsc::channel();
        let server = {
            let (cfg, stop, probe) = (cfg.clone(), stop.clone(), probe.clone());
            std::thread::Builder::new()
                .name("server".into())
                .spawn(move || {
                    let ctx = ServeCtx {
                        cfg: &cfg,
                        listener,
                        stop: &stop,
                        probe: &probe,
                        message_bytes: cfg.serve.message_bytes,
                        work: crate::handler::Work::of(&cfg.serve),
                    };
                    let _ = done_tx.send(M::serve(ctx));
                })
                .context("starting the server thread")?
        };
        // A server that has not said it is ready (it failed to start its workers) is reported
        // below, from its own error; the load then finds no one accepting and fails by kind.
        if M::SIGNALS_READY && !wait_ready(&server, STOP_BOUND) {
            tracing::warn!("the server did not say it was ready; the load starts anyway");
        }
        let load = load(cfg, addr, probe, &input.answered);
        stop.store(true, Ordering::SeqCst);
        if M::WAKE_ACCEPT {
            let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
        }
        let served = match done.recv_timeout(STOP_BOUND) {
            Ok(result) => {
                let _ = server.join();
                result
            }
            Err(_) => Err(anyhow::anyhow!(
                "the server did not stop within {STOP_BOUND:?} of the load's end"
            )),
        };
        let (load, held) = load?;
        let served = served.with_context(|| {
            format!(
                "the server failed (the load generator had {} round trips echoed, {} failed)",
                load.round_trips, load.failed
            )
        })?;
        let mut stats = load.stats();
        stats.loadgens = loadgens(&cfg.serve) as u64;
        stats.held = held;
        stats.accepted_by = served.accepted_by;
        Ok(Outcome {
            work: Work {
                units: load.round_trips,
                bytes: load.bytes,
                checksum: format!("{:016x}", load.checksum),
            },
            io: None,
            units: None,
            serve: Some(stats),
            moved: None,
        })
    }

    fn check(_cfg: &Config, input: &Self::Input) -> anyhow::Result<()> {
        for loadgen in lock(&input.answered).drain(..) {
            let n = loadgen.n();
            loadgen
                .finish()
                .with_context(|| format!("load generator {n} after its answer"))?;
        }
        Ok(())
    }

    fn loadgen() -> anyhow::Result<()> {
        crate::loadgen::main()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The shortest hold that lets the server's memory be read with every connection open.
const HOLD_FOR_MEMORY_MS: u64 = 100;

/// Load generator processes for `serve`: `serve.loadgens`, but none without a connection.
fn loadgens(serve: &ServeConfig) -> usize {
    serve.loadgens.min(serve.connections).max(1)
}

/// Checks that the load generators can open `connections` connections to one address: each
/// takes a local port from `net.ipv4.ip_local_port_range`.
fn ensure_ports(connections: usize) -> anyhow::Result<()> {
    let Some((low, high)) = sys::ephemeral_ports() else {
        return Ok(()); // unknown: let the OS answer
    };
    let ports = (high + 1).saturating_sub(low) as usize;
    anyhow::ensure!(
        connections + 64 <= ports,
        "{connections} connections to one address need as many local ports, more than the {ports} of net.ipv4.ip_local_port_range ({low}–{high}); widen it with `sysctl net.ipv4.ip_local_port_range`"
    );
    Ok(())
}

/// Runs the load generators (this executable's `--loadgen` mode, not tracked by the sampler)
/// against `addr`, each with its share of the connections, reads the server's memory when all
/// have connected (if the connections are held), and returns what they saw. The load
/// generators that answered go to `answered`, to be reaped after the window.
fn load(
    cfg: &Config,
    addr: SocketAddr,
    probe: &Probe,
    answered: &Mutex<Vec<Worker>>,
) -> anyhow::Result<(LoadReport, Option<HeldMemory>)> {
    let exe = std::env::current_exe().context("finding this executable to start the load generator")?;
    let (n, total) = (loadgens(&cfg.serve), cfg.serve.connections);
    let mut started = Vec::with_capacity(n);
    for k in 0..n {
        let (first, end) = (k * total / n, (k + 1) * total / n);
        let mut cmd = Command::new(&exe);
        cmd.arg("--loadgen");
        let (loadgen, mut stdin) = Worker::spawn(cmd, k, None)?;
        let job = Job {
            serve: cfg.serve.clone(),
            addr,
            first,
            count: end - first,
        };
        let sent = serde_json::to_writer(&mut stdin, &job);
        drop(stdin);
        sent.with_context(|| format!("sending load generator {k} its job"))?;
        started.push(loadgen);
    }
    for loadgen in &mut started {
        let line = loadgen.read_line()?;
        anyhow::ensure!(
            line.trim() == crate::loadgen::CONNECTED,
            "load generator {} said {line:?} before its connections were in",
            loadgen.n()
        );
    }
    let held = (cfg.serve.hold_ms >= HOLD_FOR_MEMORY_MS)
        .then(|| held_memory(probe))
        .flatten();
    let mut total: Option<LoadReport> = None;
    for mut loadgen in started {
        let text = loadgen.read_line()?;
        let report: LoadReport = serde_json::from_str(text.trim())
            .with_context(|| format!("load generator {} answered {text:?}", loadgen.n()))?;
        lock(answered).push(loadgen);
        match &mut total {
            Some(t) => t.merge(report),
            None => total = Some(report),
        }
    }
    Ok((total.context("no load generator ran")?, held))
}

/// The server's memory now: this process and the children it runs (the sampler's tracked ones).
fn held_memory(probe: &Probe) -> Option<HeldMemory> {
    let pids: Vec<u32> = std::iter::once(std::process::id())
        .chain(probe.children())
        .collect();
    let (mut rss, mut pss) = (0.0, 0.0);
    for &pid in &pids {
        rss += sys::rss_mib_of(pid)?;
        pss += sys::pss_mib_of(pid)?;
    }
    Some(HeldMemory {
        processes: pids.len() as u64,
        rss_mib: rss,
        pss_mib: pss,
    })
}

/// The accept queue's length asked for (the kernel caps it at `net.core.somaxconn`).
const BACKLOG: i32 = 4096;

/// A blocking listener on 127.0.0.1 with a long accept queue: std's 128 overflows when thousands
/// of clients connect at once, and a dropped SYN is retried only after a second, which would
/// then be measured as the model's.
fn listen() -> anyhow::Result<TcpListener> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .context("binding the server's listener on 127.0.0.1")?;
    sys::set_backlog(&listener, BACKLOG).context("lengthening the listener's accept queue")?;
    Ok(listener)
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
