//! io-procs: `io.workers` child processes (this binary re-run in a hidden worker mode), each
//! sending a contiguous shard of the requests one after another with its own `ureq` agent, as a
//! `multiprocessing.Pool` did in the study. The parent sends each worker its shard as one JSON
//! line on stdin and merges the counters and latency histograms the workers print on stdout.
//! Starting the processes is in the window; their CPU, memory and threads count in the report.
//!
//! Run it: `cargo run --release -p io-procs -- --set io.workers=4`.

use std::io::{Read, Write};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use concbench_core::config::IoConfig;
use concbench_core::worker::Worker;
use concbench_core::workload::urls::split;
use concbench_core::{Config, Hooks, Probe};
use concbench_http::plan::{BodySink, Plan, Target};
use concbench_http::tally::HttpTally;
use concbench_http::{IoModel, Jobs, blocking};
use serde::{Deserialize, Serialize};

/// Child processes, each with a shard of the requests.
pub struct IoProcs;

/// What a worker is told: the workload, the resolved target, its shard and the body file.
#[derive(Debug, Serialize, Deserialize)]
struct Shard {
    io: IoConfig,
    target: String,
    range: Range<usize>,
    sink: Option<PathBuf>,
}

impl Hooks for IoProcs {
    fn worker() -> anyhow::Result<()> {
        let mut line = String::new();
        std::io::stdin()
            .read_to_string(&mut line)
            .context("reading the shard")?;
        let shard: Shard = serde_json::from_str(&line).context("parsing the shard")?;
        let sink = match &shard.sink {
            Some(path) => BodySink::append_to(path)?,
            None => BodySink::default(),
        };
        let plan = Arc::new(Plan::new(&shard.io, Target::parse(&shard.target)?, sink));
        let jobs = Jobs::over(plan.clone(), shard.range);
        let agent = blocking::agent(&plan, 1);
        jobs.drain(|plan, i| blocking::get(&agent, plan, i));
        plan.sink.check()?;
        println!("{}", serde_json::to_string(&jobs.tally())?);
        Ok(())
    }
}

impl IoModel for IoProcs {
    const NAME: &'static str = "io-procs";

    fn in_flight_max(cfg: &Config) -> usize {
        cfg.io.workers
    }

    fn fetch(cfg: &Config, jobs: &Arc<Jobs>, probe: &Probe) -> anyhow::Result<()> {
        let shards: Vec<Shard> = split(jobs.plan().requests, cfg.io.workers)
            .into_iter()
            .map(|range| Shard {
                io: cfg.io.clone(),
                target: jobs.plan().target.base.clone(),
                range,
                sink: jobs.plan().sink.path().map(PathBuf::from),
            })
            .collect();
        let parts = std::thread::scope(|s| {
            let waiters: Vec<_> = shards
                .iter()
                .enumerate()
                .map(|(n, shard)| s.spawn(move || run_worker(n, shard, probe)))
                .collect();
            waiters
                .into_iter()
                .map(|w| {
                    w.join()
                        .unwrap_or_else(|_| bail!("a worker's waiter thread panicked"))
                })
                .collect::<anyhow::Result<Vec<HttpTally>>>()
        })?;
        for part in &parts {
            jobs.merge(part);
        }
        Ok(())
    }
}

/// Starts worker `n`, sends it `shard` and returns its counters.
fn run_worker(n: usize, shard: &Shard, probe: &Probe) -> anyhow::Result<HttpTally> {
    let (worker, mut stdin) = Worker::start(n, probe)?;
    let sent = serde_json::to_writer(&mut stdin, shard)
        .map_err(anyhow::Error::from)
        .and_then(|()| Ok(stdin.write_all(b"\n")?));
    drop(stdin);
    let answer = worker
        .finish()
        .with_context(|| format!("requests {:?}", shard.range))?;
    sent.with_context(|| format!("sending worker {n} its shard"))?;
    let tally: HttpTally = serde_json::from_str(answer.trim())
        .with_context(|| format!("worker {n} answered {:?} instead of its counters", answer.trim()))?;
    Ok(tally)
}
