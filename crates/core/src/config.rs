//! The one TOML config that every binary reads.
//!
//! Sources, in order: the built-in defaults (equal to `configs/default.toml`), then `--config FILE`,
//! then each `--set section.key=value`. Every error names where the bad value came from (the file
//! with line and column, or the `--set` argument), the key, and what is allowed.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Every model binary this workspace builds, in matrix order.
pub const MODELS: &[&str] = &[
    "cpu-sync",
    "cpu-async",
    "cpu-threads",
    "cpu-procs",
    "io-sync",
    "io-threads",
    "io-tokio",
    "io-smol",
    "io-async-std",
    "io-hybrid",
    "io-procs",
];

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
    /// The background sampler.
    pub sampler: SamplerConfig,
    /// The matrix runner.
    pub runner: RunnerConfig,
}

/// `[cpu]`: the char-encoding workload and how CPU models split it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CpuConfig {
    /// Number of generated URLs (the study used 100,000, about 51 MB of text).
    pub urls: usize,
    /// Seed for the characters mixed in when `unicode` is on; same seed, same URLs.
    pub seed: u64,
    /// Threads (cpu-threads, multi-threaded runtimes) or processes (cpu-procs).
    pub workers: usize,
    /// URLs per task (cpu-async) or per pool job (cpu-threads).
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
            urls: 100_000,
            seed: 42,
            workers: 10,
            chunk: 1_000,
            runtime: AsyncRuntime::TokioCurrentThread,
            unicode: false,
            host: "127.0.0.1:80".into(),
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
    /// Pool size of the thread, hybrid and process models.
    pub workers: usize,
    /// Bound on every request, in milliseconds.
    pub timeout_ms: u64,
    /// Reuse connections.
    pub keep_alive: bool,
    /// What happens to response bodies.
    pub sink: Sink,
    /// How io-hybrid combines async and threads.
    pub hybrid_mode: HybridMode,
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
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        Self {
            name: ScenarioName::Main,
            units: 100,
            sleep_ms: 50,
            threads: ThreadUnits::PerUnit,
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
    /// Each unit builds a vector of the first 1,000,000 squares and checks it.
    Squares,
    /// All units wait at once; the report gives the memory per unit.
    IdleScale,
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
            Self::Squares => "squares",
            Self::IdleScale => "idle-scale",
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

/// `[runner]`: the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunnerConfig {
    /// Entries to run, in order: a model name, or `{ model, set, label }`.
    pub models: Vec<Entry>,
    /// Measured runs per model.
    pub repeats: usize,
    /// Unmeasured runs per model before the repeats.
    pub warmup: usize,
    /// A run that takes longer is killed and recorded as hung.
    pub run_timeout_s: u64,
    /// `[[runner.sweep]]`: entries run at each value of a key instead of once.
    pub sweep: Vec<Sweep>,
    /// Task-cost scenarios every CPU entry runs, one after another in each round (empty: the
    /// `[scenario]` section decides, once). IO entries run their HTTP workload once.
    pub scenarios: Vec<ScenarioName>,
}

/// `[[runner.sweep]]`: run some entries at each of several values of one key (e.g.
/// `io.concurrency` over 1 … 10,000), with other keys stepped in lockstep, and plot the metrics
/// against the value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    /// The swept `section.key` (the plots' x axis).
    pub key: String,
    /// The values, numbers, in order.
    pub values: Vec<toml::Value>,
    /// Labels (or model names) of the entries swept; empty: every entry. An entry that some
    /// sweep names runs only at the sweep's values.
    #[serde(default)]
    pub models: Vec<String>,
    /// Other keys set in lockstep: one value per value of `key` (e.g. `io.requests`, so that
    /// a sweep over concurrency keeps each point's duration in bounds).
    #[serde(default)]
    pub with: std::collections::BTreeMap<String, Vec<toml::Value>>,
    /// The x-axis title; sweeps with the same axis share their plots (default: `key`).
    pub axis: Option<String>,
}

impl Sweep {
    /// The x-axis title.
    pub fn axis(&self) -> String {
        self.axis.clone().unwrap_or_else(|| self.key.clone())
    }

    /// Whether this sweep runs `entry`.
    pub fn covers(&self, entry: &Entry) -> bool {
        self.models.is_empty() || self.models.iter().any(|m| entry.is_named(m))
    }
}

/// One entry of the matrix: a model binary, the keys it overrides, and a label.
///
/// In TOML either a bare model name (`"cpu-sync"`) or a table
/// (`{ model = "cpu-threads", set = { "cpu.workers" = 2 }, label = "cpu-threads-2" }`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// The model binary.
    pub model: String,
    /// `section.key` = value overrides, passed to the model as `--set`.
    pub set: std::collections::BTreeMap<String, toml::Value>,
    /// The name in tables and plots; defaults to the model and its overrides.
    pub label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryTable {
    model: String,
    #[serde(default)]
    set: std::collections::BTreeMap<String, toml::Value>,
    label: Option<String>,
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> serde::de::Visitor<'de> for EntryVisitor {
            type Value = Entry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a model name or a table { model, set, label }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Entry, E> {
                Ok(Entry::model(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Entry, A::Error> {
                let t = EntryTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Entry {
                    model: t.model,
                    set: t.set,
                    label: t.label,
                })
            }
        }
        d.deserialize_any(EntryVisitor)
    }
}

impl Entry {
    /// A bare model with no overrides.
    pub fn model(name: &str) -> Self {
        Self {
            model: name.into(),
            set: Default::default(),
            label: None,
        }
    }

    /// `name` with `set` overrides and a label.
    pub fn with(name: &str, label: &str, set: &[(&str, toml::Value)]) -> Self {
        Self {
            model: name.into(),
            set: set.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            label: Some(label.into()),
        }
    }

    /// The label, or the model followed by its overrides.
    pub fn name(&self) -> String {
        match &self.label {
            Some(label) => label.clone(),
            None if self.set.is_empty() => self.model.clone(),
            None => {
                let sets: Vec<String> = self.set.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{} {}", self.model, sets.join(" "))
            }
        }
    }

    /// Whether `name` picks this entry: its label (or default name) or its model.
    pub fn is_named(&self, name: &str) -> bool {
        name == self.model || name == self.name()
    }

    /// The overrides as `--set` arguments: `section.key=VALUE` with the value written as TOML.
    pub fn set_args(&self) -> Vec<String> {
        self.set.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }
}

/// The study's matrix in Rust terms (= `configs/default.toml`): the CPU family at 100,000 URLs
/// (sync, async on each runtime, threads and processes at 2 and 10 workers) and the IO family
/// (sync, threads at 10/100/1,000, the async runtimes, hybrid at 10/100 threads in both modes,
/// processes).
pub fn default_matrix() -> Vec<Entry> {
    use toml::Value::{Integer as I, String as S};
    let mut m = vec![Entry::model("cpu-sync")];
    for rt in ["tokio-current-thread", "tokio-multi-thread", "smol", "async-std"] {
        m.push(Entry::with(
            "cpu-async",
            &format!("cpu-async {rt}"),
            &[("cpu.runtime", S(rt.into()))],
        ));
    }
    for model in ["cpu-threads", "cpu-procs"] {
        for n in [2, 10] {
            m.push(Entry::with(
                model,
                &format!("{model} {n}"),
                &[("cpu.workers", I(n))],
            ));
        }
    }
    m.push(Entry::model("io-sync"));
    for n in [10, 100, 1000] {
        m.push(Entry::with(
            "io-threads",
            &format!("io-threads {n}"),
            &[("io.workers", I(n))],
        ));
    }
    m.extend(["io-tokio", "io-smol", "io-async-std"].map(Entry::model));
    for (mode, short) in [("loop-per-thread", "loop"), ("blocking-pool", "pool")] {
        for n in [10, 100] {
            let set = [("io.hybrid_mode", S(mode.into())), ("io.workers", I(n))];
            m.push(Entry::with("io-hybrid", &format!("io-hybrid {short} {n}"), &set));
        }
    }
    m.push(Entry::model("io-procs"));
    m
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            models: default_matrix(),
            repeats: 5,
            warmup: 1,
            run_timeout_s: 300,
            sweep: Vec::new(),
            scenarios: Vec::new(),
        }
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
    let (origin, text) = match file {
        Some(path) => (path.display().to_string(), read(path)?),
        None => ("built-in defaults".to_string(), String::new()),
    };
    let config = parse(&origin, &text)?;
    if sets.is_empty() {
        validate(&config).map_err(|(key, message)| ConfigError {
            position: locate(&text, &key),
            origin,
            key,
            message,
        })?;
        return Ok(config);
    }
    let mut table: toml::Table = toml::from_str(&text).expect("text parsed above");
    let mut set_keys = Vec::new();
    for arg in sets {
        set_keys.push((apply_set(&mut table, arg)?, arg.clone()));
    }
    let config = from_table(table, &set_keys)?;
    validate(&config).map_err(|(key, message)| match set_keys.iter().rfind(|(k, _)| *k == key) {
        Some((_, arg)) => set_error(arg, &key, message),
        None => ConfigError {
            position: locate(&text, &key),
            origin,
            key,
            message,
        },
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

fn from_table(table: toml::Table, set_keys: &[(String, String)]) -> Result<Config, ConfigError> {
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
    section_table.insert(field.to_string(), parse_set_value(raw));
    Ok(format!("{section}.{field}"))
}

/// Reads a `--set` value as a TOML value, or as a plain string where it is not valid TOML.
fn parse_set_value(raw: &str) -> toml::Value {
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

type Invalid = (String, String);

fn validate(c: &Config) -> Result<(), Invalid> {
    range("cpu.urls", c.cpu.urls, 1, 10_000_000)?;
    range("cpu.workers", c.cpu.workers, 1, 1024)?;
    range("cpu.chunk", c.cpu.chunk, 1, 10_000_000)?;
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
    range("scenario.units", c.scenario.units, 1, 10_000_000)?;
    range("scenario.sleep_ms", c.scenario.sleep_ms, 0, 600_000)?;
    range("sampler.interval_ms", c.sampler.interval_ms, 1, 60_000)?;
    range("runner.repeats", c.runner.repeats, 1, 10_000)?;
    range("runner.warmup", c.runner.warmup, 0, 1_000)?;
    range("runner.run_timeout_s", c.runner.run_timeout_s, 1, 86_400)?;
    let mut names = std::collections::BTreeSet::new();
    for entry in &c.runner.models {
        let model = &entry.model;
        check(
            "runner.models",
            MODELS.contains(&model.as_str()),
            &format!("model names from: {} (got \"{model}\")", MODELS.join(", ")),
        )?;
        let name = entry.name();
        check(
            "runner.models",
            names.insert(name.clone()),
            &format!("distinct labels (\"{name}\" twice)"),
        )?;
        for key in entry.set.keys() {
            check(
                "runner.models",
                key.split_once('.')
                    .is_some_and(|(s, k)| !s.is_empty() && !k.is_empty() && s != "runner"),
                &format!("`set` keys of the form section.key outside [runner] (got \"{key}\" in \"{name}\")"),
            )?;
        }
    }
    for (n, sweep) in c.runner.sweep.iter().enumerate() {
        validate_sweep(c, n + 1, sweep)?;
    }
    Ok(())
}

fn validate_sweep(c: &Config, n: usize, sweep: &Sweep) -> Result<(), Invalid> {
    let key = "runner.sweep";
    let is_key = |k: &str| {
        k.split_once('.')
            .is_some_and(|(s, f)| !s.is_empty() && !f.is_empty() && s != "runner")
    };
    check(
        key,
        is_key(&sweep.key),
        &format!(
            "`key` of the form section.key outside [runner] (got \"{}\" in sweep {n})",
            sweep.key
        ),
    )?;
    check(
        key,
        (1..=100).contains(&sweep.values.len())
            && sweep.values.iter().all(|v| v.is_integer() || v.is_float()),
        &format!("`values`: 1 to 100 numbers (sweep {n}, key {})", sweep.key),
    )?;
    for (k, values) in &sweep.with {
        check(
            key,
            is_key(k) && *k != sweep.key,
            &format!(
                "`with` keys of the form section.key outside [runner], other than `key` (got \"{k}\" in sweep {n})"
            ),
        )?;
        check(
            key,
            values.len() == sweep.values.len(),
            &format!(
                "`with` lists as long as `values` ({} values; \"{k}\" has {} in sweep {n})",
                sweep.values.len(),
                values.len()
            ),
        )?;
    }
    for m in &sweep.models {
        check(
            key,
            c.runner.models.iter().any(|e| e.is_named(m)),
            &format!("`models` naming entries of runner.models (\"{m}\" in sweep {n} is none)"),
        )?;
    }
    Ok(())
}

fn range<T: PartialOrd + fmt::Display>(key: &str, value: T, min: T, max: T) -> Result<(), Invalid> {
    let allowed = format!("an integer from {min} to {max} (got {value})");
    check(key, value >= min && value <= max, &allowed)
}

fn check(key: &str, ok: bool, allowed: &str) -> Result<(), Invalid> {
    if ok {
        Ok(())
    } else {
        Err((key.to_string(), format!("expected {allowed}")))
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
        let file = tempfile_dir().join(format!("{:x}.toml", text.len() * 7919 + sets.len()));
        std::fs::write(&file, text).unwrap();
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let err = load(Some(&file), &sets).unwrap_err().to_string();
        assert!(
            err.contains(&file.display().to_string()) || err.contains("--set"),
            "{err}"
        );
        err
    }

    #[test]
    fn every_shipped_config_parses_and_default_equals_builtin() {
        let mut seen = 0;
        for entry in std::fs::read_dir(configs_dir()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let cfg = load(Some(&path), &[]).unwrap_or_else(|e| panic!("{e}"));
                if path.file_name().unwrap() == "default.toml" {
                    assert_eq!(
                        cfg,
                        Config::default(),
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
            e.message.contains("`cpu`, `io`, `scenario`, `sampler`, `runner`"),
            "lists what is allowed: {e}"
        );
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
        let err = load_err("[runner]\nmodels = [\"cpu-gpu\"]\n", &[]);
        assert!(
            err.contains("`runner.models`") && err.contains("cpu-sync") && err.contains("cpu-gpu"),
            "{err}"
        );
    }

    #[test]
    fn sweeps_are_checked_and_name_what_is_wrong() {
        let base = "[runner]\nmodels = [\"cpu-sync\", \"io-tokio\"]\n[[runner.sweep]]\n";
        for (sweep, wanted) in [
            ("key = \"runner.repeats\"\nvalues = [1]\n", "outside [runner]"),
            ("key = \"io.concurrency\"\nvalues = []\n", "1 to 100 numbers"),
            (
                "key = \"io.concurrency\"\nvalues = [\"ten\"]\n",
                "1 to 100 numbers",
            ),
            (
                "key = \"io.concurrency\"\nvalues = [1, 10]\nwith = { \"io.requests\" = [5] }\n",
                "\"io.requests\" has 1",
            ),
            (
                "key = \"io.concurrency\"\nvalues = [1]\nmodels = [\"io-smol\"]\n",
                "\"io-smol\" in sweep 1 is none",
            ),
            ("key = \"io.concurrency\"\nvalue = [1]\n", "value"),
        ] {
            let err = load_err(&format!("{base}{sweep}"), &[]);
            assert!(err.contains(wanted), "{sweep}: {err}");
        }
        let ok = format!("{base}key = \"io.concurrency\"\nvalues = [1, 10.5]\nmodels = [\"io-tokio\"]\n");
        let dir = tempfile_dir();
        let file = dir.join("sweep-ok.toml");
        std::fs::write(&file, ok).unwrap();
        let cfg = load(Some(&file), &[]).unwrap();
        let sweep = &cfg.runner.sweep[0];
        assert_eq!(
            (sweep.axis(), sweep.values.len()),
            ("io.concurrency".to_string(), 2)
        );
        assert!(sweep.covers(&Entry::model("io-tokio")) && !sweep.covers(&Entry::model("cpu-sync")));
    }

    #[test]
    fn runner_scenarios_take_scenario_names() {
        let err = load_err("[runner]\nscenarios = [\"spawn-only\", \"nap\"]\n", &[]);
        assert!(err.contains("nap") && err.contains("spawn-only"), "{err}");
    }

    /// This test process's folder for config files.
    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("concbench-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
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
    fn errors_from_the_file_still_name_the_file_when_sets_are_given() {
        let err = load_err("[cpu]\nchunk = 0\n", &["cpu.workers=2"]);
        assert!(
            err.contains(".toml at line 2") && err.contains("`cpu.chunk`"),
            "{err}"
        );
    }
}
