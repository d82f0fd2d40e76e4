//! Helpers for the integration tests of the model crates: run a real binary with a bound on its
//! time, parse its report, and compute the work a CPU run must report.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::report::{Report, Work};
use crate::workload::kernel::Input;

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
/// one loop over the whole input, independently of how any model splits it.
pub fn expected_cpu_work(sets: &[&str]) -> Work {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let cfg = crate::config::load(None, &sets).expect("a valid config");
    let input = Input::generate(&cfg.cpu);
    let tally = input.tally(0..input.len());
    Work {
        units: tally.units,
        bytes: tally.bytes,
        checksum: tally.checksum_hex(),
    }
}

/// Every other kernel than char-encoding on `exe` (with `extra` sets), with sizes and chunks
/// that do not divide evenly: the same work as one loop computes, the kernel named as the
/// report's scenario.
pub fn kernel_contract(exe: &str, extra: &[&str]) {
    let kernels: &[&[&str]] = &[
        &["cpu.kernel=sqrt-sum", "cpu.numbers=2000003", "cpu.chunk=99991"],
        &[
            "cpu.kernel=filter-aggregate",
            "cpu.records=100003",
            "cpu.passes=2",
            "cpu.chunk=7777",
        ],
    ];
    for sets in kernels {
        let all: Vec<&str> = sets.iter().chain(extra).copied().collect();
        let report = run(exe, &set_args(&all), Duration::from_secs(120)).report();
        assert_eq!(report.work, expected_cpu_work(&all), "{all:?}");
        assert_eq!(report.scenario, &sets[0]["cpu.kernel=".len()..], "{all:?}");
    }
}

/// `--set` arguments as the binaries take them: `["--set", a, "--set", b, ...]`.
pub fn set_args<'a>(sets: &[&'a str]) -> Vec<&'a str> {
    sets.iter().flat_map(|s| ["--set", s]).collect()
}

/// What a task-cost run with `--set` overrides `sets` must report as its work.
pub fn expected_unit_work(sets: &[&str]) -> Work {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let cfg = crate::config::load(None, &sets).expect("test sets are valid");
    crate::workload::units::expected(&cfg).work()
}

/// Every task-cost scenario on `exe` (with `extra` sets), checked against [`expected_unit_work`]:
/// same units, same checksum as one loop computing them; `unit` is the kind the report names.
pub fn unit_contract(exe: &str, extra: &[&str], unit: &str) {
    let scenarios: &[&[&str]] = &[
        &["scenario.name=spawn-only", "scenario.units=50"],
        &[
            "scenario.name=sleep-fixed",
            "scenario.units=20",
            "scenario.sleep_ms=20",
        ],
        &[
            "scenario.name=sleep-variable",
            "scenario.units=20",
            "scenario.sleep_ms=20",
        ],
        &["scenario.name=blocking-storm", "scenario.units=3"],
        &[
            "scenario.name=blocking-sleep",
            "scenario.units=6",
            "scenario.sleep_ms=10",
        ],
        &["scenario.name=squares", "scenario.units=4"],
        &[
            "scenario.name=sqlite-insert",
            "scenario.units=8",
            "scenario.rows=50",
        ],
        &[
            "scenario.name=sqlite-read",
            "scenario.units=8",
            "scenario.rows=50",
        ],
        &[
            "scenario.name=file-read",
            "scenario.units=8",
            "scenario.file_bytes=10000",
        ],
        &["scenario.name=idle-scale", "scenario.units=30"],
    ];
    for sets in scenarios {
        let all: Vec<&str> = sets.iter().chain(extra).copied().collect();
        let r = run(exe, &set_args(&all), Duration::from_secs(120));
        if unit == "pool" && sets[0].ends_with("idle-scale") {
            assert_eq!(r.code, Some(1), "a pool cannot hold idle units: {}", r.stderr);
            assert!(r.stderr.contains("per-unit"), "{}", r.stderr);
            continue;
        }
        let report = r.report();
        assert_eq!(report.work, expected_unit_work(&all), "{all:?}");
        let u = report.units.as_ref().expect("a units block");
        assert_eq!(
            (u.unit.as_str(), u.scenario.as_str()),
            (unit, &sets[0]["scenario.name=".len()..]),
            "{all:?}"
        );
        assert_eq!(report.scenario, u.scenario);
        assert!(u.per_unit_us > 0.0);
        let sqlite = sets[0].contains("sqlite");
        assert_eq!(u.busy_retries.is_some(), sqlite, "{all:?}: {u:?}");
        let idle = sets[0].ends_with("idle-scale") && unit != "sequential";
        assert_eq!(u.rss_per_unit_kib.is_some(), idle, "{all:?}: {u:?}");
        assert_eq!(
            u.pss_per_unit_kib.is_some(),
            idle && unit == "process",
            "{all:?}: {u:?}"
        );
        if sets[0].ends_with("sleep-fixed") && unit != "sequential" {
            assert!(report.wall_s >= 0.02, "every unit slept 20 ms");
        }
    }
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
