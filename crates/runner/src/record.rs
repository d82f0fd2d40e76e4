//! What a matrix run records: one line of `runs.jsonl` per run (its report, or how it failed),
//! appended as each run ends, so nothing measured is lost when a later run fails or the runner is
//! stopped; and `meta.json`, how the runs were made.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use concbench_core::report::{Family, Report};
use serde::{Deserialize, Serialize};

/// How the runs were made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// The runner's command line.
    pub command: String,
    /// The config file, if one was given.
    pub config: Option<String>,
    /// When the matrix started, RFC 3339 UTC.
    pub started_at: String,
    /// When it ended.
    pub finished_at: String,
    /// True when it was interrupted before the end.
    pub interrupted: bool,
    /// With `runner.repeats = "auto"`: why the rounds stopped (the target was reached, or the
    /// time budget or the round limit ended them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Stopped>,
    /// The chosen reference (`runner.reference` or `--reference`), the baseline of the groups
    /// that hold it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `runner.margin_pct`: the equivalence margin of every faster, slower or tied, %.
    #[serde(default = "default_margin")]
    pub margin_pct: f64,
    /// The `--set`s the matrix was started with (for `--resume`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<String>,
    /// The `--models` it was started with (for `--resume`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only: Vec<String>,
    /// The effective config it read, `{ "models": [cpu] [io] ..., "runner": [runner] }`, written
    /// before the first run, so that `--resume` can refuse a config that changed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<serde_json::Value>,
    /// The commit the runner (and the binaries beside it) was built at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Each measured round ran its jobs in an order drawn anew (runners since the shuffle;
    /// before it, matrix order).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drawn_order: bool,
}

impl Default for Meta {
    fn default() -> Self {
        Self {
            command: String::new(),
            config: None,
            started_at: String::new(),
            finished_at: String::new(),
            interrupted: false,
            stopped: None,
            reference: None,
            margin_pct: DEFAULT_MARGIN_PCT,
            sets: Vec::new(),
            only: Vec::new(),
            effective: None,
            commit: None,
            drawn_order: false,
        }
    }
}

/// Why `repeats = "auto"` ended the rounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Stopped {
    /// As the runner records it.
    Typed(Stop),
    /// As `meta.json` before 2026-12-05 recorded it: a sentence, shown as written.
    Text(String),
}

/// The end of auto rounds, as values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stop {
    /// What ended them.
    pub reason: StopReason,
    /// The measured rounds run.
    pub rounds: usize,
    /// What the pilot planned, once it had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PilotPlan>,
    /// The entries short of their plan when the rounds ended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub short: Vec<ShortOfPlan>,
}

/// What ended the rounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StopReason {
    /// Every entry ran the rounds its pilot planned.
    PlanMet,
    /// `runner.auto.max_rounds`.
    RoundLimit {
        /// The limit.
        limit: usize,
    },
    /// `runner.auto.budget_s`.
    TimeBudget {
        /// The budget, s.
        budget_s: u64,
    },
}

/// The rounds the pilot planned for a target interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PilotPlan {
    /// The pilot's rounds.
    pub pilot: usize,
    /// The fewest rounds planned for an entry.
    pub least: usize,
    /// The most, and the entry they were planned for.
    pub most: usize,
    /// The entry planned the most rounds (when more than the least).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub most_entry: Option<String>,
    /// The interval the plan aims at, ± %.
    pub target_pct: f64,
}

/// An entry that had not run its planned rounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShortOfPlan {
    /// Its label.
    pub entry: String,
    /// The rounds it ran.
    pub done: usize,
    /// The rounds planned.
    pub planned: usize,
}

impl Meta {
    /// The `meta.json` of the run folder `dir`; defaults where it is missing or unreadable (a run
    /// stopped before it was written keeps its `runs.jsonl`).
    pub fn read(dir: &Path) -> Self {
        std::fs::read_to_string(dir.join("meta.json"))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ending {
    /// Exit 0 with a report.
    Ok,
    /// A non-zero exit, a signal, or output that is not a report.
    Failed,
    /// Killed at `run_timeout_s`.
    Timeout,
    /// Stopped because the runner was interrupted.
    Interrupted,
    /// Never started: what it needs is missing (a Python entry without its interpreter).
    #[serde(rename = "could-not-run")]
    CouldNotRun,
}

impl Ending {
    /// The name in `runs.jsonl` and the report's run counts.
    pub fn name(self) -> &'static str {
        match self {
            Ending::Ok => "ok",
            Ending::Failed => "failed",
            Ending::Timeout => "timeout",
            Ending::Interrupted => "interrupted",
            Ending::CouldNotRun => "could-not-run",
        }
    }
}

/// One run of one entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The entry's label.
    pub entry: String,
    /// The model binary.
    pub model: String,
    /// The model's family.
    pub family: Family,
    /// The scenario of the run's config (`main`: the family's workload).
    #[serde(default = "main_scenario")]
    pub scenario: String,
    /// Where the run sits in a `[[runner.sweep]]`, if it is a sweep point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepPoint>,
    /// The entry's group within its family and scenario (e.g. `equal budget`), if it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// An A/A control run: the label of the baseline it runs a second time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// The noise probe just before this run: milliseconds the runner took for a fixed CPU loop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe_ms: Option<f64>,
    /// The repeat number (warm-ups and measured runs counted separately, from 0).
    pub index: usize,
    /// An unmeasured warm-up run.
    pub warmup: bool,
    /// How it ended.
    pub outcome: Ending,
    /// Exit code, when it exited.
    pub exit_code: Option<i32>,
    /// The signal that ended it, when one did.
    pub signal: Option<i32>,
    /// The last lines of its stderr, when it did not succeed.
    pub stderr_tail: Option<String>,
    /// The arguments it ran with.
    pub args: Vec<String>,
    /// From the end of spawning to exit, seconds.
    pub elapsed_s: f64,
    /// The runner's own time around the run, milliseconds: building the command, fork and exec,
    /// reading and parsing the report, building this record (the append that follows is one
    /// `write` of one line).
    pub runner_ms: f64,
    /// The model's report, when it succeeded.
    pub report: Option<Report>,
}

/// A run's place in a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// The x-axis title (sweeps with the same axis share plots).
    pub axis: String,
    /// The swept `section.key`.
    pub key: String,
    /// Its value at this point.
    pub value: f64,
    /// The swept entry's label: one line in the plots.
    pub series: String,
}

/// The scenario of a record or group that names none: the family's own workload.
pub(crate) fn main_scenario() -> String {
    "main".into()
}

/// Whether `scenario` is the family's own workload: `main` (char-encoding for CPU, HTTP for IO)
/// or another CPU kernel (`sqrt-sum`, `filter-aggregate`), as opposed to a task-cost scenario.
pub fn is_workload(scenario: &str) -> bool {
    scenario == "main" || concbench_core::config::CpuKernel::from_name(scenario).is_some()
}

/// Appends records to a `runs.jsonl`, flushing each line.
#[derive(Debug)]
pub struct Log(File);

impl Log {
    /// Opens (creating or appending to) `path`.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let file = File::options()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        Ok(Self(file))
    }

    /// Writes one record as one line.
    pub fn append(&mut self, record: &RunRecord) -> anyhow::Result<()> {
        let mut line = serde_json::to_vec(record).context("serialising a run record")?;
        line.push(b'\n');
        self.0
            .write_all(&line)
            .and_then(|()| self.0.flush())
            .context("appending to runs.jsonl")
    }
}

/// Reads every record of a `runs.jsonl`. A torn last line, what a kill while a run was being
/// appended leaves (no closing newline, not a whole record), is skipped with a warning on
/// stderr; any other line that is not a record is an error naming it.
pub fn read(path: &Path) -> anyhow::Result<Vec<RunRecord>> {
    let (records, torn) = read_all(path)?;
    if let Some(n) = torn {
        eprintln!(
            "warning: {} line {n} is torn (a run cut off while it was written): skipped",
            path.display()
        );
    }
    Ok(records)
}

/// The records of `path`, and the number of its torn last line if it has one.
pub fn read_all(path: &Path) -> anyhow::Result<(Vec<RunRecord>, Option<usize>)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let lines: Vec<&str> = text.split('\n').collect();
    let mut records = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(record) => records.push(record),
            // The last piece has no newline after it: a write that did not finish.
            Err(_) if n + 1 == lines.len() => return Ok((records, Some(n + 1))),
            Err(err) => {
                return Err(err)
                    .with_context(|| format!("{} line {}: not a run record", path.display(), n + 1));
            }
        }
    }
    Ok((records, None))
}

/// `runner.margin_pct`'s default, %.
pub const DEFAULT_MARGIN_PCT: f64 = 2.0;

pub(crate) fn default_margin() -> f64 {
    DEFAULT_MARGIN_PCT
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata;

    fn file_with(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
        let path = dir.path().join("runs.jsonl");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_a_bad_line_elsewhere_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let line = serde_json::to_string(&testdata::ok("cpu-sync", "cpu-sync", 0, 1.0, 100.0, 50.0)).unwrap();
        let whole = format!("{line}\n{line}\n");
        assert_eq!(read_all(&file_with(&dir, &whole)).unwrap().0.len(), 2);
        let torn = format!("{whole}{}", &line[..line.len() / 2]);
        let (records, at) = read_all(&file_with(&dir, &torn)).unwrap();
        assert_eq!((records.len(), at), (2, Some(3)));
        assert_eq!(read(&file_with(&dir, &torn)).unwrap().len(), 2);
        let bad_middle = format!("{line}\n{{\"not\": 1}}\n{line}\n");
        let err = format!("{:#}", read(&file_with(&dir, &bad_middle)).unwrap_err());
        assert!(err.contains("line 2: not a run record"), "{err}");
        // A whole line (it ends with its newline) that is not a record is not torn.
        let bad_last = format!("{line}\n{{\"not\": 1}}\n");
        let err = format!("{:#}", read(&file_with(&dir, &bad_last)).unwrap_err());
        assert!(err.contains("line 2: not a run record"), "{err}");
    }
}
