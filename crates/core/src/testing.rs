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
