//! The one TOML config that every binary reads.
//!
//! Sources, in order: the built-in defaults (equal to `configs/default.toml`), then `--config FILE`,
//! then each `--set section.key=value`. Every error names where the bad value came from (the file
//! with line and column, or the `--set` argument), the key, and what is allowed.

use serde::{Deserialize, Serialize};

pub use crate::catalogue::{Family, Kind, MODELS};
pub use source::{ConfigError, Invalid, check, configs_dir, load, load_as, parse, range, set_value, to_json};

mod recorded;
mod source;

/// The cores this process may run on: its CPU affinity (and cgroup quota), what `"cores"`
/// stands for in a count. `taskset -c 0` makes it 1.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A count written as a whole number, `"cores"` or a multiple `"N*cores"`, resolved against
/// [`cores`]; `None` for anything else.
pub fn parse_count(text: &str) -> Option<usize> {
    let text = text.trim();
    if text == "cores" {
        return Some(cores());
    }
    if let Some(factor) = text.strip_suffix("*cores") {
        return factor.trim().parse::<usize>().ok().map(|k| k * cores());
    }
    text.parse().ok()
}

/// Deserializes a worker count: a whole number, `"cores"` or `"N*cores"` (e.g. `"2*cores"`),
/// resolved when the config is read, so that every report holds the number the run used.
pub fn count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Number(i64),
        Text(String),
    }
    let expected = "a whole number, \"cores\" or \"N*cores\" (cores: this process's CPU affinity)";
    match Written::deserialize(d).map_err(|_| serde::de::Error::custom(format!("expected {expected}")))? {
        Written::Number(n) => usize::try_from(n)
            .map_err(|_| serde::de::Error::custom(format!("expected {expected}, found {n}"))),
        Written::Text(t) => parse_count(&t)
            .ok_or_else(|| serde::de::Error::custom(format!("expected {expected}, found \"{t}\""))),
    }
}

/// The whole configuration: one section per concern.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The CPU-bound family (char-encoding workload).
    pub cpu: CpuConfig,
    /// The IO-bound family (HTTP workload).
    pub io: IoConfig,
    /// The task-cost scenarios (instead of the family's main workload).
    pub scenario: ScenarioConfig,
    /// The serving family (TCP echo).
    pub serve: ServeConfig,
    /// The background sampler.
    pub sampler: SamplerConfig,
    /// The Python entries (`py-*`); the Rust binaries read nothing here.
    pub py: PyConfig,
    /// `[runner]`, as written: only the runner reads it (its types and checks live in the runner
    /// crate), so every binary accepts the one shared file.
    pub runner: toml::Table,
}

/// `[cpu]`: the char-encoding workload and how CPU models split it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CpuConfig {
    /// What every CPU model computes.
    pub kernel: CpuKernel,
    /// Number of generated URLs (the study used 100,000, about 51 MB of text).
    pub urls: usize,
    /// sqrt-sum: the square roots of `0..numbers` are summed (the article: 4 × 100,000,000).
    pub numbers: usize,
    /// filter-aggregate: generated records (the article: 8 batches × 1,000,000).
    pub records: usize,
    /// How many times every model counts the URLs (memory stays that of one pass): enough
    /// passes make a run long enough for the sampler and the machine's noise to be resolved.
    pub passes: usize,
    /// Seed for the characters mixed in when `unicode` is on; same seed, same URLs.
    pub seed: u64,
    /// Threads (cpu-threads, multi-threaded runtimes) or processes (cpu-procs); a [`count`].
    #[serde(deserialize_with = "count")]
    pub workers: usize,
    /// Items (URLs, numbers or records) per task (cpu-async) or per pool job (cpu-threads);
    /// 0, the default: the kernel's own job size, the same input as 1,000 URLs
    /// ([`CpuKernel::default_chunk`]), so that a job is a comparable amount of work on every
    /// kernel. Loading a config resolves 0 to that number, so reports show the size that ran.
    pub chunk: usize,
    /// The async runtime of cpu-async.
    pub runtime: AsyncRuntime,
    /// Mix 2-, 3- and 4-byte characters into the query (our extension to the study).
    pub unicode: bool,
    /// Host part of every URL.
    pub host: String,
}

impl Default for CpuConfig {
    fn default() -> Self {
        Self {
            kernel: CpuKernel::CharEncoding,
            urls: 100_000,
            numbers: 400_000_000,
            records: 8_000_000,
            passes: 50,
            seed: 42,
            workers: 10,
            chunk: 0,
            runtime: AsyncRuntime::TokioCurrentThread,
            unicode: false,
            host: "127.0.0.1:80".into(),
        }
    }
}

/// What the CPU models compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CpuKernel {
    /// The study's kernel: the UTF-8 length of every character of the generated URLs, counted
    /// `passes` times (memory-bound).
    CharEncoding,
    /// The sum of the square roots of `0..numbers` (compute-bound, no memory traffic).
    SqrtSum,
    /// `records` generated records, filtered and aggregated per group, `passes` times
    /// (data-heavy: 16 bytes a record).
    FilterAggregate,
}

impl CpuConfig {
    /// Items per task or pool job: `chunk`, or the kernel's own size where it is 0.
    pub fn job_items(&self) -> usize {
        match self.chunk {
            0 => self.kernel.default_chunk(),
            n => n,
        }
    }
}

impl CpuKernel {
    /// The items of a job of the same input as 1,000 of the study's URLs (512.6 bytes each on
    /// average, 513 KB): 1,000 URLs, 64,000 numbers (8 bytes each) or 32,000 records (16 bytes
    /// each). With 1,000 items on every kernel a sqrt-sum job was 1,000 square roots, a few
    /// microseconds, and a pool's queue cost as much as the work.
    pub fn default_chunk(self) -> usize {
        match self {
            Self::CharEncoding => 1_000,
            Self::SqrtSum => 64_000,
            Self::FilterAggregate => 32_000,
        }
    }

    /// Every kernel.
    pub const ALL: [CpuKernel; 3] = [Self::CharEncoding, Self::SqrtSum, Self::FilterAggregate];

    /// The kernel named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The name used in configs and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::CharEncoding => "char-encoding",
            Self::SqrtSum => "sqrt-sum",
            Self::FilterAggregate => "filter-aggregate",
        }
    }
}

/// The async runtimes cpu-async can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AsyncRuntime {
    /// tokio on the calling thread only: the asyncio analogue.
    TokioCurrentThread,
    /// tokio's work-stealing scheduler on `workers` threads.
    TokioMultiThread,
    /// a `smol::Executor` driven by `workers` threads.
    Smol,
    /// async-std's global executor on `workers` threads (discontinued upstream: legacy).
    AsyncStd,
}

impl AsyncRuntime {
    /// The name used in configs and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::TokioCurrentThread => "tokio-current-thread",
            Self::TokioMultiThread => "tokio-multi-thread",
            Self::Smol => "smol",
            Self::AsyncStd => "async-std",
        }
    }
}

/// `[serve]`: the TCP echo workload of the serving family and its load generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeConfig {
    /// Client connections the load generator opens, all at once.
    pub connections: usize,
    /// Messages each connection sends, each waiting for its echo before the next.
    pub round_trips: usize,
    /// Bytes of each message.
    pub message_bytes: usize,
    /// The client's pause between a connection's round trips, milliseconds.
    pub think_ms: u64,
    /// The server's wait before each echo, with the model's own sleep (a database query
    /// stands behind it in the article), milliseconds.
    pub work_ms: u64,
    /// How long every connection stays open and idle once all are connected, before the round
    /// trips, milliseconds (so that the memory per connection can be read).
    pub hold_ms: u64,
    /// The server's CPU work before each echo, on the thread that serves the connection:
    /// rounds of a xorshift step (a few nanoseconds each), the same rounds in every model.
    pub spin_rounds: u64,
    /// Uneven load: the share of the connections (spread evenly over them) whose every message
    /// is heavy, carrying `heavy_factor` times the spin; 0 makes every connection alike.
    pub heavy_share: f64,
    /// Uneven load: how many times `spin_rounds` a heavy connection's message costs.
    pub heavy_factor: u64,
    /// Threads of serve-pool, loops of serve-hybrid, processes of serve-procs; a [`count`].
    #[serde(deserialize_with = "count")]
    pub workers: usize,
    /// Bound on connecting and on each round trip, milliseconds.
    pub timeout_ms: u64,
    /// Load generator processes sharing the connections (each opens its share): 2 checks that
    /// one is not the ceiling; a [`count`].
    #[serde(deserialize_with = "count")]
    pub loadgens: usize,
}

impl ServeConfig {
    /// The server's CPU work per message: `spin_rounds`, `heavy_share`, `heavy_factor`.
    pub fn skew(&self) -> crate::skew::Skew {
        crate::skew::Skew {
            spin_rounds: self.spin_rounds,
            heavy_share: self.heavy_share,
            heavy_factor: self.heavy_factor,
        }
    }
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            connections: 100,
            round_trips: 10,
            message_bytes: 64,
            think_ms: 0,
            work_ms: 0,
            hold_ms: 0,
            spin_rounds: 0,
            heavy_share: 0.0,
            heavy_factor: 1,
            workers: 2,
            timeout_ms: 10_000,
            loadgens: 1,
        }
    }
}

/// `[io]`: the HTTP workload and how IO models drive it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IoConfig {
    /// `"spawn"` starts bench-server on loopback; otherwise a base URL such as `http://127.0.0.1:8080`.
    pub target: String,
    /// Number of GET requests.
    pub requests: usize,
    /// httpbin paths, used in turn; `{i}` becomes the request index.
    pub endpoints: Vec<String>,
    /// Requests in flight at most (async models).
    pub concurrency: usize,
    /// Pool size of the thread, hybrid and process models; a [`count`].
    #[serde(deserialize_with = "count")]
    pub workers: usize,
    /// Bound on every request, in milliseconds.
    pub timeout_ms: u64,
    /// Reuse connections.
    pub keep_alive: bool,
    /// What happens to response bodies.
    pub sink: Sink,
    /// How io-hybrid combines async and threads.
    pub hybrid_mode: HybridMode,
    /// The async models' HTTP client: hyper's, the lean one, or the bare floor ([`Client`]).
    pub client: Client,
    /// The HTTP clients' buffer size per connection, KiB: hyper's read buffer (exactly this
    /// size) and ureq's input and output buffers. 0: each library's own default, as a user gets
    /// it (hyper's adaptive read buffer from 8 KiB, ureq's 128 KiB).
    pub buffer_kib: usize,
    /// Open-loop load: requests per second on a fixed schedule (request `i` is due `i / rate`
    /// seconds after the first), whatever the responses do. 0: closed loop, each slot sends its
    /// next request as soon as its last one is answered.
    pub rate: f64,
    /// The client's CPU work on each response, on the thread that took it, after it is timed:
    /// rounds of a xorshift step, the same in every model.
    pub spin_rounds: u64,
    /// Uneven load: the share of the requests (spread evenly over the indices) whose response
    /// is heavy, carrying `heavy_factor` times the spin; 0 makes every response alike.
    pub heavy_share: f64,
    /// Uneven load: how many times `spin_rounds` a heavy response costs.
    pub heavy_factor: u64,
}

impl IoConfig {
    /// The client's CPU work per response: `spin_rounds`, `heavy_share`, `heavy_factor`.
    pub fn skew(&self) -> crate::skew::Skew {
        crate::skew::Skew {
            spin_rounds: self.spin_rounds,
            heavy_share: self.heavy_share,
            heavy_factor: self.heavy_factor,
        }
    }
}

impl Default for IoConfig {
    fn default() -> Self {
        Self {
            target: "spawn".into(),
            requests: 200,
            endpoints: vec!["/anything/{i}".into(), "/delay/0.1".into()],
            concurrency: 50,
            workers: 10,
            timeout_ms: 10_000,
            keep_alive: true,
            sink: Sink::Discard,
            hybrid_mode: HybridMode::LoopPerThread,
            client: Client::Hyper,
            buffer_kib: 0,
            rate: 0.0,
            spin_rounds: 0,
            heavy_share: 0.0,
            heavy_factor: 1,
        }
    }
}

/// Where response bodies go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sink {
    /// Count the bytes, keep nothing.
    Discard,
    /// Append every body to a temporary file, as the study did.
    File,
}

/// io-hybrid's two designs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HybridMode {
    /// `workers` OS threads, each with its own single-threaded runtime.
    LoopPerThread,
    /// One runtime; each request is a blocking call on a pool of `workers` threads.
    BlockingPool,
}

impl HybridMode {
    /// The name configs and reports use.
    pub fn name(self) -> &'static str {
        match self {
            Self::LoopPerThread => "loop-per-thread",
            Self::BlockingPool => "blocking-pool",
        }
    }
}

/// The HTTP client of the async IO models (io-tokio, io-smol, io-async-std, io-hybrid's
/// loop-per-thread, io-compio, io-monoio); the blocking models use ureq whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Client {
    /// hyper 1's HTTP/1 connection API: a task driving each connection beside the request's,
    /// hyper's read buffer (adaptive from 8 KiB, or `io.buffer_kib`).
    Hyper,
    /// A small keep-alive HTTP/1.1 client over the runtime's own TCP (its completion-based
    /// reads on io_uring): one task per slot, headers parsed by httparse, one buffer per
    /// connection that grows to the largest response (from 1 KiB, or `io.buffer_kib`).
    Lean,
    /// Not a client but the floor the lean one is held to: the request's bytes written, the
    /// reply read until its `Content-Length` is in, the status read off the status line, and
    /// nothing else (no header parsing, no chunked bodies, no retry of a closed keep-alive
    /// connection). Each request is still bounded by `io.timeout_ms`.
    Bare,
}

impl Client {
    /// The name configs and reports use.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hyper => "hyper",
            Self::Lean => "lean",
            Self::Bare => "bare",
        }
    }
}

/// `[scenario]`: what the units of concurrency do. `main` runs the family's own workload; the
/// others are the task-cost suite, run by the CPU-family binaries with their own unit: a task
/// (cpu-async), an OS thread (cpu-threads), a process (cpu-procs), or one after another (cpu-sync).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScenarioConfig {
    /// Which scenario.
    pub name: ScenarioName,
    /// Units of concurrency started.
    pub units: usize,
    /// Sleep of `sleep-fixed`, and the upper bound of `sleep-variable`, in milliseconds.
    pub sleep_ms: u64,
    /// cpu-threads: one OS thread per unit (as the article did) or the `cpu.workers` pool.
    pub threads: ThreadUnits,
    /// cpu-async, idle-scale: a spawned task per unit, or every unit a plain future in one
    /// `FuturesUnordered` that a single task drives.
    pub async_units: AsyncUnits,
    /// sqlite-insert: rows each unit inserts; sqlite-read: rows each unit inserted beforehand
    /// (every unit reads them all).
    pub rows: usize,
    /// file-read: the size of each unit's file, bytes.
    pub file_bytes: usize,
    /// switch: the token's hand-offs between the two units (each one a switch).
    pub switches: u64,
    /// Pins the run to the first `cpus` CPUs it may use (`sched_setaffinity`, inherited by its
    /// threads and child processes) before its units start; 0 leaves it on all of them. The
    /// switch scenario's "one core": `scenario.cpus = 1`.
    pub cpus: usize,
    /// Where the sqlite and file scenarios keep their data: the SQLite file, or the folder of
    /// files. Empty: made in a temporary folder, removed after the run. A path names a file or
    /// folder that must not exist yet; it is kept.
    pub data: String,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        Self {
            name: ScenarioName::Main,
            units: 100,
            sleep_ms: 50,
            threads: ThreadUnits::PerUnit,
            async_units: AsyncUnits::Spawned,
            rows: 1_000,
            file_bytes: 1 << 20,
            switches: 100_000,
            cpus: 0,
            data: String::new(),
        }
    }
}

/// The scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScenarioName {
    /// The family's own workload (char-encoding, HTTP).
    Main,
    /// Start `units` empty units and wait for all: the start-up cost per unit.
    SpawnOnly,
    /// Each unit waits `sleep_ms` with the model's native sleep.
    SleepFixed,
    /// Each unit waits a seeded random fraction of `sleep_ms`.
    SleepVariable,
    /// Each unit makes 10,000 tiny blocking system calls (`sched_yield`).
    BlockingStorm,
    /// Each unit blocks its thread for `sleep_ms` with `std::thread::sleep`, whatever the model
    /// (inside an async task too: "never block the event loop").
    BlockingSleep,
    /// Each unit builds a vector of the first 1,000,000 squares and checks it.
    Squares,
    /// All units wait at once; the report gives the memory per unit.
    IdleScale,
    /// Each unit inserts `rows` rows into one WAL-mode SQLite file in one transaction, on a
    /// connection of its own.
    SqliteInsert,
    /// Each unit reads every row of the SQLite file (`units` × `rows`, written before the
    /// window), on a connection of its own.
    SqliteRead,
    /// Each unit reads its own file of `file_bytes` (written before the window), with the
    /// model's file API: `std::fs`, or the async runtime's.
    FileRead,
    /// Two units pass a token back and forth `switches` times through the model's own channel
    /// (or pipe): the cost of one switch between two units.
    Switch,
}

impl ScenarioName {
    /// The name configs and reports use.
    pub fn name(self) -> &'static str {
        match self {
            Self::Main => "main",
            Self::SpawnOnly => "spawn-only",
            Self::SleepFixed => "sleep-fixed",
            Self::SleepVariable => "sleep-variable",
            Self::BlockingStorm => "blocking-storm",
            Self::BlockingSleep => "blocking-sleep",
            Self::Squares => "squares",
            Self::IdleScale => "idle-scale",
            Self::SqliteInsert => "sqlite-insert",
            Self::SqliteRead => "sqlite-read",
            Self::FileRead => "file-read",
            Self::Switch => "switch",
        }
    }
}

/// How cpu-threads maps units to threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThreadUnits {
    /// One OS thread per unit.
    PerUnit,
    /// The `cpu.workers` threadpool runs the units as jobs.
    Pool,
}

/// How cpu-async runs idle-scale's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AsyncUnits {
    /// A task spawned on the runtime per unit (its join handle kept).
    Spawned,
    /// Plain futures, not spawned: one task drives them all in a `FuturesUnordered`.
    Futures,
}

/// `[sampler]`: the background sampler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SamplerConfig {
    /// Milliseconds between samples.
    pub interval_ms: u64,
}

impl Default for SamplerConfig {
    fn default() -> Self {
        Self { interval_ms: 50 }
    }
}

/// `[py]`: how the Python entries (`scripts/python/py-*.py`) run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PyConfig {
    /// The event loop of the asyncio entries.
    #[serde(rename = "loop")]
    pub event_loop: PyLoop,
    /// The interpreter the runner runs the Python entries with: a version such as `3.13`
    /// (`python3.13` on the PATH, else under pyenv's versions), a command or a path; empty:
    /// `CONCBENCH_PYTHON`, else `python3`. Read by the runner, which makes one environment per
    /// interpreter; an entry's own `set` lets interpreters differ in one run.
    pub python: String,
}

/// The asyncio entries' event loop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PyLoop {
    /// CPython's own selector event loop.
    #[default]
    Asyncio,
    /// uvloop, on libuv.
    Uvloop,
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn parse_err(text: &str) -> ConfigError {
        parse("test.toml", text).unwrap_err()
    }

    fn load_err(text: &str, sets: &[&str]) -> String {
        crate::testing::config_error(text, sets, |file, sets| load(Some(file), sets))
    }

    #[test]
    fn every_shipped_config_parses_and_default_equals_builtin() {
        let mut seen = 0;
        for entry in std::fs::read_dir(configs_dir()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let mut cfg = load(Some(&path), &[]).unwrap_or_else(|e| panic!("{e}"));
                if path.file_name().unwrap() == "default.toml" {
                    // `[runner]` is the runner's: its own test compares it with its defaults.
                    assert!(!cfg.runner.is_empty(), "default.toml holds the matrix");
                    cfg.runner.clear();
                    assert_eq!(
                        cfg,
                        load(None, &[]).unwrap(),
                        "configs/default.toml drifted from the built-in defaults"
                    );
                }
                seen += 1;
            }
        }
        assert!(seen >= 2, "configs/ holds default.toml and quick.toml at least");
    }

    #[test]
    fn unknown_section_names_it_with_position() {
        let e = parse_err("[cpu]\nurls = 5\n\n[gpu]\ncores = 1\n");
        assert_eq!(e.origin, "test.toml");
        assert_eq!(e.position, Some((4, 2)), "points at the section name");
        assert!(e.message.contains("unknown field `gpu`"), "{e}");
        assert!(
            e.message
                .contains("`cpu`, `io`, `scenario`, `serve`, `sampler`, `py`, `runner`"),
            "lists what is allowed: {e}"
        );
    }

    #[test]
    fn runner_section_passes_through_untyped() {
        let cfg = parse(
            "t.toml",
            "[runner]\nrepeats = 3\nanything = [\"the runner checks it\"]\n",
        )
        .unwrap();
        assert_eq!(cfg.runner["repeats"].as_integer(), Some(3));
        assert_eq!(to_json(&cfg)["runner"]["anything"][0], "the runner checks it");
        let e = parse_err("runner = 5\n");
        assert_eq!(e.key, "runner", "[runner] must still be a table: {e}");
    }

    #[test]
    fn unknown_key_names_section_key_and_allowed() {
        let e = parse_err("[cpu]\nwrkers = 4\n");
        assert_eq!(e.key, "cpu.wrkers");
        assert_eq!(e.position, Some((2, 1)));
        assert!(
            e.message.contains("expected one of") && e.message.contains("`workers`"),
            "{e}"
        );
    }

    #[test]
    fn wrong_type_names_the_key() {
        let e = parse_err("[cpu]\nurls = \"many\"\n");
        assert_eq!(e.key, "cpu.urls");
        assert_eq!(e.position, Some((2, 8)));
        assert!(e.message.contains("invalid type"), "{e}");
    }

    #[test]
    fn the_switch_takes_two_units_and_pins_to_cpus_that_exist() {
        let e = load_err("[scenario]\nname = \"switch\"\nunits = 3\n", &[]);
        assert!(
            e.contains("scenario.units") && e.contains("2 with scenario.name = \"switch\""),
            "{e}"
        );
        let e = load_err("", &[&format!("scenario.cpus={}", cores() + 1)]);
        assert!(e.contains("scenario.cpus"), "{e}");
        let e = load_err("[scenario]\nswitches = 1\n", &[]);
        assert!(e.contains("scenario.switches"), "{e}");
        let sets = [
            "scenario.name=\"switch\"".into(),
            "scenario.units=2".into(),
            "scenario.cpus=1".into(),
        ];
        let cfg = load(None, &sets).unwrap();
        assert_eq!((cfg.scenario.switches, cfg.scenario.cpus), (100_000, 1));
    }

    #[test]
    fn a_scenario_brings_its_own_defaults_unless_the_user_set_them() {
        let cfg = load(None, &["scenario.name=switch".into()]).unwrap();
        assert_eq!(cfg.scenario.units, 2, "the switch's two units");
        let main = load(None, &[]).unwrap();
        assert_eq!(main.scenario.units, 100, "other scenarios keep the default");
        // What the user set is kept, and a wrong value is theirs, named where they gave it.
        let e = load(None, &["scenario.name=switch".into(), "scenario.units=3".into()]).unwrap_err();
        assert!(
            e.origin.contains("--set scenario.units=3") && e.key == "scenario.units",
            "{e}"
        );
        let e = load_err("[scenario]\nunits = 3\n", &["scenario.name=switch"]);
        assert!(e.contains("line 2") && e.contains("scenario.units"), "{e}");
        assert!(!e.contains("built-in defaults"), "{e}");
    }

    #[test]
    fn worker_counts_take_cores_and_multiples_of_them() {
        let n = cores();
        let cfg = load(
            None,
            &[
                "cpu.workers=cores".into(),
                "io.workers=3*cores".into(),
                "serve.workers=7".into(),
            ],
        )
        .unwrap();
        assert_eq!(
            (cfg.cpu.workers, cfg.io.workers, cfg.serve.workers),
            (n, 3 * n, 7)
        );
        let cfg = parse("t.toml", "[serve]\nloadgens = \"2*cores\"\n").unwrap();
        assert_eq!(cfg.serve.loadgens, 2 * n);
        let json = serde_json::to_value(&cfg).unwrap();
        assert_eq!(
            json["serve"]["loadgens"],
            2 * n,
            "the report holds the resolved number"
        );
        for bad in ["\"corse\"", "\"x*cores\"", "-2", "2.5"] {
            let e = parse_err(&format!("[cpu]\nworkers = {bad}\n"));
            assert_eq!(e.key, "cpu.workers", "{bad}: {e}");
            assert!(e.message.contains("\"cores\" or \"N*cores\""), "{bad}: {e}");
        }
        let e = load(None, &["cpu.workers=0*cores".into()]).unwrap_err();
        assert!(e.to_string().contains("cpu.workers"), "{e}");
    }

    #[test]
    fn unknown_runtime_lists_the_runtimes() {
        let e = parse_err("[cpu]\nruntime = \"glommio\"\n");
        assert_eq!(e.key, "cpu.runtime");
        for name in ["tokio-current-thread", "tokio-multi-thread", "smol", "async-std"] {
            assert!(e.message.contains(name), "{e}");
        }
    }

    #[test]
    fn out_of_range_values_name_file_key_and_range() {
        let err = load_err("[cpu]\nworkers = 0\n", &[]);
        assert!(
            err.contains("line 2, column 1") && err.contains("`cpu.workers`"),
            "{err}"
        );
        assert!(err.contains("from 1 to 1024 (got 0)"), "{err}");
        let err = load_err("[cpu]\nurls = 0\n", &[]);
        assert!(err.contains("`cpu.urls`") && err.contains("(got 0)"), "{err}");
        let err = load_err("[io]\nendpoints = []\n", &[]);
        assert!(
            err.contains("`io.endpoints`") && err.contains("non-empty list"),
            "{err}"
        );
    }

    #[test]
    fn open_loop_rates_are_checked_against_the_schedule_bound() {
        let err = load_err("[io]\nrate = -5\n", &[]);
        assert!(
            err.contains("`io.rate`") && err.contains("0 (closed loop)") && err.contains("(got -5)"),
            "{err}"
        );
        let err = load_err("[io]\nrequests = 10_000\nrate = 1\n", &[]);
        assert!(
            err.contains("`io.rate`") && err.contains("within 3600 s") && err.contains("10000 s"),
            "{err}"
        );
        let cfg = load(None, &["io.rate=500".into(), "io.requests=2000".into()]).unwrap();
        assert_eq!(cfg.io.rate, 500.0, "an integer rate reads as requests per second");
    }

    #[test]
    fn missing_file_is_named() {
        let e = load(Some(Path::new("/no/such/concbench.toml")), &[]).unwrap_err();
        assert_eq!(e.origin, "/no/such/concbench.toml");
        assert!(e.message.contains("cannot read"), "{e}");
    }

    #[test]
    fn malformed_toml_gives_position() {
        let e = parse_err("[cpu]\nurls = = 3\n");
        assert_eq!(e.position.map(|p| p.0), Some(2));
    }

    #[test]
    fn set_overrides_file_and_reads_toml_or_plain_strings() {
        let sets = [
            "cpu.workers=3",
            "cpu.runtime=smol",
            "cpu.host=example.org:8080",
            "io.endpoints=[\"/get\", \"/status/{i}\"]",
            "cpu.unicode=true",
        ]
        .map(String::from);
        let cfg = load(None, &sets).unwrap();
        assert_eq!(cfg.cpu.workers, 3);
        assert_eq!(cfg.cpu.runtime, AsyncRuntime::Smol);
        assert_eq!(cfg.cpu.host, "example.org:8080");
        assert_eq!(cfg.io.endpoints, ["/get", "/status/{i}"]);
        assert!(cfg.cpu.unicode);
        assert_eq!(
            cfg.cpu.urls,
            CpuConfig::default().urls,
            "untouched keys keep defaults"
        );
    }

    #[test]
    fn bad_set_names_the_argument() {
        let e = load(None, &["cpu.wrkers=3".into()]).unwrap_err();
        assert_eq!(e.origin, "--set cpu.wrkers=3");
        assert!(e.message.contains("unknown field `wrkers`"), "{e}");
        let e = load(None, &["cpu.workers=0".into()]).unwrap_err();
        assert_eq!(
            (e.origin.as_str(), e.key.as_str()),
            ("--set cpu.workers=0", "cpu.workers")
        );
        let e = load(None, &["cpu.urls=lots".into()]).unwrap_err();
        assert_eq!(e.key, "cpu.urls");
        assert!(e.message.contains("invalid type"), "{e}");
        let e = load(None, &["workers=3".into()]).unwrap_err();
        assert!(e.message.contains("section.key=value"), "{e}");
    }

    #[test]
    fn https_target_is_refused_with_the_reason() {
        let e = load(None, &["io.target=https://127.0.0.1:8443".into()]).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("`io.target`") && text.contains("TLS is not supported"),
            "{text}"
        );
        let e = load(None, &["io.target=127.0.0.1:80".into()]).unwrap_err();
        assert!(e.to_string().contains("http://127.0.0.1:8080"), "{e}");
        assert!(load(None, &["io.target=http://localhost:1".into()]).is_ok());
    }

    #[test]
    fn a_chunk_of_zero_is_the_kernels_own_job_size() {
        let c = load(None, &[]).unwrap();
        assert_eq!(c.cpu.chunk, 1_000, "resolved on load, so reports show it");
        let sqrt = load(None, &["cpu.kernel=sqrt-sum".into()]).unwrap();
        assert_eq!(sqrt.cpu.chunk, 64_000);
        let records = load(None, &["cpu.kernel=filter-aggregate".into()]).unwrap();
        assert_eq!(records.cpu.chunk, 32_000);
        let given = load(None, &["cpu.kernel=sqrt-sum".into(), "cpu.chunk=7".into()]).unwrap();
        assert_eq!(given.cpu.chunk, 7, "a chunk given is kept");
        assert_eq!(CpuConfig::default().job_items(), 1_000);
    }

    #[test]
    fn errors_from_the_file_still_name_the_file_when_sets_are_given() {
        let err = load_err("[cpu]\nchunk = -1\n", &["cpu.workers=2"]);
        assert!(
            err.contains(".toml at line 2") && err.contains("`cpu.chunk`"),
            "{err}"
        );
    }
}
