//! What the runner's integration tests share: the runner and the model binaries beside it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The runner under test.
pub const RUNNER: &str = env!("CARGO_BIN_EXE_runner");

/// The model binaries, beside the runner and up to date
/// (`concbench_core::testing::workspace_bins`).
pub fn bin_dir() -> PathBuf {
    concbench_core::testing::workspace_bins().to_path_buf()
}

/// The runner on `config` (written to a temporary folder) with `extra` arguments, quiet, with
/// the binaries beside it; the temporary folder, the output folder and the command.
pub fn runner(config: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf, Command) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("matrix.toml");
    std::fs::write(&file, config).unwrap();
    let out = tmp.path().join("out");
    let mut cmd = Command::new(RUNNER);
    cmd.args([
        "--config",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--bin-dir",
    ])
    .arg(bin_dir())
    .args(extra);
    (tmp, out, cmd)
}

/// The records of `out/runs.jsonl`, as JSON (none when it is missing).
pub fn records(out: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(out.join("runs.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
