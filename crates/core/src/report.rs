//! The run report (schema_version 1): the one JSON document a model binary prints on stdout.
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

/// The version of the report layout this build writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A model family: the models that do the same work and are compared with each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// CPU-bound: char-encoding and the task-cost scenarios.
    Cpu,
    /// IO-bound: HTTP.
    Io,
}

impl Family {
    /// Every family, in report order.
    pub const ALL: [Family; 2] = [Family::Cpu, Family::Io];

    /// The name in reports, config sections and file names: `cpu` or `io`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Cpu => "cpu",
            Family::Io => "io",
        }
    }

    /// The family of the model binary `model`, when it is one of [`crate::config::MODELS`].
    pub fn of_model(model: &str) -> Option<Family> {
        crate::config::MODELS
            .iter()
            .find(|(name, _)| *name == model)
            .map(|(_, family)| *family)
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One run of one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Layout version; 1.
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
    /// CPU use over the measured window.
    pub cpu: CpuStats,
    /// Memory over the measured window.
    pub memory: MemoryStats,
    /// Threads over the measured window.
    pub threads: ThreadStats,
    /// Processes over the measured window.
    pub processes: ProcessStats,
    /// Number of sampler samples taken.
    pub samples: u64,
    /// What the measuring cost.
    pub sampler: SamplerCost,
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
    /// Every other status and every error.
    pub failed: u64,
    /// Responses by status code.
    pub status: std::collections::BTreeMap<String, u64>,
    /// Errors by kind: connect, timeout, reset, other.
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
}

impl UnitStats {
    /// Fills in the time per unit over `wall_s` seconds.
    pub fn set_per_unit(&mut self, wall_s: Seconds) {
        if self.count > 0 {
            self.per_unit_us = wall_s * 1e6 / self.count as f64;
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
    /// Slowest.
    pub max: f64,
}

/// CPU use over the measured window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CpuStats {
    /// CPU time of the process tree (the process and its waited-for children) over wall time,
    /// in % of one core: exact, from the kernel's accounting, not from samples.
    pub process_avg_pct: Percent,
    /// Highest sampled process-tree CPU over one sampler interval, % of one core.
    pub process_max_pct: Percent,
    /// Whole-machine CPU averaged over the window, % of all cores.
    pub system_avg_pct: Percent,
    /// Highest sampled whole-machine CPU, % of all cores.
    pub system_max_pct: Percent,
}

/// Resident memory of the process tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemoryStats {
    /// Highest sampled resident set, summed over the process tree, MiB.
    pub rss_peak_mib: Mib,
    /// Mean sampled resident set, MiB.
    pub rss_avg_mib: Mib,
}

/// Threads of the process tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadStats {
    /// Most threads seen at once, the sampler's own thread included.
    pub peak: u64,
}

/// Processes of the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessStats {
    /// Most processes seen at once, the model's own included.
    pub peak: u64,
}

/// The sampler's own cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SamplerCost {
    /// Milliseconds between samples.
    pub interval_ms: u64,
    /// CPU time the sampler thread used, seconds.
    pub cpu_s: Seconds,
    /// That CPU time over wall time, % of one core.
    pub overhead_pct: Percent,
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
    /// Total memory, MiB.
    pub mem_total_mib: u64,
    /// Host name.
    pub host: String,
    /// `rustc --version` of the build.
    pub rustc: String,
    /// Commit of the build, with `-dirty` when the tree had changes; `unknown` outside git.
    pub git_sha: String,
    /// Cargo profile: `release` or `debug`.
    pub profile: String,
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
    /// `UPDATE_SCHEMA=1 cargo test -p concbench-core schema`.
    #[test]
    fn committed_schema_matches_the_types() {
        let generated = serde_json::to_string_pretty(&schema()).unwrap() + "\n";
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(SCHEMA_FILE, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(SCHEMA_FILE).expect("schema/report.schema.json");
        assert_eq!(
            committed, generated,
            "schema drifted: rerun with UPDATE_SCHEMA=1 and review"
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err =
            serde_json::from_str::<Work>(r#"{"units":1,"bytes":2,"checksum":"x","extra":0}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `extra`"), "{err}");
    }
}
