//! Helpers for the integration tests of the model crates: run a real binary with a bound on its
//! time, parse its report, write config files and check config errors.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::report::Report;

/// What a finished binary left behind.
#[derive(Debug)]
pub struct Run {
    /// Exit code; `None` when killed by a signal or the time bound.
    pub code: Option<i32>,
    /// Everything on stdout.
    pub stdout: String,
    /// Everything on stderr.
    pub stderr: String,
}

impl Run {
    /// The report on stdout; panics with stderr when there is none.
    pub fn report(&self) -> Report {
        assert_eq!(self.code, Some(0), "the run failed; stderr:\n{}", self.stderr);
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one report ({e}):\n{}", self.stdout))
    }
}

/// Runs `exe` with `args`, killing it after `limit`.
pub fn run(exe: &str, args: &[&str], limit: Duration) -> Run {
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {exe}: {e}"));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped")));
    let err = drain(Box::new(child.stderr.take().expect("piped")));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the child") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.and_then(|s| s.code()),
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

/// `--set` arguments as the binaries take them: `["--set", a, "--set", b, ...]`.
pub fn set_args<'a>(sets: &[&'a str]) -> Vec<&'a str> {
    sets.iter().flat_map(|s| ["--set", s]).collect()
}

/// A config file holding `text` in this test process's own temporary folder (one file per text).
pub fn config_file(text: &str) -> std::path::PathBuf {
    use std::hash::{Hash, Hasher};
    let dir = std::env::temp_dir().join(format!("concbench-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("creating the test's config folder");
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    let file = dir.join(format!("{:016x}.toml", hasher.finish()));
    std::fs::write(&file, text).expect("writing a test config");
    file
}

/// Loads `text` as a config file with `sets` through `load`, which must fail; the error's text,
/// which must name the file or the `--set` argument.
pub fn config_error<T, E: std::fmt::Display>(
    text: &str,
    sets: &[&str],
    load: impl Fn(&std::path::Path, &[String]) -> Result<T, E>,
) -> String {
    let file = config_file(text);
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let err = match load(&file, &sets) {
        Ok(_) => panic!("the config loaded:\n{text}"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains(&file.display().to_string()) || err.contains("--set"),
        "{err}"
    );
    err
}

/// Fails unless the workspace's README.md holds `table`, printing the table to paste; `what`
/// names it and its source.
pub fn assert_in_readme(table: &str, what: &str) {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README.md");
    assert!(
        readme.contains(table),
        "README.md's {what} drifted; paste:\n{table}"
    );
}

/// The folder of the workspace's binaries for an integration test, brought up to date first.
///
/// Cargo sets `CARGO_BIN_EXE_*` only for a package's own binaries, so the tests that run other
/// packages' binaries find them beside their own folder (`target/<profile>/deps/test-<hash>`) and,
/// once per test process, run one `cargo build --workspace --bins` in the same profile: nothing to
/// do after the README's first command, a second or two after an edit, and never a stale binary.
pub fn workspace_bins() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let exe = std::env::current_exe().expect("this test's path");
        let dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("a test binary lives in target/<profile>/deps")
            .to_path_buf();
        let profile = match dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") => "dev",
            Some(other) => other,
            None => panic!("no profile folder above {}", exe.display()),
        };
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(&cargo)
            .args(["build", "--workspace", "--bins", "--profile", profile])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap_or_else(|e| panic!("cannot run {cargo}: {e}"));
        assert!(
            out.status.success(),
            "cargo build --workspace --bins --profile {profile}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
}

/// The path of the workspace binary `name`, up to date ([`workspace_bins`]).
pub fn workspace_bin(name: &str) -> String {
    let path = workspace_bins().join(name);
    assert!(path.is_file(), "{} was not built", path.display());
    path.to_str().expect("a UTF-8 path").to_owned()
}

/// Asserts that the committed file at `path` holds `generated`. With the environment variable
/// `update` set, a file that differs is rewritten and the test still fails, naming it, so that
/// an update is always reviewed and a run with the variable left set cannot pass unseen.
pub fn assert_committed(path: &std::path::Path, generated: &str, update: &str) {
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed == generated {
        return;
    }
    if std::env::var_os(update).is_some() {
        std::fs::write(path, generated).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        panic!(
            "{} was rewritten: review the change, then rerun without {update}",
            path.display()
        );
    }
    panic!(
        "{} differs from what the code generates; rerun with {update}=1 and review\n{generated}",
        path.display()
    );
}

/// Says that a test skips `what` and why, where the person running the tests sees it: on the
/// terminal, not in the output cargo captures and hides for a passing test. Under CI (`CI` set,
/// and not to `0` or `false`) a skip is a failure unless `.ci/run` declared it up front in
/// `CONCBENCH_ALLOW_SKIP` (a comma-separated list of `what`s), so nothing is skipped there by
/// accident.
pub fn skip(what: &str, why: &str) {
    use std::io::Write;
    let allowed = std::env::var("CONCBENCH_ALLOW_SKIP").unwrap_or_default();
    let declared = allowed.split(',').any(|w| w.trim() == what);
    let under_ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"));
    if under_ci && !declared {
        panic!("{what} would be skipped under CI, which did not declare it: {why}");
    }
    // `std::io::stderr()` written directly is not captured by the test harness (only the
    // `eprint!` family is), so this line reaches the terminal.
    let _ = writeln!(std::io::stderr(), "SKIPPED {what}: {why}");
}
