//! runner run as a user runs it: real model binaries, a real bench-server, real failures.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{RUNNER, bin_dir, records, runner};

/// Runs `config` to the end, asserting exit 0; the temporary folder and the output folder.
fn run_ok(config: &str) -> (tempfile::TempDir, PathBuf) {
    run_ok_with(config, &[])
}

/// [`run_ok`] with extra arguments.
fn run_ok_with(config: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let (tmp, out, mut cmd) = runner(config, extra);
    let output = cmd.output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (tmp, out)
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

const FAILING_AND_HANGING: &str = r#"
[cpu]
urls = 2000
passes = 1
[io]
requests = 4
endpoints = ["/delay/5"]
[runner]
models = [
  "cpu-sync",
  { model = "io-sync", set = { "io.target" = "http://127.0.0.1:1" }, label = "unreachable" },
  { model = "io-sync", label = "hangs" },
]
repeats = 2
warmup = 1
run_timeout_s = 2
"#;

#[test]
fn failing_and_hanging_runs_are_recorded_and_the_matrix_goes_on() {
    let (_tmp, out, mut cmd) = runner(FAILING_AND_HANGING, &[]);
    let start = Instant::now();
    let output = cmd.output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(start.elapsed() < Duration::from_secs(60));
    let runs = records(&out);
    assert_eq!(
        runs.len(),
        11,
        "3 entries × (1 warm-up + 2 repeats), and the IO group's A/A control in each measured round"
    );
    assert_eq!(
        runs.iter()
            .filter(|r| r["control"] == "unreachable" && r["entry"] == "unreachable (A/A control)")
            .count(),
        2
    );
    let of = |entry: &str| runs.iter().filter(|r| r["entry"] == entry).collect::<Vec<_>>();
    assert!(
        of("cpu-sync")
            .iter()
            .all(|r| r["outcome"] == "ok" && r["report"]["work"]["units"] == 2000)
    );
    for r in of("unreachable") {
        assert_eq!(
            (r["outcome"].as_str(), r["exit_code"].as_i64()),
            (Some("failed"), Some(1))
        );
        assert!(r["stderr_tail"].as_str().unwrap().contains("unreachable"), "{r}");
    }
    for r in of("hangs") {
        assert_eq!(
            (r["outcome"].as_str(), r["signal"].as_i64()),
            (Some("timeout"), Some(9))
        );
    }
    // Round-robin: the first measured round visits every job (in the order it drew) before the
    // second starts.
    let mut first: Vec<&str> = runs[3..7].iter().map(|r| r["entry"].as_str().unwrap()).collect();
    first.sort_unstable();
    assert_eq!(
        first,
        ["cpu-sync", "hangs", "unreachable", "unreachable (A/A control)"]
    );
    assert!(runs[3..7].iter().all(|r| r["index"] == 0 && r["warmup"] == false));
    let summary = summary(&out);
    let io = &summary["summary"]["families"][1];
    assert_eq!(io["entries"][0]["failed"], 2);
    assert_eq!(io["entries"][1]["failed"], 2);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("unreachable: 2 of 2 measured runs failed"),
        "{report}"
    );
    assert!(out.join("plots/cpu-wall_s.svg").is_file() && out.join("summary.csv").is_file());

    // `runner report` re-renders the same exports from runs.jsonl alone.
    let before = std::fs::read_to_string(out.join("summary.json")).unwrap();
    std::fs::remove_file(out.join("summary.json")).unwrap();
    std::fs::remove_file(out.join("report.md")).unwrap();
    let status = Command::new(RUNNER)
        .arg("report")
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(out.join("summary.json")).unwrap(), before);
    assert!(out.join("report.md").is_file());

    // Nothing earlier is overwritten.
    let again = Command::new(RUNNER)
        .args(["--out", out.to_str().unwrap(), "--quiet", "--models", "cpu-sync"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a run"));
}

/// The whole lines of `out/runs.jsonl` so far: a test that polls it while the runner writes (or
/// kills the runner) must not read the line being written.
pub fn whole_lines(out: &Path) -> usize {
    std::fs::read_to_string(out.join("runs.jsonl"))
        .unwrap_or_default()
        .matches('\n')
        .count()
}

#[test]
fn ctrl_c_keeps_every_finished_run_and_writes_a_summary() {
    let config = FAILING_AND_HANGING
        .replace("run_timeout_s = 2", "run_timeout_s = 60")
        .replace("warmup = 1", "warmup = 0");
    let (_tmp, out, mut cmd) = runner(&config, &["--models", "cpu-sync,hangs"]);
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let start = Instant::now();
    while whole_lines(&out) == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the first run never finished"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300)); // "hangs" is running now
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let stopped = Instant::now();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(stopped.elapsed() < Duration::from_secs(10));
    let runs = records(&out);
    assert_eq!(runs[0]["outcome"], "ok");
    assert_eq!(runs.last().unwrap()["outcome"], "interrupted");
    let summary = summary(&out);
    assert_eq!(summary["meta"]["interrupted"], true);
    // Every finished run is kept: however the rounds drew their order, the summary counts each.
    let finished = runs
        .iter()
        .filter(|r| r["entry"] == "cpu-sync" && r["outcome"] == "ok")
        .count();
    assert!(finished >= 1);
    assert_eq!(summary["summary"]["families"][0]["entries"][0]["ok"], finished);
    assert!(
        std::fs::read_to_string(out.join("report.md"))
            .unwrap()
            .contains("interrupted before the end")
    );
}

#[test]
fn bad_config_is_exit_2_naming_the_key() {
    for (config, key) in [
        ("[runner]\nrepeats = 0\n", "runner.repeats"),
        ("[runner]\nmodels = [\"cpu-gpu\"]\n", "runner.models"),
        (
            "[runner]\nmodels = [{ model = \"cpu-sync\", sett = {} }]\n",
            "sett",
        ),
        (
            "[runner]\nmodels = [{ model = \"cpu-sync\", set = { \"cpu.workers\" = 0 } }]\n",
            "cpu.workers",
        ),
    ] {
        let (_tmp, _out, mut cmd) = runner(config, &[]);
        let output = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{config}: {stderr}");
        assert!(stderr.contains(key), "{config}: {stderr}");
    }
}

/// Arguments that name nothing the config holds are the user's to mend, as a bad key is: exit 2,
/// naming what was given, before anything runs.
#[test]
fn unknown_models_references_and_an_empty_matrix_are_exit_2_naming_them() {
    let config = "[runner]\nmodels = [\"cpu-sync\"]\nrepeats = 1\nwarmup = 0\n";
    for (extra, named) in [
        (&["--models", "nosuchmodel"][..], "--models nosuchmodel"),
        (&["--reference", "nope"][..], "--reference nope"),
        (&["--set", "runner.models=[]"][..], "runner.models"),
    ] {
        let (_tmp, out, mut cmd) = runner(config, extra);
        let output = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(named), "{extra:?}: {stderr}");
        assert!(records(&out).is_empty(), "{extra:?} ran nothing");
    }
    let (_tmp, _out, mut cmd) = runner(config, &["--set", "runner.models=[]"]);
    let stderr = String::from_utf8_lossy(&cmd.output().unwrap().stderr).into_owned();
    assert!(
        !stderr.contains("--models"),
        "names no flag the user did not give: {stderr}"
    );
}

#[test]
fn sweeps_run_every_point_and_a_refused_thread_count_is_recorded() {
    // A million threads: the memory-map budget refuses it after the first 64, before anything
    // is measured; the matrix goes on.
    let config = r#"
[cpu]
workers = 2
[scenario]
name = "idle-scale"
[runner]
models = [
  { model = "cpu-async", set = { "cpu.runtime" = "smol" }, label = "smol" },
  { model = "cpu-threads", label = "threads" },
  "cpu-sync",
]
repeats = 2
warmup = 0
[[runner.sweep]]
axis = "units waiting"
key = "scenario.units"
values = [1, 100, 1_000_000]
models = ["threads"]
[[runner.sweep]]
axis = "units waiting"
key = "scenario.units"
values = [1, 100, 10_000]
models = ["smol"]
"#;
    let (_tmp, out) = run_ok(config);
    let runs = records(&out);
    assert_eq!(runs.len(), 2 * 7, "3 + 3 points and one plain entry, twice");
    let at = |label: &str| runs.iter().filter(|r| r["entry"] == label).collect::<Vec<_>>();
    for r in at("threads @ scenario.units=1000000") {
        assert_eq!(
            (r["outcome"].as_str(), r["exit_code"].as_i64()),
            (Some("failed"), Some(1))
        );
        assert!(
            r["stderr_tail"].as_str().unwrap().contains("vm.max_map_count"),
            "{r}"
        );
        assert_eq!(r["sweep"]["value"], 1_000_000.0);
    }
    for r in at("smol @ scenario.units=10000") {
        assert_eq!(r["report"]["units"]["count"], 10_000);
        assert_eq!(r["scenario"], "idle-scale");
    }
    let summary = summary(&out);
    let sweep = &summary["summary"]["sweeps"][0];
    assert_eq!(
        sweep["values"],
        serde_json::json!([1.0, 100.0, 10_000.0, 1_000_000.0])
    );
    assert_eq!(sweep["series"].as_array().unwrap().len(), 2);
    assert_eq!(summary["summary"]["families"][0]["scenario"], "idle-scale");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("## Sweep: units waiting"), "{report}");
    assert!(report.contains("threads stopped at 1,000,000 units"), "{report}");
    assert!(report.contains("8000×"), "{report}");
    assert!(out.join("plots/sweep-units-waiting-rss_peak_mib.svg").is_file());
}

#[test]
fn runner_scenarios_make_a_group_each() {
    let config = r#"
[cpu]
workers = 2
[scenario]
units = 10
[runner]
scenarios = ["spawn-only", "blocking-storm"]
models = ["cpu-sync", { model = "cpu-async", label = "tokio-ct" }]
repeats = 2
warmup = 0
"#;
    let (_tmp, out) = run_ok(config);
    let runs = records(&out);
    assert_eq!(
        runs.len(),
        2 * 2 * 2 + 2 * 2,
        "2 scenarios × 2 entries × 2 rounds, and each scenario's A/A control"
    );
    assert!(
        runs.iter()
            .all(|r| r["outcome"] == "ok" && r["report"]["scenario"] == r["scenario"])
    );
    let summary = summary(&out);
    let groups: Vec<&str> = summary["summary"]["families"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["scenario"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["spawn-only", "blocking-storm"]);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("### What does a blocking call inside async cost?"),
        "{report}"
    );
    assert!(out.join("plots/cpu-blocking-storm-wall_s.svg").is_file());
}

/// Half the requests answered 503 by the real bench-server: the failures reach the summary, the
/// CSV and the report, and every IO entry names its budget.
const HALF_FAIL: &str = r#"
[io]
requests = 40
endpoints = ["/get", "/status/503"]
concurrency = 8
workers = 4
[runner]
models = ["io-sync", "io-tokio", { model = "io-threads", label = "io-threads 4" }]
repeats = 2
warmup = 0
"#;

#[test]
fn failed_requests_are_a_metric_in_the_summary_csv_and_report() {
    let (_tmp, out) = run_ok(HALF_FAIL);
    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let ok_pct: Vec<&str> = csv.lines().filter(|l| l.contains(",ok_pct,")).collect();
    assert_eq!(ok_pct.len(), 3, "{csv}");
    for line in &ok_pct {
        // family,scenario,group,entry,model,in_flight,metric,n,mean,...
        let mean: f64 = line.split(',').nth(8).unwrap().parse().unwrap();
        assert_eq!(mean, 50.0, "{line}");
    }
    assert!(
        csv.contains(",io-tokio,8,ok_pct,"),
        "io-tokio's budget is 8: {csv}"
    );
    assert!(csv.contains(",io-sync,1,non_2xx_pct,2,50,"), "{csv}");
    let summary = summary(&out);
    let tokio = &summary["summary"]["families"][0]["entries"][1];
    assert_eq!(tokio["in_flight"], 8);
    assert_eq!(tokio["metrics"]["error_pct"]["mean"], 50.0);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("io-tokio (8 in flight): 50.0 % of its requests failed (non-2xx status 50.0 %)"),
        "{report}"
    );
    assert!(report.contains("### Failed requests, by kind"), "{report}");
    assert!(
        report.contains("| io-threads 4 | 4 | 50.00 | 50.00 | 50.00 |"),
        "{report}"
    );
}

#[test]
fn a_chosen_reference_is_every_groups_baseline_and_is_recorded() {
    let config = HALF_FAIL.replace("repeats = 2", "repeats = 1");
    let (_tmp, out) = run_ok_with(&config, &["--reference", "io-tokio"]);
    let summary = summary(&out);
    assert_eq!(summary["meta"]["reference"], "io-tokio");
    assert_eq!(summary["summary"]["families"][0]["baseline"], "io-tokio");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("Baseline: io-tokio."), "{report}");
    let (_tmp, _out, mut cmd) = runner(&config, &["--reference", "io-gpu"]);
    let output = cmd.output().unwrap();
    assert_eq!(output.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--reference io-gpu names no entry"));
}

const SMALL_CPU: &str = r#"
[cpu]
urls = 20000
passes = 2
workers = 2
[runner]
models = ["cpu-sync", "cpu-async"]
repeats = 8
warmup = 1
"#;

#[test]
fn compare_marks_a_slower_entry_gates_on_a_threshold_and_refuses_different_work() {
    let (_a, old) = run_ok(SMALL_CPU);
    let (_b, new) = run_ok_with(SMALL_CPU, &["--set", "cpu.chunk=1"]);
    let compare = |args: &[&str]| {
        Command::new(RUNNER)
            .arg("compare")
            .args([old.to_str().unwrap(), new.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap()
    };
    let ok = compare(&[]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let table = String::from_utf8_lossy(&ok.stdout);
    let line = table.lines().find(|l| l.contains("cpu cpu-async")).unwrap();
    // `1.462x [0.904, 2.451]  no difference shown`: how much slower depends on the machine's
    // load (timing lives in benchmarks); the verdict and the gate must follow the interval.
    let bounds = line.split('[').nth(1).unwrap().split(']').next().unwrap();
    let (low, high) = bounds.split_once(", ").unwrap();
    let (low, high): (f64, f64) = (low.parse().unwrap(), high.parse().unwrap());
    let verdict = match (low > 1.0, high < 1.0) {
        (true, _) => "slower",
        (_, true) => "faster",
        _ => "no difference shown",
    };
    assert!(line.ends_with(verdict), "{table}");
    let report = std::fs::read_to_string(new.join("compare.md")).unwrap();
    assert!(report.contains("| cpu | cpu-async | wall_s |"), "{report}");
    assert!(new.join("plots/compare-wall_s.svg").is_file());
    let gated = compare(&["--threshold", "20"]);
    assert_eq!(
        gated.status.code(),
        Some(if low > 1.2 { 1 } else { 0 }),
        "{table}"
    );
    let (_c, other) = run_ok_with(SMALL_CPU, &["--set", "cpu.urls=30000", "--models", "cpu-sync"]);
    let refused = Command::new(RUNNER)
        .args(["compare", old.to_str().unwrap(), other.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("cpu.urls = 20000 against 30000") && err.contains("--force"),
        "{err}"
    );
}

/// Two CPU entries, one warm-up and five rounds: 12 runs of about 50 ms each.
// Runs of about 50 ms in release, so that a kill after the fourth lands mid-matrix.
const RESUMABLE: &str = r#"
[cpu]
urls = 20000
passes = 20
[runner]
models = ["cpu-sync", { model = "cpu-threads", set = { "cpu.workers" = "cores" }, label = "cpu-threads {cpu.workers}" }]
repeats = 5
warmup = 1
"#;

/// Each recorded slot (entry, round, warm-up) and how often it is there.
fn slots(out: &Path) -> std::collections::BTreeMap<(String, u64, bool), usize> {
    let mut seen = std::collections::BTreeMap::new();
    for r in records(out) {
        let key = (
            r["entry"].as_str().unwrap().to_string(),
            r["index"].as_u64().unwrap(),
            r["warmup"].as_bool().unwrap(),
        );
        *seen.entry(key).or_insert(0) += 1;
    }
    seen
}

#[test]
fn a_killed_matrix_resumes_to_the_runs_of_an_uninterrupted_one() {
    let (_whole_tmp, whole) = run_ok(RESUMABLE);
    let (tmp, out, mut cmd) = runner(RESUMABLE, &[]);
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let start = Instant::now();
    while whole_lines(&out) < 4 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the runs never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: no summary, no final meta.json
    child.wait().unwrap();
    let before = whole_lines(&out);
    assert!(before < 17, "killed mid-matrix: {before} runs");
    assert!(!out.join("report.md").exists());
    // What a kill during a write leaves: half a line.
    let mut jsonl = std::fs::read_to_string(out.join("runs.jsonl")).unwrap();
    let first = jsonl.lines().next().unwrap().to_string();
    jsonl.push_str(&first[..first.len() / 2]);
    std::fs::write(out.join("runs.jsonl"), jsonl).unwrap();
    let report = Command::new(RUNNER)
        .args(["report", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        report.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    assert!(String::from_utf8_lossy(&report.stderr).contains("is torn"));

    // A changed config is refused, naming the key; --force would go on.
    let file = tmp.path().join("matrix.toml");
    std::fs::write(&file, RESUMABLE.replace("repeats = 5", "repeats = 6")).unwrap();
    let resume = |extra: &[&str]| {
        Command::new(RUNNER)
            .args(["--resume", out.to_str().unwrap(), "--quiet", "--bin-dir"])
            .arg(bin_dir())
            .args(extra)
            .output()
            .unwrap()
    };
    let refused = resume(&[]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(
        said.contains("runner.repeats: 5 then, 6 now") && said.contains("--force"),
        "{said}"
    );
    std::fs::write(&file, RESUMABLE).unwrap();

    // A run that Ctrl-C cut short is recorded as interrupted: it runs again on resuming.
    let text = std::fs::read_to_string(out.join("runs.jsonl")).unwrap();
    let (kept, torn_tail) = text.rsplit_once('\n').unwrap();
    let mut lines: Vec<serde_json::Value> = kept.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    lines[0]["outcome"] = "interrupted".into();
    let rewritten: String = lines.iter().map(|r| r.to_string() + "\n").collect();
    std::fs::write(out.join("runs.jsonl"), rewritten + torn_tail).unwrap();

    // Binaries of another commit than the matrix ran at are refused; --force goes on, warned.
    let meta_path = out.join("meta.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    meta["commit"] = "0123456789ab".into();
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    let refused = resume(&[]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(
        said.contains("the matrix ran at 0123456789ab") && said.contains("--force resumes anyway"),
        "{said}"
    );

    let resumed = resume(&["--force"]);
    let said = String::from_utf8_lossy(&resumed.stderr);
    assert_eq!(resumed.status.code(), Some(0), "{said}");
    assert!(said.contains("is torn"), "{said}");
    assert!(
        said.contains("warning: resuming") && said.contains("(--force)"),
        "{said}"
    );
    assert!(
        records(&out).iter().all(|r| r["outcome"] != "interrupted"),
        "the cut-short run ran again"
    );
    assert_eq!(
        slots(&out),
        slots(&whole),
        "the same runs per job as an uninterrupted matrix"
    );
    assert!(slots(&out).values().all(|n| *n == 1));
    let all = records(&out);
    assert_eq!(all.len(), 17, "2 entries × 6 runs and the A/A control's 5");
    assert!(all.iter().all(|r| r["outcome"] == "ok"), "every kept run is ok");
    assert_eq!(summary(&out)["meta"]["interrupted"], false);
}

/// cpu-threads at `cores` against cpu-sync, six rounds: enough to rank, with runs long enough
/// (about 0.1 s in release) that two cores resolve against one loop.
const ON_CORES: &str = r#"
[cpu]
urls = 20000
passes = 40
workers = "cores"
[runner]
models = ["cpu-sync", { model = "cpu-threads", label = "cpu-threads {cpu.workers}", set = { "cpu.workers" = "cores" } }]
repeats = 6
warmup = 0
"#;

#[test]
fn merge_puts_two_machines_in_one_report_and_says_where_the_ranking_changes() {
    let (_two_tmp, two) = run_ok(ON_CORES);
    // One core stands for a smaller machine.
    let (_one_tmp, one, cmd) = runner(ON_CORES, &[]);
    let mut pinned = Command::new("taskset");
    pinned
        .args(["-c", "0"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    let done = pinned
        .output()
        .expect("taskset (util-linux) runs the runner on one core");
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let tmp = tempfile::tempdir().unwrap();
    let merged = tmp.path().join("merged");
    let out = Command::new(RUNNER)
        .arg("merge")
        .args([&one, &two])
        .arg("--out")
        .arg(&merged)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = std::fs::read_to_string(merged.join("report.md")).unwrap();
    assert!(
        report.contains("| M1 (1 core) |") && report.contains("| M2 (2 cores) |"),
        "{report}"
    );
    assert!(
        report.contains("cpu-threads 1 / cpu-threads 2"),
        "labels differ by machine: {report}"
    );
    let changes = report.split("## Where the ranking changes").nth(1).unwrap();
    let line = changes
        .lines()
        .find(|l| l.starts_with("- "))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        line.contains("cpu-threads 1 / cpu-threads 2 against cpu-sync"),
        "{line}"
    );
    assert!(
        line.contains("faster on M2 (2 cores)"),
        "two cores beat one loop: {line}"
    );
    assert!(!line.contains("faster on M1"), "one core cannot: {line}");

    // Another config is refused, naming the key.
    let (_other_tmp, other) = run_ok(&ON_CORES.replace("urls = 20000", "urls = 30000"));
    let refused = Command::new(RUNNER)
        .arg("merge")
        .args([&two, &other])
        .arg("--out")
        .arg(tmp.path().join("no"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{said}");
    assert!(said.contains("cpu.urls = 20000 against 30000"), "{said}");
}

/// A copy of run folder `from` in `to`, each record of its `runs.jsonl` passed through `edit`.
fn copied_run(from: &Path, to: &Path, edit: impl Fn(&mut serde_json::Value)) {
    std::fs::create_dir_all(to).unwrap();
    let mut lines = String::new();
    for mut record in records(from) {
        edit(&mut record);
        lines.push_str(&record.to_string());
        lines.push('\n');
    }
    std::fs::write(to.join("runs.jsonl"), lines).unwrap();
    if from.join("meta.json").is_file() {
        std::fs::copy(from.join("meta.json"), to.join("meta.json")).unwrap();
    }
}

#[test]
fn merge_refuses_another_commit_unless_forced_other_groups_one_folder_and_no_successful_run() {
    // A committed run, read only: this test runs no matrix of its own.
    let two = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../results/2026-12-02-vm-quick");
    let tmp = tempfile::tempdir().unwrap();
    let merge = |dirs: &[&Path], force: bool| {
        let mut cmd = Command::new(RUNNER);
        cmd.arg("merge")
            .args(dirs)
            .arg("--out")
            .arg(tmp.path().join("merged"));
        if force {
            cmd.arg("--force");
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // The same runs, built at another commit: refused, then merged with --force and a warning.
    let commit = tmp.path().join("other-commit");
    copied_run(&two, &commit, |r| {
        if let Some(env) = r.pointer_mut("/report/env") {
            env["git_sha"] = "0123456".into();
        }
    });
    let (code, said) = merge(&[&two, &commit], false);
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains("at 0123456") && said.contains("--force merges anyway"),
        "{said}"
    );
    let (code, said) = merge(&[&two, &commit], true);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("warning:") && said.contains("(--force)"), "{said}");
    // Other groups: one entry fewer.
    let fewer = tmp.path().join("fewer");
    copied_run(&two, &fewer, |_| {});
    let kept: Vec<String> = records(&fewer)
        .into_iter()
        .filter(|r| r["entry"] == "cpu-sync")
        .map(|r| r.to_string() + "\n")
        .collect();
    std::fs::write(fewer.join("runs.jsonl"), kept.concat()).unwrap();
    let (code, said) = merge(&[&two, &fewer], false);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("ran different groups or entries"), "{said}");
    // One folder is not a merge.
    let (code, said) = merge(&[&two], false);
    assert_eq!(code, Some(2), "{said}");
    // A folder where no run succeeded names no machine.
    let failed = tmp.path().join("failed");
    copied_run(&two, &failed, |r| {
        r["outcome"] = "failed".into();
        r["report"] = serde_json::Value::Null;
    });
    let (code, said) = merge(&[&two, &failed], false);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("no run succeeded"), "{said}");
}
