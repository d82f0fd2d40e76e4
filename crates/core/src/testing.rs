//! Helpers for the integration tests of the model crates: run a real binary with a bound on its
//! time, parse its report, and compute the work a CPU run must report.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::report::{Report, Work};
use crate::workload::urls::{Tally, UrlSet};

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

/// The work a CPU model must report for the config `--set` arguments `sets`, computed here in
/// one loop, independently of any model.
pub fn expected_cpu_work(sets: &[&str]) -> Work {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let cfg = crate::config::load(None, &sets).expect("a valid config");
    let urls = UrlSet::generate(&cfg.cpu);
    let tally = Tally::of(urls.iter_range(0..urls.len()));
    Work {
        units: tally.units,
        bytes: tally.bytes,
        checksum: tally.checksum_hex(),
    }
}

/// `--set` arguments as the binaries take them: `["--set", a, "--set", b, ...]`.
pub fn set_args<'a>(sets: &[&'a str]) -> Vec<&'a str> {
    sets.iter().flat_map(|s| ["--set", s]).collect()
}
