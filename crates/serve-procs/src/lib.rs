//! serve-procs: pre-fork, the nginx / gunicorn shape. The model process opens the listener and
//! starts `serve.workers` worker processes (this executable's hidden `--worker` mode), each of
//! which inherits the one listening socket and runs a single-threaded tokio loop with a task per
//! connection; the kernel hands each connection to one of the accepting workers. The parent
//! serves nothing itself: it watches its workers and tells them to stop by closing their stdin.
//! The workers are counted in the report (CPU, threads, processes, memory summed over them);
//! with `serve.hold_ms` ≥ 100 the `serve.held` block gives the tree's PSS, in which the pages the
//! workers share count once.
//!
//! Run it: `cargo run --release --bin serve-procs -- --set serve.workers=2 --set serve.connections=10000`.

use std::io::{BufRead, Write};
use std::process::{ChildStdin, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use concbench_core::worker::{self, Worker};
use concbench_core::{Config, Hooks};
use concbench_echo::{ServeCtx, ServeModel, Served, handler};
use serde::{Deserialize, Serialize};

/// Worker processes on one shared listener.
pub struct ServeProcs;

/// What a worker is told on its stdin's first line.
#[derive(Debug, Serialize, Deserialize)]
struct Job {
    message_bytes: usize,
    work: handler::Work,
}

/// What a worker prints once its loop is about to accept.
const READY: &str = "ready";
/// How often the parent looks at its workers while the load runs.
const WATCH: Duration = Duration::from_millis(10);

impl Hooks for ServeProcs {
    fn worker() -> anyhow::Result<()> {
        worker_main()
    }
}

impl ServeModel for ServeProcs {
    const NAME: &'static str = "serve-procs";
    // The workers stop accepting when their stdin closes.
    const WAKE_ACCEPT: bool = false;
    const SIGNALS_READY: bool = true;

    fn serve(ctx: ServeCtx<'_>) -> anyhow::Result<Served> {
        let ServeCtx {
            cfg,
            listener,
            stop,
            probe,
            work,
            ..
        } = ctx;
        let exe = std::env::current_exe().context("finding this executable to start the workers")?;
        let job = serde_json::to_string(&Job {
            message_bytes: cfg.serve.message_bytes,
            work,
        })?;
        let mut workers = Vec::with_capacity(cfg.serve.workers);
        let mut stdins: Vec<ChildStdin> = Vec::with_capacity(cfg.serve.workers);
        for n in 0..cfg.serve.workers {
            let mut cmd = Command::new(&exe);
            cmd.arg("--worker");
            worker::pass_listener(&mut cmd, &listener);
            let (mut w, mut stdin) = Worker::spawn(cmd, n, Some(probe))?;
            writeln!(stdin, "{job}").with_context(|| format!("sending worker {n} its job"))?;
            let line = w.read_line()?;
            anyhow::ensure!(
                line.trim() == READY,
                "worker {n} said {line:?} instead of {READY:?}"
            );
            workers.push(w);
            stdins.push(stdin);
        }
        drop(listener); // the workers hold it; the parent accepts nothing
        concbench_echo::model::ready();
        // Watch the workers until the load is done: one that ends early has crashed, and the
        // connections it held fail at the load generator (counted there).
        let mut ended: Vec<Option<std::process::ExitStatus>> = vec![None; workers.len()];
        while !stop.load(Ordering::SeqCst) {
            for (w, end) in workers.iter_mut().zip(&mut ended) {
                if end.is_none() {
                    *end = w.exited();
                }
            }
            std::thread::sleep(WATCH);
        }
        drop(stdins); // each worker stops accepting, then waits for its connections to end
        let mut failures = Vec::new();
        let mut accepted_by = Vec::with_capacity(workers.len());
        for (w, end) in workers.into_iter().zip(ended) {
            let (n, pid) = (w.n(), w.pid());
            if let Some(status) = end {
                failures.push(format!("worker {n} (pid {pid}) ended during the run: {status}"));
                continue;
            }
            match w.finish() {
                Ok(answer) => match answer.trim().parse::<u64>() {
                    Ok(accepted) => accepted_by.push(accepted),
                    Err(_) => failures.push(format!("worker {n} answered {answer:?}, not its count")),
                },
                Err(err) => failures.push(format!("{err:#}")),
            }
        }
        if !failures.is_empty() {
            bail!("{}", failures.join("; "));
        }
        Ok(Served { accepted_by })
    }

    fn preflight(cfg: &Config) -> anyhow::Result<()> {
        // Each worker may hold every connection.
        concbench_core::sys::ensure_fds(
            cfg.serve.connections as u64 + 64 + 2 * cfg.serve.workers as u64,
            &format!(
                "{} connections and {} workers",
                cfg.serve.connections, cfg.serve.workers
            ),
        )
    }
}

/// A worker: reads its job, takes the inherited listener, says it is ready, serves until its
/// stdin closes and answers with the number of connections it served.
fn worker_main() -> anyhow::Result<()> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the worker's job")?;
    let job: Job = serde_json::from_str(line.trim()).context("parsing the worker's job")?;
    // The parent raised RLIMIT_NOFILE for the connections before starting it; this inherits it.
    let listener = worker::inherited_listener()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building the worker's runtime")?;
    let (tx, stopped) = tokio::sync::oneshot::channel::<()>();
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            // The parent closes stdin to stop this worker (or dies, which closes it too).
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            let _ = tx.send(());
        })
        .context("starting the worker's stdin watcher")?;
    println!("{READY}");
    std::io::stdout()
        .flush()
        .context("telling the parent this worker is ready")?;
    let never = AtomicBool::new(false);
    let work = job.work;
    let accepted = rt.block_on(handler::tokio_server(
        listener,
        &never,
        async {
            let _ = stopped.await;
        },
        job.message_bytes,
        work,
        async {},
    ))?;
    // The answer: the connections this worker served.
    println!("{accepted}");
    Ok(())
}
