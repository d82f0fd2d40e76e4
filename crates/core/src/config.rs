//! The one TOML config that every binary reads.
//!
//! Sources, in order: the built-in defaults (equal to `configs/default.toml`), then `--config FILE`,
//! then each `--set section.key=value`. Every error names where the bad value came from (the file
//! with line and column, or the `--set` argument), the key, and what is allowed.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use crate::catalogue::{Family, Kind, MODELS};

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

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            connections: 100,
            round_trips: 10,
            message_bytes: 64,
            think_ms: 0,
            work_ms: 0,
            hold_ms: 0,
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
    /// The HTTP clients' buffer size per connection, KiB: hyper's read buffer (exactly this
    /// size) and ureq's input and output buffers. 0: each library's own default, as a user gets
    /// it (hyper's adaptive read buffer from 8 KiB, ureq's 128 KiB).
    pub buffer_kib: usize,
    /// Open-loop load: requests per second on a fixed schedule (request `i` is due `i / rate`
    /// seconds after the first), whatever the responses do. 0: closed loop, each slot sends its
    /// next request as soon as its last one is answered.
    pub rate: f64,
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
            buffer_kib: 0,
            rate: 0.0,
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

/// A config error: where it came from, which key, what is wrong and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, `--set ...` argument, or "built-in defaults".
    pub origin: String,
    /// Line and column (1-based) in the file, where known.
    pub position: Option<(usize, usize)>,
    /// The dotted key, e.g. `cpu.workers`; empty when the whole file is at fault.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "config error in {}", self.origin)?;
        if let Some((line, col)) = self.position {
            write!(f, " at line {line}, column {col}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": key `{}`", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Loads the config: defaults, then `file` if given, then each `key=value` override.
pub fn load(file: Option<&Path>, sets: &[String]) -> Result<Config, ConfigError> {
    let mut config: Config = load_as(file, sets, validate)?;
    config.cpu.chunk = config.cpu.job_items();
    Ok(config)
}

/// Loads the sections that `T` reads from the shared file (the runner reads `[runner]` this
/// way), then checks them with `validate`; errors name the file with line and column, or the
/// `--set` argument, as [`load`]'s do. `T` ignores the sections it does not name.
pub fn load_as<T: DeserializeOwned>(
    file: Option<&Path>,
    sets: &[String],
    validate: impl Fn(&T) -> Result<(), Invalid>,
) -> Result<T, ConfigError> {
    let (origin, text) = match file {
        Some(path) => (path.display().to_string(), read(path)?),
        None => ("built-in defaults".to_string(), String::new()),
    };
    let config: T = parse_as(&origin, &text)?;
    let mut set_keys = Vec::new();
    let config = if sets.is_empty() {
        config
    } else {
        let mut table: toml::Table = toml::from_str(&text).expect("text parsed above");
        for arg in sets {
            set_keys.push((apply_set(&mut table, arg)?, arg.clone()));
        }
        from_table(table, &set_keys)?
    };
    validate(&config).map_err(|Invalid { key, message }| {
        match set_keys.iter().rfind(|(k, _)| *k == key) {
            Some((_, arg)) => set_error(arg, &key, message),
            None => ConfigError {
                position: locate(&text, &key),
                origin,
                key,
                message,
            },
        }
    })?;
    Ok(config)
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError {
        origin: path.display().to_string(),
        position: None,
        key: String::new(),
        message: format!("cannot read the file: {e}"),
    })
}

/// Parses TOML text into a config, naming `origin` in errors.
pub fn parse(origin: &str, text: &str) -> Result<Config, ConfigError> {
    parse_as(origin, text)
}

fn parse_as<T: DeserializeOwned>(origin: &str, text: &str) -> Result<T, ConfigError> {
    let error = |key: String, e: toml::de::Error| ConfigError {
        origin: origin.to_string(),
        position: e.span().map(|span| line_col(text, span.start)),
        key,
        message: e.message().trim().to_string(),
    };
    let de = toml::Deserializer::parse(text).map_err(|e| error(String::new(), e))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = path_key(e.path());
        error(key, e.into_inner())
    })
}

fn from_table<T: DeserializeOwned>(
    table: toml::Table,
    set_keys: &[(String, String)],
) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
        let key = path_key(e.path());
        let arg = set_keys
            .iter()
            .rfind(|(k, _)| key.starts_with(k.as_str()) || k.starts_with(key.as_str()))
            .or(set_keys.last())
            .map(|(_, arg)| arg.clone())
            .unwrap_or_default();
        set_error(&arg, &key, e.into_inner().message().trim().to_string())
    })
}

fn set_error(arg: &str, key: &str, message: String) -> ConfigError {
    ConfigError {
        origin: format!("--set {arg}"),
        position: None,
        key: key.to_string(),
        message,
    }
}

fn path_key(path: &serde_path_to_error::Path) -> String {
    let key = path.to_string();
    if key == "." { String::new() } else { key }
}

/// Applies one `section.key=value` to the table; returns the dotted key.
fn apply_set(table: &mut toml::Table, arg: &str) -> Result<String, ConfigError> {
    let usage = |message: &str| set_error(arg, "", message.to_string());
    let (key, raw) = arg
        .split_once('=')
        .ok_or_else(|| usage("expected section.key=value"))?;
    let (section, field) = key
        .trim()
        .split_once('.')
        .filter(|(s, f)| !s.is_empty() && !f.is_empty() && !f.contains('.'))
        .ok_or_else(|| usage("expected section.key=value, e.g. cpu.workers=4"))?;
    let entry = table
        .entry(section.to_string())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let toml::Value::Table(section_table) = entry else {
        return Err(usage("that section is not a table"));
    };
    section_table.insert(field.to_string(), set_value(raw));
    Ok(format!("{section}.{field}"))
}

/// Reads a `--set` value as a TOML value, or as a plain string where it is not valid TOML.
/// A `--set` value: TOML when it parses as TOML (`2`, `true`, `[1, 2]`), else a plain string.
pub fn set_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Where `section.key` is written in `text`, if it is.
fn locate(text: &str, key: &str) -> Option<(usize, usize)> {
    let (section, field) = key.split_once('.')?;
    let doc = toml::de::DeTable::parse(text).ok()?;
    let section = doc.get_ref().get(section)?.get_ref().as_table()?;
    let (name, _) = section.get_key_value(field)?;
    Some(line_col(text, name.span().start))
}

/// A value that parsed but is not allowed: its dotted key and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The dotted key, e.g. `cpu.workers`.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

/// The highest `io.rate`, requests per second.
const MAX_RATE: f64 = 1_000_000.0;
/// The longest open-loop schedule, `io.requests / io.rate`, seconds.
const MAX_SCHEDULE_S: f64 = 3600.0;

fn validate(c: &Config) -> Result<(), Invalid> {
    range("cpu.urls", c.cpu.urls, 1, 10_000_000)?;
    range("cpu.passes", c.cpu.passes, 1, 10_000)?;
    range("cpu.workers", c.cpu.workers, 1, 1024)?;
    range("cpu.chunk", c.cpu.chunk, 0, 1_000_000_000)?;
    range("cpu.numbers", c.cpu.numbers, 1, 100_000_000_000)?;
    range("cpu.records", c.cpu.records, 1, 100_000_000)?;
    check(
        "cpu.host",
        !c.cpu.host.is_empty() && !c.cpu.host.contains(['/', '?', ' ']),
        "a non-empty host[:port] without '/', '?' or spaces",
    )?;
    check(
        "io.target",
        !c.io.target.starts_with("https://"),
        "\"spawn\" or an http:// base URL: TLS is not supported, so https:// targets cannot be used",
    )?;
    check(
        "io.target",
        c.io.target == "spawn" || c.io.target.starts_with("http://") && c.io.target.len() > "http://".len(),
        "\"spawn\" or a base URL such as \"http://127.0.0.1:8080\"",
    )?;
    range("io.requests", c.io.requests, 1, 10_000_000)?;
    check(
        "io.endpoints",
        !c.io.endpoints.is_empty() && c.io.endpoints.iter().all(|e| e.starts_with('/')),
        "a non-empty list of paths that start with '/'",
    )?;
    range("io.concurrency", c.io.concurrency, 1, 1_000_000)?;
    range("io.workers", c.io.workers, 1, 1_000_000)?;
    range("io.timeout_ms", c.io.timeout_ms, 1, 3_600_000)?;
    range("io.buffer_kib", c.io.buffer_kib, 0, 1024)?;
    check(
        "io.rate",
        c.io.rate == 0.0 || c.io.rate.is_finite() && c.io.rate > 0.0 && c.io.rate <= MAX_RATE,
        &format!(
            "0 (closed loop) or requests per second above 0, at most {MAX_RATE} (got {})",
            c.io.rate
        ),
    )?;
    check(
        "io.rate",
        c.io.rate == 0.0 || c.io.requests as f64 / c.io.rate <= MAX_SCHEDULE_S,
        &format!(
            "a rate at which io.requests ({}) are all due within {MAX_SCHEDULE_S} s (got {} req/s: {:.0} s)",
            c.io.requests,
            c.io.rate,
            c.io.requests as f64 / c.io.rate
        ),
    )?;
    range("scenario.units", c.scenario.units, 1, 10_000_000)?;
    range("scenario.sleep_ms", c.scenario.sleep_ms, 0, 600_000)?;
    range("scenario.rows", c.scenario.rows, 1, 1_000_000)?;
    range("scenario.file_bytes", c.scenario.file_bytes, 1, 1 << 30)?;
    check(
        "scenario.data",
        c.scenario.data.is_empty() || !Path::new(&c.scenario.data).exists(),
        &format!(
            "\"\" (a temporary file) or the path of a file that does not exist yet (got \"{}\", which exists)",
            c.scenario.data
        ),
    )?;
    check(
        "scenario.async_units",
        c.scenario.async_units == AsyncUnits::Spawned || c.scenario.name == ScenarioName::IdleScale,
        "\"spawned\", or \"futures\" with scenario.name = \"idle-scale\" (the only scenario with unspawned units)",
    )?;
    range("serve.connections", c.serve.connections, 1, 100_000)?;
    range("serve.round_trips", c.serve.round_trips, 1, 1_000_000)?;
    range("serve.message_bytes", c.serve.message_bytes, 1, 1 << 20)?;
    range("serve.think_ms", c.serve.think_ms, 0, 60_000)?;
    range("serve.work_ms", c.serve.work_ms, 0, 60_000)?;
    range("serve.hold_ms", c.serve.hold_ms, 0, 600_000)?;
    range("serve.workers", c.serve.workers, 1, 10_000)?;
    range("serve.timeout_ms", c.serve.timeout_ms, 1, 3_600_000)?;
    range("serve.loadgens", c.serve.loadgens, 1, 16)?;
    range("sampler.interval_ms", c.sampler.interval_ms, 1, 60_000)?;
    Ok(())
}

/// `value` lies in `min..=max`, else an [`Invalid`] for `key` naming the range.
pub fn range<T: PartialOrd + fmt::Display>(key: &str, value: T, min: T, max: T) -> Result<(), Invalid> {
    let allowed = format!("an integer from {min} to {max} (got {value})");
    check(key, value >= min && value <= max, &allowed)
}

/// `ok`, else an [`Invalid`] for `key`: "expected {allowed}".
pub fn check(key: &str, ok: bool, allowed: &str) -> Result<(), Invalid> {
    if ok {
        Ok(())
    } else {
        Err(Invalid {
            key: key.to_string(),
            message: format!("expected {allowed}"),
        })
    }
}

/// The config as JSON, for the `config` field of a report.
pub fn to_json(config: &Config) -> serde_json::Value {
    serde_json::to_value(config).expect("a config always serializes")
}

/// Path of the workspace's `configs/` folder (for tests and tools run from the source tree).
pub fn configs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs")
}

#[cfg(test)]
mod tests {
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
                .contains("`cpu`, `io`, `scenario`, `serve`, `sampler`, `runner`"),
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
