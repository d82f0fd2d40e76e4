//! The run report (schema_version 2): the one JSON document a model binary prints on stdout.
//!
//! Pinned by `schema/report.schema.json`, generated from these types; a test fails when they drift.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A second, as a float.
pub type Seconds = f64;
/// A percentage; process CPU is of one core (two busy cores read 200).
pub type Percent = f64;
/// A mebibyte (1,048,576 bytes), as a float.
pub type Mib = f64;

/// The version of the report layout this build writes. 2: the sampled figures (maxima, averages
/// of samples, thread and process peaks) may be `null`, and the sampler block says why.
pub const SCHEMA_VERSION: u32 = 2;

pub use crate::catalogue::Family;

/// One run of one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Layout version: 2 (1 for reports before the sampled figures could be null).
    pub schema_version: u32,
    /// Binary name, e.g. `cpu-sync`.
    pub model: String,
    /// Runtime or mode within the model (e.g. `tokio-current-thread`), if it has one.
    pub variant: Option<String>,
    /// True when the model runs on a library discontinued upstream (async-std).
    pub legacy: bool,
    /// The family: `cpu` or `io`.
    pub family: Family,
    /// The workload, e.g. `char-encoding` or `http`.
    pub scenario: String,
    /// The effective config, after `--config` and `--set`.
    pub config: serde_json::Value,
    /// Start of the measured window, RFC 3339 UTC.
    pub started_at: String,
    /// The measured window: building the runtime, pool or processes, the work, collecting results.
    /// Excludes generating the inputs.
    pub wall_s: Seconds,
    /// What was done, identical across the models of a family for the same config.
    pub work: Work,
    /// HTTP counters; present for the io family only.
    pub io: Option<IoStats>,
    /// Task-cost scenario figures; present when `scenario.name` is not `main`.
    pub units: Option<UnitStats>,
    /// The serving family's figures (what the load generator saw); present for it only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serve: Option<ServeStats>,
    /// What a process model sent its workers over pipes (cpu-procs); absent for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved: Option<Moved>,
    /// CPU use over the measured window.
    pub cpu: CpuStats,
    /// Memory over the measured window.
    pub memory: MemoryStats,
    /// Threads over the measured window.
    pub threads: ThreadStats,
    /// Processes over the measured window.
    pub processes: ProcessStats,
    /// Samples the sampler took (fast tier; see `sampler`).
    pub samples: u64,
    /// What the measuring cost.
    pub sampler: SamplerCost,
    /// The kernel's counts over the window (context switches, minor page faults, read and write
    /// system calls), totals and per unit of work; `null` where `/proc` lacks them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<crate::counts::Counts>,
    /// The machine and build.
    pub env: Env,
}

/// The work a run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Work {
    /// Units of work: URLs counted, requests sent.
    pub units: u64,
    /// Bytes processed: UTF-8 bytes counted, or body bytes received.
    pub bytes: u64,
    /// 16 hex digits; equal in every model of a family for the same config.
    pub checksum: String,
}

/// HTTP counters (io family).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IoStats {
    /// Responses with a 2xx status.
    pub ok: u64,
    /// Every other status and every error, except the requests dropped unsent (open loop),
    /// which are their own kind (`errors.dropped`, [`OpenLoop::dropped`]).
    pub failed: u64,
    /// Responses by status code.
    pub status: std::collections::BTreeMap<String, u64>,
    /// Errors by kind: connect, timeout, reset, other, dropped (open loop: never sent, see
    /// [`OpenLoop::dropped`]).
    pub errors: std::collections::BTreeMap<String, u64>,
    /// Body bytes received.
    pub bytes_received: u64,
    /// Requests answered, with any status.
    pub responses: u64,
    /// Responses (any status) per second of wall time.
    pub req_per_s: f64,
    /// Body bytes per second of wall time.
    pub bytes_per_s: f64,
    /// Latency of the responses (errors excluded), in milliseconds, from an HDR histogram
    /// (3 significant digits).
    pub latency_ms: Latency,
    /// The most requests the model could have in flight at once: its budget (1 for io-sync, the
    /// pool size, `io.concurrency`, ...), at most `io.requests`. 0 in reports from before it was
    /// recorded.
    #[serde(default)]
    pub in_flight_max: u64,
    /// Open-loop load (`io.rate` > 0): the schedule, what was achieved and the latency counted
    /// from each request's scheduled send. Absent in a closed-loop run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_loop: Option<OpenLoop>,
}

/// An open-loop run: request `i` was due `i / offered_per_s` seconds after the schedule's start,
/// whatever the responses did. A model that cannot keep up sends late; `latency_ms` above counts
/// from the actual send (and so hides the wait), `corrected_ms` here from the scheduled one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenLoop {
    /// The offered rate, `io.rate`, requests per second.
    pub offered_per_s: f64,
    /// Responses (any status) per second from the schedule's start to the last response.
    pub achieved_per_s: f64,
    /// The schedule's length, `io.requests / io.rate`, seconds.
    pub schedule_s: f64,
    /// Requests sent more than [`OpenLoop::LATE_MS`] after they were due.
    pub late: u64,
    /// Requests not sent at all: when a worker reached them they were already more than
    /// `io.timeout_ms` overdue (error kind `dropped`; not counted as failed: the model's client
    /// did not fail them, the schedule left them behind).
    pub dropped: u64,
    /// Latency of the responses from each request's scheduled send (corrected for coordinated
    /// omission), milliseconds.
    pub corrected_ms: Latency,
    /// How late requests were sent: actual send less scheduled send, milliseconds.
    pub send_delay_ms: Latency,
}

impl OpenLoop {
    /// A request sent more than this many milliseconds after it was due counts as late.
    pub const LATE_MS: f64 = 10.0;
}

impl IoStats {
    /// Fills in the rates over `wall_s` seconds.
    pub fn set_rates(&mut self, wall_s: Seconds) {
        if wall_s > 0.0 {
            self.req_per_s = self.responses as f64 / wall_s;
            self.bytes_per_s = self.bytes_received as f64 / wall_s;
        }
    }
}

/// The input a process model moved to its worker processes: each item once, whatever
/// `cpu.passes`, as Python's multiprocessing pickles each item it hands a worker once.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Moved {
    /// Bytes written to the workers' pipes, headers included.
    pub bytes: u64,
    /// Wall time from the first byte sent to the last, s (the feeders send to every worker at
    /// once; a worker counts once its shard has arrived).
    pub seconds: Seconds,
}

/// What the serving family's load generator saw of the server under test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServeStats {
    /// Client connections the load generator opened (`serve.connections`).
    pub connections: u64,
    /// Connections that were established.
    pub connected: u64,
    /// Round trips echoed back whole and right.
    pub round_trips: u64,
    /// Round trips that failed (their connection's error, or an echo that differed).
    pub failed: u64,
    /// Failures by kind: connect, timeout, reset, mismatch, other.
    pub errors: std::collections::BTreeMap<String, u64>,
    /// Bytes echoed back.
    pub bytes: u64,
    /// Round trips per second of the round-trip phase (`round_trips_s`; of the wall time when
    /// that is unknown).
    pub round_trips_per_s: f64,
    /// The round-trip phase, seconds: from the first message sent to the last round trip's end,
    /// over all load generators (so neither their start, the connecting nor the hold is in it).
    #[serde(default)]
    pub round_trips_s: f64,
    /// Latency of one round trip (send to the whole echo), milliseconds.
    pub latency_ms: Latency,
    /// The load generator's own CPU time, seconds (not in the server's CPU figures).
    pub loadgen_cpu_s: f64,
    /// The load generator's CPU time per round trip, microseconds.
    pub loadgen_cpu_us_per_round_trip: f64,
    /// Load generator processes that shared the connections (`serve.loadgens`).
    #[serde(default = "one")]
    pub loadgens: u64,
    /// The server's memory with every connection open, read once when the load generators
    /// reported all connected (only when `serve.hold_ms` ≥ 100, so that none had finished).
    #[serde(default)]
    pub held: Option<HeldMemory>,
    /// Connections each event loop or worker process accepted, for a server with several on
    /// one listener (serve-hybrid, serve-procs; the kernel picks which one takes a connection);
    /// empty for the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted_by: Vec<u64>,
}

fn one() -> u64 {
    1
}

/// The server's memory at one moment, summed over its processes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeldMemory {
    /// The server's processes (itself and its workers; not the load generators).
    pub processes: u64,
    /// Resident memory summed over them, MiB (shared pages counted once per process).
    pub rss_mib: Mib,
    /// Proportional set size summed over them, MiB (`Pss` of `/proc/PID/smaps_rollup`: a page
    /// shared by N processes counts 1/N, so the sum is the memory the server really holds).
    pub pss_mib: Mib,
}

impl ServeStats {
    /// Fills in the rate over the round-trip phase, or over `wall_s` seconds when that is
    /// unknown.
    pub fn set_rates(&mut self, wall_s: Seconds) {
        let span = if self.round_trips_s > 0.0 {
            self.round_trips_s
        } else {
            wall_s
        };
        if span > 0.0 {
            self.round_trips_per_s = self.round_trips as f64 / span;
        }
    }
}

/// What a task-cost scenario measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitStats {
    /// The scenario, e.g. `spawn-only`.
    pub scenario: String,
    /// How the model ran the units: `task`, `thread`, `pool`, `process` or `sequential`.
    pub unit: String,
    /// Units started.
    pub count: u64,
    /// Wall time per unit, microseconds.
    pub per_unit_us: f64,
    /// idle-scale: this process's resident memory before the first unit started, MiB.
    pub rss_before_mib: Option<Mib>,
    /// idle-scale: resident memory with every unit started and waiting, MiB.
    pub rss_all_started_mib: Option<Mib>,
    /// idle-scale: (all started − before) ÷ count, KiB per unit.
    pub rss_per_unit_kib: Option<f64>,
    /// idle-scale on an async runtime: the size of one unit's future, bytes (what the runtime
    /// stores for it besides its own task header and the allocator's rounding).
    #[serde(default)]
    pub future_bytes: Option<u64>,
    /// The SQLite scenarios: how often a unit found the database locked and retried
    /// (`SQLITE_BUSY`), over every unit of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub busy_retries: Option<u64>,
    /// idle-scale with processes: (PSS of the tree with all started − PSS before) ÷ count, KiB
    /// per unit, shared pages counted once over the processes that share them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pss_per_unit_kib: Option<f64>,
    /// switch: the token's hand-offs between the two units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switches: Option<u64>,
    /// switch: wall time over the hand-offs, nanoseconds per switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switch_ns: Option<f64>,
}

impl UnitStats {
    /// Fills in the time per unit (and per switch) over `wall_s` seconds.
    pub fn set_per_unit(&mut self, wall_s: Seconds) {
        if self.count > 0 {
            self.per_unit_us = wall_s * 1e6 / self.count as f64;
        }
        if let Some(n) = self.switches.filter(|n| *n > 0) {
            self.switch_ns = Some(wall_s * 1e9 / n as f64);
        }
    }
}

/// A latency distribution, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    /// Fastest.
    pub min: f64,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile (0 in reports from before it was recorded).
    #[serde(default)]
    pub p999: f64,
    /// Slowest.
    pub max: f64,
}

/// CPU use over the measured window. The averages are exact (the kernel's accounting over the
/// window); the maxima are sampled, and `null` when the run held fewer than
/// [`crate::sampler::MIN_SAMPLES`] samples long enough to read them (`sampler.unresolved` says so).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CpuStats {
    /// CPU time of the process tree (the process and its waited-for children) over wall time,
    /// in % of one core: exact, from the kernel's accounting, not from samples; the sampler
    /// thread's own CPU time is subtracted.
    pub process_avg_pct: Percent,
    /// Highest process-tree CPU over a span of at least 100 ms per process of the tree (ten
    /// clock ticks each: the kernel's CPU clocks of other threads move at their ticks), % of one
    /// core, the sampler's own CPU subtracted; `null` when unresolved.
    pub process_max_pct: Option<Percent>,
    /// Whole-machine CPU over the window, % of all cores, from `/proc/stat` at the window's ends
    /// (the sampler's share of it is in `sampler.overhead_pct`); `null` for a window shorter than
    /// 20 clock ticks (200 ms at 100 Hz), where the ticks' rounding would be most of it.
    pub system_avg_pct: Option<Percent>,
    /// Highest whole-machine CPU over one slow-tier sample, % of all cores; `null` when unresolved.
    pub system_max_pct: Option<Percent>,
}

/// Resident memory of the process tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemoryStats {
    /// Peak resident set of the tree, MiB: this process's high-water mark over the window
    /// (`VmHWM`, reset at the window's start), exact, plus each child's own high-water mark
    /// (an upper bound of the tree's simultaneous peak when the children peak at different
    /// times); never below the largest sampled tree total.
    pub rss_peak_mib: Mib,
    /// Mean sampled resident set of the tree, MiB; `null` when unresolved.
    pub rss_avg_mib: Option<Mib>,
    /// This process's resident set when the window opened, MiB: what the model's own work
    /// added is `rss_peak_mib` less this.
    #[serde(default)]
    pub rss_start_mib: Option<Mib>,
    /// Where `rss_peak_mib` comes from: `high-water mark` (exact), or `sampled` where the kernel
    /// would not reset the mark.
    #[serde(default)]
    pub rss_peak_source: String,
    /// The largest proportional set size of the tree the slow tier read, MiB (from
    /// `/proc/PID/smaps_rollup`): a page shared by N processes of the tree counts 1/N, so a tree
    /// of processes is not counted once per process as summed RSS is. Sampled, as often as
    /// 0.1 % of a core allows, so a floor of the true peak; `null` when no read saw the
    /// children, and for a process that never had children (its `rss_peak_mib` is exact, and the
    /// walk is the sampler's largest cost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pss_peak_mib: Option<Mib>,
    /// The tree's PSS as its work ended, MiB: each worker's own reading just before it exited,
    /// this process's as the first worker ended (or at the window's end, the larger), and any
    /// child still alive read then; so a run too short for a slow-tier read still has a figure
    /// that counts shared pages once. Not a peak: a tree that held more mid-run shows it in
    /// `pss_peak_mib` only. `null` for a process that never had children.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pss_end_mib: Option<Mib>,
}

/// Threads of the process tree, the sampler's own thread excluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadStats {
    /// Most threads seen at once, the sampler's own thread not counted; `null` when unresolved.
    pub peak: Option<u64>,
}

/// Processes of the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessStats {
    /// Most processes seen at once, the model's own included; `null` when unresolved.
    pub peak: Option<u64>,
}

/// The sampler: how often it looked, what it could not resolve, and what it cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SamplerCost {
    /// Milliseconds between slow-tier samples (the process tree and the machine).
    pub interval_ms: u64,
    /// CPU time the sampler thread used, seconds (excluded from every CPU figure of the model).
    pub cpu_s: Seconds,
    /// That CPU time over wall time, % of one core.
    pub overhead_pct: Percent,
    /// Fast-tier samples (this process's threads and resident memory, every 1 ms at the start
    /// of the window, then every quarter of the time elapsed, at most every `interval_ms`).
    #[serde(default)]
    pub fast_samples: u64,
    /// Slow-tier samples long enough (half an interval or more) to read CPU percentages.
    #[serde(default)]
    pub slow_samples: u64,
    /// The fewest samples a sampled figure needs; with fewer it is `null`.
    #[serde(default)]
    pub min_samples: u64,
    /// The sampled figures this run could not resolve, each with why.
    #[serde(default)]
    pub unresolved: Vec<String>,
}

/// The machine and the build that produced a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Env {
    /// Operating system and version.
    pub os: String,
    /// Kernel version.
    pub kernel: String,
    /// CPU model name.
    pub cpu_model: String,
    /// Logical cores.
    pub cores_logical: u64,
    /// The cores this process may use (its CPU affinity): what `"cores"` in a worker count
    /// resolved to. Absent in reports written before counts could say `"cores"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cores_usable: Option<u64>,
    /// Total memory, MiB.
    pub mem_total_mib: u64,
    /// Host name.
    pub host: String,
    /// `rustc --version` of the build (empty in a Python entry's report).
    pub rustc: String,
    /// Commit of the build, with `-dirty` when the tree had changes; `unknown` outside git.
    pub git_sha: String,
    /// Cargo profile: `release` or `debug`; `python` for a Python entry.
    pub profile: String,
    /// A Python entry's interpreter and packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<PythonEnv>,
}

/// The interpreter and packages a Python entry ran on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PythonEnv {
    /// `CPython`, say.
    pub implementation: String,
    /// `3.11.7`, say.
    pub version: String,
    /// The interpreter's path (the runner's virtual environment).
    pub executable: String,
    /// The versions of the packages the entries use that are installed.
    pub packages: std::collections::BTreeMap<String, String>,
    /// A free-threaded build (`Py_GIL_DISABLED`): one that can run without the GIL. Absent in
    /// reports from before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_threaded: Option<bool>,
    /// Whether the GIL was enabled as the entry ran (`sys._is_gil_enabled()`; always on before
    /// 3.13 and in builds that are not free-threaded). Absent in reports from before it was
    /// recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gil: Option<bool>,
    /// Built with profile-guided optimisation (`--enable-optimizations`), as distributions'
    /// interpreters are and a plain source build (pyenv's default) is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pgo: Option<bool>,
    /// Built with link-time optimisation (`--with-lto`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lto: Option<bool>,
}

/// The JSON schema of [`Report`], as committed in `schema/report.schema.json`.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Report)).expect("a schema always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/report.schema.json");

    /// The committed schema is the one these types generate. Regenerate with
    /// `UPDATE_SCHEMA=1 cargo test --release --workspace --lib committed_schema`, then once more.
    #[test]
    fn committed_schema_matches_the_types() {
        let generated = serde_json::to_string_pretty(&schema()).unwrap() + "\n";
        crate::testing::assert_committed(std::path::Path::new(SCHEMA_FILE), &generated, "UPDATE_SCHEMA");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err =
            serde_json::from_str::<Work>(r#"{"units":1,"bytes":2,"checksum":"x","extra":0}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `extra`"), "{err}");
    }
}
