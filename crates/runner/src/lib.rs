//! runner: the whole concbench matrix in one command.
//!
//! It runs the standalone model binaries, so what is measured is exactly what a user runs alone:
//! warm-ups, then repeats, round-robin across the entries of `[runner]`, each run a child
//! process with a time limit. Every run is appended to `runs.jsonl` as it ends; then come the
//! statistics ([`stats`], [`summary`]) of the metrics ([`metric`]), and the exports ([`export`]:
//! `summary.json`, `summary.csv`, `report.md` with its verdicts ([`verdict`]) and findings
//! ([`findings`]), open-loop load ([`openloop`]), and the plots), every number formatted by
//! [`format`].
//!
//! Where things live: the `[runner]` config in [`config`]; what runs in which order in
//! [`schedule`]; running it in [`matrix`] (one child per run: [`exec`]); `runs.jsonl` in
//! [`record`]; the closing terminal table in [`table`].
#![deny(missing_docs)]

pub mod compare;
pub mod conclusions;
pub mod config;
pub mod exec;
pub mod export;
pub mod findings;
pub mod format;
pub mod matrix;
pub mod merge;
pub mod metric;
pub mod noise;
pub mod openloop;
pub mod python;
pub mod ranking;
pub mod record;
pub mod resume;
pub mod schedule;
pub mod stats;
pub mod summary;
pub mod table;
pub mod verdict;
pub mod words;

/// A command-line argument that names nothing the config holds (`--models`, `--reference`):
/// like a config error, the user's to mend, so the runner exits 2 naming what was given.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

impl UsageError {
    /// `asked` (e.g. "--models x matches") names no entry of `runner.models`: said with the
    /// entries it could have named.
    pub fn no_entry(asked: &str, runner: &config::RunnerConfig) -> Self {
        let names: Vec<String> = runner.models.iter().map(config::Entry::name).collect();
        UsageError(format!(
            "{asked} no entry of runner.models ({})",
            names.join(", ")
        ))
    }
}

#[cfg(test)]
mod testdata;
