//! What the runner's integration tests share: the runner and the model binaries beside it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

/// The runner under test.
pub const RUNNER: &str = env!("CARGO_BIN_EXE_runner");

/// The model binaries next to the runner. `cargo test --workspace` (the README's command) builds
/// them fresh before any test runs. A nested `cargo build` here is only a fallback for a tree
/// where they are missing: with the test profile's other feature set it rebuilds much of the
/// workspace. After `cargo test -p runner` alone, run `cargo build --workspace --bins` first.
pub fn bin_dir() -> PathBuf {
    static BUILD: Once = Once::new();
    let dir = Path::new(RUNNER).parent().unwrap().to_path_buf();
    BUILD.call_once(|| {
        if ["cpu-sync", "io-sync", "bench-server"]
            .iter()
            .any(|b| !dir.join(b).is_file())
        {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let out = Command::new(cargo)
                .args(["build", "--workspace", "--bins"])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "building the model binaries: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    });
    dir
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
