//! The Python entries' interpreters: a virtual environment in the build folder per interpreter
//! (`py.python`), made on first use from `scripts/python/requirements.txt`, every package
//! checked against its pinned hashes (with `uv` when it is on the PATH, else `venv` and pip), and
//! made again when the requirements or the interpreter change. Where one cannot be made (no such
//! interpreter, no package index), its Python entries are recorded as could-not-run with the
//! reason, and the other entries run as ever.

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

/// The run's default interpreter: `CONCBENCH_PYTHON`, else `python3`.
fn base_interpreter() -> String {
    std::env::var("CONCBENCH_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// True when `spec` names a version (`3.13`, `3.13t` for a free-threaded build).
fn is_version(spec: &str) -> bool {
    let digits = spec.strip_suffix('t').unwrap_or(spec);
    digits.split('.').count() == 2
        && digits
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The interpreter `py.python` names: empty, the run's default; a version `X.Y` (or `X.Yt`),
/// `pythonX.Y` on the PATH when it answers, else the newest `X.Y.*` under pyenv's versions
/// (`$PYENV_ROOT`, else `~/.pyenv`); anything else, a command or a path as given. `Err` says
/// where a version was looked for.
pub fn resolve(spec: &str, stop: &AtomicBool) -> Result<String, String> {
    if spec.is_empty() {
        return Ok(base_interpreter());
    }
    if !is_version(spec) {
        return Ok(spec.to_string());
    }
    let name = format!("python{spec}");
    let mut ask = Command::new(&name);
    ask.arg("--version");
    if run(ask, stop).is_ok() {
        return Ok(name);
    }
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")))
        .unwrap_or_else(|| PathBuf::from("/nonexistent"));
    in_pyenv(spec, &root.join("versions"))
}

/// The newest interpreter of version `spec` (`X.Y` or `X.Yt`) in pyenv's `versions` folder:
/// `versions/X.Y.Z[t]/bin/pythonX.Y[t]`.
fn in_pyenv(spec: &str, versions: &Path) -> Result<String, String> {
    let name = format!("python{spec}");
    let (digits, free) = (spec.trim_end_matches('t'), spec.ends_with('t'));
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(versions)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|d| {
            let dir = d.file_name().to_string_lossy().into_owned();
            let patch = dir.strip_prefix(digits)?.strip_prefix('.')?;
            let patch = match free {
                true => patch.strip_suffix('t')?,
                false => patch,
            };
            let exe = d.path().join("bin").join(&name);
            Some((patch.parse::<u32>().ok()?, exe)).filter(|(_, exe)| exe.is_file())
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, exe)| exe.display().to_string())
        .ok_or_else(|| {
            format!(
                "no Python {spec} here: `{name}` does not answer on the PATH and {} holds no {digits}.*{}",
                versions.display(),
                if free { "t" } else { "" }
            )
        })
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

/// The environment of the interpreter `spec` names ([`resolve`]): in `CONCBENCH_PY_ENV`, else
/// `build/concbench-python` (`build`: the folder above the binaries'), with `-{spec}` added for
/// an interpreter named in the config; made, or made again when needed. `Err` says why it
/// cannot be had.
pub fn provide(build: &Path, spec: &str, stop: &AtomicBool) -> Result<Python, String> {
    let mut dir =
        std::env::var_os("CONCBENCH_PY_ENV").map_or_else(|| build.join("concbench-python"), PathBuf::from);
    if !spec.is_empty() {
        let slug: String = spec
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut name = dir.file_name().unwrap_or_default().to_os_string();
        name.push(format!("-{slug}"));
        dir.set_file_name(name);
    }
    provide_in(&dir, &resolve(spec, stop)?, stop)
}

/// [`provide`] in `dir` from the interpreter `base`.
pub fn provide_in(dir: &Path, base: &str, stop: &AtomicBool) -> Result<Python, String> {
    let scripts = scripts_dir();
    let requirements = scripts.join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let exe = dir.join("venv/bin/python");
    let stamp = dir.join("requirements.installed");
    let mut ask = Command::new(base);
    ask.arg("--version");
    let version =
        run(ask, stop).map_err(|e| format!("no Python interpreter: `{base} --version` failed ({e})"))?;
    // The stamp holds what was installed and from which interpreter, so a changed one is made again.
    let wanted = format!("{wanted}\n# from {base}: {}\n", version.trim());
    if exe.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(Python { exe, scripts });
    }
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
        fill.args(["pip", "install", "--quiet", "--require-hashes", "--python"])
            .arg(&exe);
    } else {
        create = Command::new(base);
        create.args(["-m", "venv"]).arg(venv);
        fill = Command::new(&exe);
        fill.args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--require-hashes",
        ]);
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
    fn a_version_is_told_from_a_command() {
        for spec in ["3.13", "3.13t", "3.9", "10.0"] {
            assert!(is_version(spec), "{spec}");
        }
        for spec in [
            "python3",
            "3",
            "3.13.1",
            "/usr/bin/python3.13",
            "3.t",
            ".13",
            "3.13tt",
        ] {
            assert!(!is_version(spec), "{spec}");
        }
    }

    #[test]
    fn a_version_is_found_under_pyenv_newest_patch_first_and_free_threaded_apart() {
        let root = tempfile::tempdir().unwrap();
        let make = |dir: &str, exe: &str| {
            let bin = root.path().join(dir).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(bin.join(exe), "").unwrap();
        };
        make("3.13.2", "python3.13");
        make("3.13.10", "python3.13");
        make("3.13.11t", "python3.13t");
        make("3.130.1", "python3.130");
        std::fs::create_dir_all(root.path().join("3.13.12/bin")).unwrap(); // no interpreter in it
        let found = |spec: &str| in_pyenv(spec, root.path());
        assert_eq!(
            found("3.13").unwrap(),
            root.path().join("3.13.10/bin/python3.13").display().to_string()
        );
        assert_eq!(
            found("3.13t").unwrap(),
            root.path().join("3.13.11t/bin/python3.13t").display().to_string()
        );
        let err = found("3.14").unwrap_err();
        assert!(
            err.starts_with("no Python 3.14 here") && err.contains("3.14.*"),
            "{err}"
        );
        assert!(found("3.12t").is_err());
    }

    #[test]
    fn a_missing_version_is_could_not_run_with_where_it_was_looked_for() {
        let err = provide(Path::new("/nonexistent"), "2.1", &AtomicBool::new(false)).unwrap_err();
        assert!(
            err.starts_with("no Python 2.1 here: `python2.1` does not answer"),
            "{err}"
        );
    }

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
