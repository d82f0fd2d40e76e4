//! The Python entries against the Rust models: the same work and checksum on every workload,
//! the same exit codes, and a matrix that still runs its Rust entries where Python cannot run.
//!
//! The entries that need the pinned packages (requests, aiohttp, uvloop) run from the runner's
//! environment (`runner::python::provide`). Where it cannot be made (no package index) they are
//! skipped, visibly (`concbench_core::testing::skip`), and under CI only where `.ci/run` declared
//! the skip (no package index); anywhere else that is a failure. The CPU entries and the error paths need only
//! the standard library and run on the machine's `python3` then.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

mod common;

use common::{bin_dir, records, runner};

/// The environment's interpreter, or `None` (skip) where it cannot be made.
fn venv() -> Option<PathBuf> {
    static PY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let made = PY.get_or_init(|| {
        let build = bin_dir().parent().unwrap().to_path_buf();
        runner::python::provide(&build, "", &AtomicBool::new(false)).map(|p| p.exe)
    });
    match made {
        Ok(exe) => Some(exe.clone()),
        Err(why) => {
            concbench_core::testing::skip("python", &format!("the Python environment cannot be made: {why}"));
            None
        }
    }
}

/// The environment's interpreter, else the machine's python3 (enough for the stdlib entries).
fn any_python() -> PathBuf {
    venv().unwrap_or_else(|| PathBuf::from("python3"))
}

fn program(model: &str) -> PathBuf {
    runner::python::scripts_dir().join(format!("{model}.py"))
}

fn run_py(python: &Path, model: &str, sets: &[&str]) -> Output {
    let mut cmd = Command::new(python);
    cmd.arg(program(model)).env("CONCBENCH_BIN_DIR", bin_dir());
    for s in sets {
        cmd.args(["--set", s]);
    }
    cmd.output().unwrap()
}

fn run_rust(model: &str, sets: &[&str]) -> Output {
    let mut cmd = Command::new(bin_dir().join(model));
    for s in sets {
        cmd.args(["--set", s]);
    }
    cmd.output().unwrap()
}

/// The report of a run that must have succeeded.
fn report(what: &str, out: &Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The runner reads it as it reads a binary's report.
    let typed: concbench_core::report::Report = serde_json::from_value(report.clone())
        .unwrap_or_else(|e| panic!("{what}: not a report of the schema: {e}"));
    assert_eq!(typed.model, what.split(' ').next().unwrap());
    report
}

/// Units, checksum (and the IO statuses) of a report: what every model of a family must share.
fn work(r: &serde_json::Value) -> (u64, String, serde_json::Value) {
    let status = r["io"]["status"].clone();
    (
        r["work"]["units"].as_u64().unwrap(),
        r["work"]["checksum"].as_str().unwrap().into(),
        status,
    )
}

#[test]
fn the_cpu_entries_count_what_cpu_sync_counts_on_every_kernel() {
    let python = any_python();
    let with_venv = venv().is_some();
    for kernel in ["char-encoding", "sqrt-sum", "filter-aggregate"] {
        let k = format!("cpu.kernel={kernel}");
        let sets = [
            k.as_str(),
            "cpu.urls=3000",
            "cpu.passes=2",
            "cpu.unicode=true",
            "cpu.numbers=200000",
            "cpu.records=40000",
            "cpu.workers=3",
            "cpu.chunk=777",
        ];
        let rust = work(&report("cpu-sync", &run_rust("cpu-sync", &sets)));
        assert!(rust.0 > 0);
        for model in ["py-cpu-sync", "py-cpu-threads", "py-cpu-asyncio", "py-cpu-procs"] {
            let r = report(model, &run_py(&python, model, &sets));
            assert_eq!(work(&r), rust, "{model} on {kernel}");
            assert_eq!(r["env"]["profile"], "python");
            assert_eq!(r["scenario"], kernel);
        }
        if with_venv {
            let mut uv = sets.to_vec();
            uv.push("py.loop=uvloop");
            let r = report("py-cpu-asyncio", &run_py(&python, "py-cpu-asyncio", &uv));
            assert_eq!((work(&r), r["variant"].as_str()), (rust.clone(), Some("uvloop")));
        }
    }
}

#[test]
fn the_study_count_of_100000_urls_is_51258766_bytes() {
    let r = report(
        "py-cpu-sync",
        &run_py(&any_python(), "py-cpu-sync", &["cpu.passes=1", "cpu.urls=100000"]),
    );
    assert_eq!(
        (r["work"]["units"].as_u64(), r["work"]["bytes"].as_u64()),
        (Some(100_000), Some(51_258_766))
    );
}

#[test]
fn the_io_entries_send_and_count_what_io_tokio_does() {
    let Some(python) = venv() else { return };
    let sets = [
        "io.requests=120",
        r#"io.endpoints=["/anything/{i}", "/status/404", "/delay/0.01"]"#,
        "io.concurrency=8",
        "io.workers=3",
    ];
    let rust = work(&report("io-tokio", &run_rust("io-tokio", &sets)));
    assert_eq!(rust.2["404"], 40, "{:?}", rust.2);
    for model in [
        "py-io-sync",
        "py-io-threads",
        "py-io-asyncio",
        "py-io-hybrid",
        "py-io-procs",
    ] {
        let r = report(model, &run_py(&python, model, &sets));
        assert_eq!(work(&r), rust, "{model}");
        assert_eq!(
            (r["io"]["ok"].as_u64(), r["io"]["failed"].as_u64()),
            (Some(80), Some(40)),
            "{model}"
        );
        assert!(
            r["env"]["python"]["packages"]["aiohttp"].is_string(),
            "{model} names its packages"
        );
    }
    let mut uv = sets.to_vec();
    uv.push("py.loop=uvloop");
    assert_eq!(
        work(&report("py-io-asyncio", &run_py(&python, "py-io-asyncio", &uv))),
        rust
    );
}

#[test]
fn the_serving_entries_echo_what_serve_tokio_echoes() {
    let python = any_python();
    let sets = [
        "serve.connections=120",
        "serve.round_trips=7",
        "serve.message_bytes=100",
    ];
    let rust = report("serve-tokio", &run_rust("serve-tokio", &sets));
    assert_eq!(rust["work"]["units"], 840);
    for model in ["py-serve-asyncio", "py-serve-threads"] {
        let r = report(model, &run_py(&python, model, &sets));
        assert_eq!(
            (&r["work"], &r["serve"]["failed"]),
            (&rust["work"], &serde_json::json!(0)),
            "{model}"
        );
    }
}

#[test]
fn a_bad_config_is_exit_2_naming_the_key_and_an_unreachable_target_exit_1() {
    let python = any_python();
    for (model, set, key) in [
        ("py-cpu-sync", "cpu.wrkers=2", "cpu.wrkers"),
        ("py-cpu-threads", "cpu.workers=many", "cpu.workers"),
        ("py-io-asyncio", "py.loop=trio", "py.loop"),
        ("py-serve-threads", "scenario.name=spawn-only", "scenario.name"),
    ] {
        let out = run_py(&python, model, &[set]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{model} --set {set}: {err}");
        assert!(err.contains(&format!("`{key}`")), "{model} names {key}: {err}");
        assert!(out.stdout.is_empty(), "no report on a config error");
    }
    let out = run_py(&python, "py-io-sync", &["io.target=http://127.0.0.1:9"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("http://127.0.0.1:9") && err.contains("unreachable"),
        "{err}"
    );
}

const MIXED: &str = r#"
[cpu]
urls = 3000
passes = 1
[io]
requests = 40
endpoints = ["/get"]
concurrency = 4
[runner]
models = ["cpu-sync", "py-cpu-sync", "io-tokio", "py-io-asyncio"]
repeats = 2
warmup = 0
"#;

/// Runs the matrix `config` with `env` and checks it ended with exit 0: the temporary folder
/// (kept alive) and the run's output folder.
fn matrix_ok(config: &str, env: &[(&str, &Path)]) -> (tempfile::TempDir, PathBuf) {
    let (tmp, out, mut cmd) = runner(config, &[]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let done = cmd.output().unwrap();
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    (tmp, out)
}

fn mixed(env: &[(&str, &Path)]) -> (tempfile::TempDir, Vec<serde_json::Value>, String) {
    let (tmp, out) = matrix_ok(MIXED, env);
    (
        tmp,
        records(&out),
        std::fs::read_to_string(out.join("report.md")).unwrap(),
    )
}

#[test]
fn without_python_the_rust_entries_run_and_the_python_ones_could_not() {
    let missing = tempfile::tempdir().unwrap();
    let env = missing.path().join("env");
    let (_tmp, runs, report) = mixed(&[
        ("CONCBENCH_PYTHON", Path::new("/nonexistent/python3")),
        ("CONCBENCH_PY_ENV", &env),
    ]);
    let outcomes = |model: &str| -> Vec<String> {
        // The entries' own runs; the A/A controls (a group's baseline run again) are apart.
        runs.iter()
            .filter(|r| r["model"] == model && r["control"].is_null())
            .map(|r| r["outcome"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(outcomes("cpu-sync"), ["ok", "ok"]);
    assert_eq!(outcomes("io-tokio"), ["ok", "ok"]);
    assert_eq!(outcomes("py-cpu-sync"), ["could-not-run", "could-not-run"]);
    assert_eq!(outcomes("py-io-asyncio"), ["could-not-run", "could-not-run"]);
    let why = runs.iter().find(|r| r["model"] == "py-cpu-sync").unwrap()["stderr_tail"]
        .as_str()
        .unwrap();
    assert!(
        why.contains("no Python interpreter") && why.contains("/nonexistent/python3"),
        "{why}"
    );
    assert!(report.contains("4 could-not-run"), "the report counts them");
    assert!(report.contains("no Python interpreter"), "the report says why");
}

#[test]
fn each_python_entry_runs_on_the_interpreter_it_names_and_a_missing_one_could_not() {
    if venv().is_none() {
        return;
    }
    let config = r#"
[cpu]
urls = 300
passes = 1

[runner]
models = [
  { model = "py-cpu-sync", label = "py-cpu-sync default" },
  { model = "py-cpu-sync", label = "py-cpu-sync {py.python}", set = { "py.python" = "2.1" } },
]
repeats = 2
warmup = 0
"#;
    let (_tmp, out) = matrix_ok(config, &[]);
    let runs: Vec<serde_json::Value> = records(&out)
        .into_iter()
        .filter(|r| r["control"].is_null())
        .collect();
    let of =
        |entry: &str| -> Vec<&serde_json::Value> { runs.iter().filter(|r| r["entry"] == entry).collect() };
    let (ran, missing) = (of("py-cpu-sync default"), of("py-cpu-sync 2.1"));
    assert_eq!((ran.len(), missing.len()), (2, 2), "{runs:?}");
    for r in ran {
        assert_eq!(r["outcome"], "ok", "{r}");
        let py = &r["report"]["env"]["python"];
        let version = py["version"].as_str().unwrap();
        assert!(version.starts_with("3."), "{py}");
        // Every run says whether its build is free-threaded and whether the GIL was on; a
        // build that is not free-threaded always has it.
        let (free, gil) = (
            py["free_threaded"].as_bool().unwrap(),
            py["gil"].as_bool().unwrap(),
        );
        assert!(free || gil, "{py}");
    }
    for r in missing {
        assert_eq!(r["outcome"], "could-not-run", "{r}");
        let why = r["stderr_tail"].as_str().unwrap();
        assert!(
            why.contains("no Python 2.1 here: `python2.1` does not answer"),
            "{why}"
        );
    }
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("no Python 2.1 here"),
        "the report says which interpreter was missing"
    );
}

#[test]
fn a_mixed_matrix_pairs_each_python_entry_with_its_rust_counterpart() {
    if venv().is_none() {
        return;
    }
    let (_tmp, runs, report) = mixed(&[]);
    assert!(runs.iter().all(|r| r["outcome"] == "ok"), "{runs:?}");
    assert!(report.contains("## Rust against Python"), "{report}");
    assert!(
        report.contains("| cpu-sync | py-cpu-sync |") && report.contains("| io-tokio | py-io-asyncio |"),
        "{report}"
    );
    assert!(
        report
            .contains("**What does Rust buy a Python program?** CPU-bound: char-encoding: py-cpu-sync takes"),
        "{report}"
    );
}
