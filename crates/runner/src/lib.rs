//! runner: the whole concbench matrix in one command.
//!
//! It runs the standalone model binaries, so what is measured is exactly what a user runs alone:
//! warm-ups, then repeats, round-robin across the entries of `[runner]`, each run a child
//! process with a time limit. Every run is appended to `runs.jsonl` as it ends; then come the
//! statistics ([`stats`], [`summary`]), the exports ([`export`]: `summary.json`, `summary.csv`,
//! `report.md`), the plots ([`plot`]) and the verdicts ([`verdict`]).
#![deny(missing_docs)]

pub mod exec;
pub mod export;
pub mod findings;
pub mod matrix;
pub mod plot;
pub mod record;
pub mod stats;
pub mod summary;
pub mod table;
pub mod verdict;

#[cfg(test)]
mod testdata;
