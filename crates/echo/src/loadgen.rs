//! The load generator: tokio on one thread, every connection a task. It opens its share of the
//! `serve.connections` connections at once (all of them, or one of `serve.loadgens` shares),
//! prints `connected` once every one has connected or failed to, holds them (`serve.hold_ms`),
//! then each sends its `serve.round_trips` messages one after another, pausing `serve.think_ms`,
//! and checks every echo byte for byte. It reports what it saw and its own CPU time.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use concbench_core::config::ServeConfig;
use concbench_core::latency;
use concbench_core::report::ServeStats;
use concbench_core::sys;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Notify, Semaphore};

use crate::proto;

/// What the model tells its load generator: the workload and where the server listens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// The workload.
    pub serve: ServeConfig,
    /// The server's address.
    pub addr: SocketAddr,
    /// The first connection of this load generator's share (connections are numbered across
    /// the load generators, so the checksum does not depend on how many there are).
    pub first: usize,
    /// Connections in this share.
    pub count: usize,
}

/// The line a load generator prints once all its connections have connected (or failed to).
pub const CONNECTED: &str = "connected";

/// Connections being opened at once at most: more would overflow the server's SYN queue, and a
/// dropped SYN is retried only after a second, which would then be measured as the model's.
const CONNECTING: usize = 128;

/// The failure kinds the report lists, every one even when zero.
pub const KINDS: [&str; 5] = ["connect", "timeout", "reset", "mismatch", "other"];

/// What the load generator saw.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadReport {
    /// Connections asked for.
    pub connections: u64,
    /// Connections established.
    pub connected: u64,
    /// Round trips echoed back whole and right.
    pub round_trips: u64,
    /// Round trips that failed.
    pub failed: u64,
    /// Failed round trips by kind.
    pub errors: BTreeMap<String, u64>,
    /// Bytes echoed back right.
    pub bytes: u64,
    /// Wrapping sum of [`proto::term`] over the round trips echoed right.
    pub checksum: u64,
    /// Round-trip latencies, µs, as `(value, count)` pairs.
    pub latency_us: Vec<(u64, u64)>,
    /// The load generator's CPU time, seconds.
    pub cpu_s: f64,
    /// When the first message was sent, ns since the Unix epoch (0: none was); wall-clock time,
    /// so that the spans of several load generators can be joined.
    pub first_send_ns: u64,
    /// When the last round trip ended (its echo, or its failure), ns since the Unix epoch.
    pub last_end_ns: u64,
}

#[derive(Debug, Default)]
struct Tally {
    connected: u64,
    round_trips: u64,
    failed: u64,
    errors: BTreeMap<String, u64>,
    bytes: u64,
    checksum: u64,
    latency: Vec<u64>,
    first_send: Option<SystemTime>,
    last_end: Option<SystemTime>,
}

impl Tally {
    /// A round trip ended now (its echo, or its failure): the phase lasts at least until now.
    fn ended_now(&mut self) {
        let now = SystemTime::now();
        self.last_end = Some(self.last_end.map_or(now, |l| l.max(now)));
    }
}

/// `t` as ns since the Unix epoch (0 for none).
fn unix_ns(t: Option<SystemTime>) -> u64 {
    t.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// Runs `job` to the end and reports.
pub fn run(job: &Job) -> anyhow::Result<LoadReport> {
    let cpu0 = sys::cpu_time_process();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building the load generator's runtime")?;
    let tally = Arc::new(Mutex::new(Tally::default()));
    rt.block_on(drive(job, tally.clone()));
    let t = std::mem::take(&mut *tally.lock().unwrap_or_else(|e| e.into_inner()));
    let mut h = latency::histogram();
    for us in &t.latency {
        h.saturating_record((*us).max(1));
    }
    let mut errors: BTreeMap<String, u64> = KINDS.iter().map(|k| (k.to_string(), 0)).collect();
    errors.extend(t.errors);
    Ok(LoadReport {
        connections: job.count as u64,
        connected: t.connected,
        round_trips: t.round_trips,
        failed: t.failed,
        errors,
        bytes: t.bytes,
        checksum: t.checksum,
        latency_us: latency::buckets(&h),
        cpu_s: (sys::cpu_time_process() - cpu0).as_secs_f64(),
        first_send_ns: unix_ns(t.first_send),
        last_end_ns: unix_ns(t.last_end),
    })
}

async fn drive(job: &Job, tally: Arc<Mutex<Tally>>) {
    let (first, n) = (job.first, job.count);
    let arrived = Arc::new(AtomicUsize::new(0));
    let all_in = Arc::new(Notify::new());
    let connecting = Arc::new(Semaphore::new(CONNECTING));
    let tasks: Vec<_> = (first..first + n)
        .map(|conn| {
            let (cfg, addr) = (job.serve.clone(), job.addr);
            let (tally, arrived, all_in) = (tally.clone(), arrived.clone(), all_in.clone());
            let connecting = connecting.clone();
            tokio::spawn(async move {
                let gate = Gate {
                    share: n,
                    arrived: &arrived,
                    all_in: &all_in,
                    connecting: &connecting,
                };
                connection(conn, &cfg, addr, &tally, gate).await
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
}

/// What the connections share to open together: the arrival count, the signal that all are in,
/// and the bound on connections being opened.
struct Gate<'a> {
    /// Connections in this load generator's share.
    share: usize,
    arrived: &'a AtomicUsize,
    all_in: &'a Notify,
    connecting: &'a Semaphore,
}

/// One connection: connect, wait for every other one (and the hold), then the round trips.
async fn connection(conn: usize, cfg: &ServeConfig, addr: SocketAddr, tally: &Mutex<Tally>, gate: Gate<'_>) {
    let timeout = Duration::from_millis(cfg.timeout_ms);
    let permit = gate.connecting.acquire().await;
    let stream = tokio::time::timeout(timeout, TcpStream::connect(addr)).await;
    drop(permit);
    let (arrived, all_in) = (gate.arrived, gate.all_in);
    let lock = || tally.lock().unwrap_or_else(|e| e.into_inner());
    let fail_rest = |kind: &str, from: usize| {
        let mut t = lock();
        if from > 0 {
            t.ended_now(); // a failure within the round trips ends the phase as an echo would
        }
        let n = (cfg.round_trips - from) as u64;
        t.failed += n;
        *t.errors.entry(kind.to_string()).or_default() += n;
    };
    let notified = all_in.notified();
    if arrived.fetch_add(1, Ordering::SeqCst) + 1 == gate.share {
        // Before any connection goes on: the model reads the server's memory on this line.
        println!("{CONNECTED}");
        let _ = std::io::Write::flush(&mut std::io::stdout());
        all_in.notify_waiters();
    } else {
        // Bounded: a connection that never arrives fails its connect within the timeout.
        let _ = tokio::time::timeout(timeout * 2, notified).await;
    }
    let mut stream = match stream {
        Ok(Ok(s)) => s,
        Ok(Err(_)) => return fail_rest("connect", 0),
        Err(_) => return fail_rest("timeout", 0),
    };
    let _ = stream.set_nodelay(true);
    lock().connected += 1;
    if cfg.hold_ms > 0 {
        tokio::time::sleep(Duration::from_millis(cfg.hold_ms)).await;
    }
    let mut echo = vec![0u8; cfg.message_bytes];
    for rt in 0..cfg.round_trips {
        if rt > 0 && cfg.think_ms > 0 {
            tokio::time::sleep(Duration::from_millis(cfg.think_ms)).await;
        }
        let msg = proto::message(conn, rt, cfg.message_bytes, cfg.heavy_share);
        if rt == 0 {
            let mut t = lock();
            let now = SystemTime::now();
            t.first_send = Some(t.first_send.map_or(now, |f| f.min(now)));
        }
        let start = Instant::now();
        let exchange = async {
            stream.write_all(&msg).await?;
            stream.read_exact(&mut echo).await?;
            Ok::<_, std::io::Error>(())
        };
        let kind = match tokio::time::timeout(timeout, exchange).await {
            Ok(Ok(())) if echo == msg => None,
            Ok(Ok(())) => Some("mismatch"),
            Ok(Err(e)) => Some(io_kind(&e)),
            Err(_) => Some("timeout"),
        };
        if let Some(kind) = kind {
            return fail_rest(kind, rt);
        }
        let mut t = lock();
        t.ended_now();
        t.round_trips += 1;
        t.bytes += echo.len() as u64;
        t.checksum = t.checksum.wrapping_add(proto::term(conn, rt, &echo));
        t.latency
            .push(u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX));
    }
}

fn io_kind(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => "reset",
        K::TimedOut => "timeout",
        _ => "other",
    }
}

impl LoadReport {
    /// Adds `other`'s counts (another load generator's share) to these.
    pub fn merge(&mut self, other: LoadReport) {
        self.connections += other.connections;
        self.connected += other.connected;
        self.round_trips += other.round_trips;
        self.failed += other.failed;
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
        self.bytes += other.bytes;
        self.checksum = self.checksum.wrapping_add(other.checksum);
        self.latency_us.extend(other.latency_us);
        self.cpu_s += other.cpu_s;
        self.first_send_ns = match (self.first_send_ns, other.first_send_ns) {
            (0, b) => b,
            (a, 0) => a,
            (a, b) => a.min(b),
        };
        self.last_end_ns = self.last_end_ns.max(other.last_end_ns);
    }

    /// The report's `serve` block (the rate is filled in once the wall time is known).
    pub fn stats(&self) -> ServeStats {
        let latency = latency::summary(&latency::from_buckets(&self.latency_us));
        ServeStats {
            connections: self.connections,
            connected: self.connected,
            round_trips: self.round_trips,
            failed: self.failed,
            errors: self.errors.clone(),
            bytes: self.bytes,
            round_trips_per_s: 0.0,
            latency_ms: latency,
            loadgen_cpu_s: self.cpu_s,
            loadgen_cpu_us_per_round_trip: if self.round_trips > 0 {
                self.cpu_s * 1e6 / self.round_trips as f64
            } else {
                0.0
            },
            loadgens: 1,
            held: None,
            accepted_by: Vec::new(),
            round_trips_s: if self.last_end_ns > self.first_send_ns && self.first_send_ns > 0 {
                (self.last_end_ns - self.first_send_ns) as f64 / 1e9
            } else {
                0.0
            },
        }
    }
}

/// The hidden `--loadgen` mode: reads a [`Job`] as JSON on stdin, prints a [`LoadReport`].
pub fn main() -> anyhow::Result<()> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .context("reading the load generator's job")?;
    let job: Job = serde_json::from_str(&text).context("parsing the load generator's job")?;
    sys::ensure_fds(
        job.serve.connections as u64 + 64,
        "the load generator's connections",
    )?;
    let report = run(&job)?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}
