//! concbench-cpu: the CPU family's workloads and the wrapper its models share.
//!
//! - [`kernel`]: the three kernels' inputs and tallies (char-encoding's URLs in [`urls`]).
//! - [`units`]: the task-cost scenarios' units (the SQLite ones in [`sqlite`], file reads in
//!   [`files`]; the switch between two units in [`switch`]).
//! - [`model`]: [`CpuModel`], the hooks a CPU model implements, and [`Cpu`], its harness model.
//! - [`testing`]: the contracts every CPU model's integration tests run.
//!
//! A CPU model binary is `fn main() -> ExitCode { harness::main::<Cpu<MyModel>>() }`. The IO
//! and serving families do not link this crate (nor SQLite).
#![deny(missing_docs)]

pub mod files;
pub mod kernel;
pub mod model;
pub mod sqlite;
pub mod switch;
pub mod testing;
pub mod units;
pub mod urls;

pub use model::{Cpu, CpuModel, UnitRun};

/// Where a scenario's data goes: `scenario.data` when set, else a new temporary folder named
/// `concbench-{prefix}-…` (removed when the returned guard drops).
pub fn data_place(
    cfg: &concbench_core::Config,
    prefix: &str,
) -> anyhow::Result<(std::path::PathBuf, Option<tempfile::TempDir>)> {
    use anyhow::Context;
    if !cfg.scenario.data.is_empty() {
        return Ok((std::path::PathBuf::from(&cfg.scenario.data), None));
    }
    let dir = tempfile::Builder::new()
        .prefix(&format!("concbench-{prefix}-"))
        .tempdir()
        .with_context(|| format!("creating a temporary folder for the {prefix} scenario's data"))?;
    Ok((dir.path().to_owned(), Some(dir)))
}

static FAILURE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Records a unit's failure (the first is kept); the run fails with it once the units are done.
pub fn fail(message: String) {
    let _ = FAILURE.set(message);
}

/// The first unit failure of this process, if any.
pub fn failure() -> Option<&'static str> {
    FAILURE.get().map(String::as_str)
}
