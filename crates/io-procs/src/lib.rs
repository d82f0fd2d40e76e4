//! io-procs: `io.workers` child processes (this binary re-run in a hidden worker mode), each
//! sending a contiguous shard of the requests one after another with its own `ureq` agent, as a
//! `multiprocessing.Pool` did in the study. The parent sends each worker its shard as one JSON
//! line on stdin and merges the counters and latency histograms the workers print on stdout.
//! Starting the processes is in the window; their CPU, memory and threads count in the report.
//!
//! Open loop (`io.rate` > 0) worker `n` of `N` sends requests `n`, `n + N`, ... so that every
//! process keeps the rate all along, on the parent's schedule: the parent passes the schedule's
//! start as wall-clock time, and a request due while its process is still starting goes late.
//!
//! Run it: `cargo run --release --bin io-procs -- --set io.workers=4`.

use std::io::{Read, Write};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use concbench_core::config::IoConfig;
use concbench_core::seq::split;
use concbench_core::worker::Worker;
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
    /// Requests `range.start`, `range.start + step`, ... below `range.end`.
    range: Range<usize>,
    step: usize,
    sink: Option<PathBuf>,
    /// Open loop: the schedule's start, nanoseconds since the Unix epoch.
    start_unix_ns: Option<u128>,
}

impl Shard {
    /// The shard as [`Jobs`], on the parent's schedule.
    fn jobs(&self, plan: Arc<Plan>) -> Jobs {
        let jobs = Jobs::every(plan, self.range.start, self.step, self.range.end);
        let Some(ns) = self.start_unix_ns else { return jobs };
        let start = UNIX_EPOCH + Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX));
        let since = SystemTime::now().duration_since(start).unwrap_or_default();
        match Instant::now().checked_sub(since) {
            Some(start) => jobs.starting_at(start),
            None => jobs,
        }
    }
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
        let jobs = shard.jobs(plan.clone());
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
        let shards = shards(cfg, jobs.plan());
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

/// Contiguous shards in a closed loop; interleaved ones on a schedule starting now, open loop.
fn shards(cfg: &Config, plan: &Plan) -> Vec<Shard> {
    let requests = plan.requests;
    let open = plan.rate.is_some();
    let start_unix_ns = open.then(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    });
    let ranges: Vec<(Range<usize>, usize)> = if open {
        let workers = cfg.io.workers.min(requests);
        (0..workers).map(|n| (n..requests, workers)).collect()
    } else {
        split(requests, cfg.io.workers)
            .into_iter()
            .map(|r| (r, 1))
            .collect()
    };
    ranges
        .into_iter()
        .map(|(range, step)| Shard {
            io: cfg.io.clone(),
            target: plan.target.base.clone(),
            range,
            step,
            sink: plan.sink.path().map(PathBuf::from),
            start_unix_ns,
        })
        .collect()
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
