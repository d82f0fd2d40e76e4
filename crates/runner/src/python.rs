//! The Python entries' interpreter: a virtual environment in the build folder, made on first use
//! from `scripts/python/requirements.txt` (with `uv` when it is on the PATH, else
//! `python3 -m venv` and pip), and made again when the requirements change. Where it cannot be
//! made (no python3, no package index), the Python entries are recorded as could-not-run with
//! the reason, and the Rust entries run as ever.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::exec;

/// The bound on making the environment (creating it and installing the packages).
const PROVISION_LIMIT: Duration = Duration::from_secs(600);

/// Where the Python entries' programs are: `CONCBENCH_PY_DIR`, else this checkout's
/// `scripts/python`.
pub fn scripts_dir() -> PathBuf {
    std::env::var_os("CONCBENCH_PY_DIR").map_or_else(
        || {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/python");
            dir.canonicalize().unwrap_or(dir)
        },
        PathBuf::from,
    )
}

/// The interpreter the environment is made from: `CONCBENCH_PYTHON`, else `python3`.
fn base_interpreter() -> String {
    std::env::var("CONCBENCH_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// A usable environment: its interpreter and the programs' folder.
#[derive(Debug, Clone)]
pub struct Python {
    /// The environment's `bin/python`.
    pub exe: PathBuf,
    /// The folder of the `py-*.py` programs.
    pub scripts: PathBuf,
}

impl Python {
    /// The command that runs the Python entry `model`.
    pub fn command(&self, model: &str) -> Command {
        let mut cmd = Command::new(&self.exe);
        cmd.arg(self.scripts.join(format!("{model}.py")));
        cmd
    }
}

/// The environment in `CONCBENCH_PY_ENV`, else `build/concbench-python` (`build`: the folder
/// above the binaries'), made from `CONCBENCH_PYTHON` (else `python3`) or made again when
/// needed; `Err` says why it cannot be had.
pub fn provide(build: &Path, stop: &AtomicBool) -> Result<Python, String> {
    let dir =
        std::env::var_os("CONCBENCH_PY_ENV").map_or_else(|| build.join("concbench-python"), PathBuf::from);
    provide_in(&dir, &base_interpreter(), stop)
}

/// [`provide`] in `dir` from the interpreter `base`.
pub fn provide_in(dir: &Path, base: &str, stop: &AtomicBool) -> Result<Python, String> {
    let scripts = scripts_dir();
    let requirements = scripts.join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let exe = dir.join("venv/bin/python");
    let stamp = dir.join("requirements.installed");
    if exe.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(Python { exe, scripts });
    }
    let mut ask = Command::new(base);
    ask.arg("--version");
    let version =
        run(ask, stop).map_err(|e| format!("no Python interpreter: `{base} --version` failed ({e})"))?;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let venv = dir.join("venv");
    let uv = Command::new("uv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    eprintln!(
        "runner: making the Python entries' environment in {} from {} ({}, with {})",
        venv.display(),
        requirements.display(),
        version.trim(),
        if uv { "uv" } else { "venv and pip" }
    );
    install(uv, base, &venv, &requirements, stop)?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("writing {}: {e}", stamp.display()))?;
    Ok(Python { exe, scripts })
}

/// Creates the environment `venv` from `base` (with uv, or venv and pip) and installs
/// `requirements` into it.
fn install(uv: bool, base: &str, venv: &Path, requirements: &Path, stop: &AtomicBool) -> Result<(), String> {
    let exe = venv.join("bin/python");
    let (mut create, mut fill);
    if uv {
        create = Command::new("uv");
        create.args(["venv", "--quiet", "--python"]).arg(base).arg(venv);
        fill = Command::new("uv");
        fill.args(["pip", "install", "--quiet", "--python"]).arg(&exe);
    } else {
        create = Command::new(base);
        create.args(["-m", "venv"]).arg(venv);
        fill = Command::new(&exe);
        fill.args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]);
    }
    fill.arg("-r").arg(requirements);
    run(create, stop)?;
    run(fill, stop).map(drop)
}

/// Runs one provisioning step within the bound: its stdout, or what went wrong.
fn run(cmd: Command, stop: &AtomicBool) -> Result<String, String> {
    let shown = format!("{cmd:?}");
    let done = exec::run(cmd, PROVISION_LIMIT, stop).map_err(|e| format!("{shown}: {e}"))?;
    match done.code {
        Some(0) => Ok(done.stdout),
        _ if done.timed_out => Err(format!("{shown} took longer than {PROVISION_LIMIT:?}")),
        code => Err(format!(
            "{shown} failed ({}): {}",
            code.map_or("killed".into(), |c| format!("exit {c}")),
            exec::tail(&done.stderr, 3).replace('\n', " ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_interpreter_is_a_reason_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join("env");
        let err = provide_in(&env, "/nonexistent/python3", &AtomicBool::new(false)).unwrap_err();
        assert!(
            err.contains("no Python interpreter") && err.contains("/nonexistent/python3"),
            "{err}"
        );
        assert!(!env.join("venv").exists());
    }
}
