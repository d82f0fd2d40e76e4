//! Synthetic run records for the unit tests: deterministic, so statistics, exports and verdicts
//! can be checked against known values and committed snapshots.

use concbench_core::report::Report;
use serde_json::json;

use crate::record::{Outcome, RunRecord};

/// A report of `model` with the given wall time, process CPU and peak RSS.
pub fn report(model: &str, wall: f64, cpu: f64, rss: f64) -> Report {
    let family = if model.starts_with("io-") { "io" } else { "cpu" };
    let io = (family == "io").then(|| {
        json!({ "ok": 100, "failed": 0, "status": {"200": 100}, "errors": {"connect": 0, "other": 0, "reset": 0, "timeout": 0},
                "bytes_received": 1000, "responses": 100, "req_per_s": 100.0 / wall, "bytes_per_s": 1000.0 / wall,
                "latency_ms": {"min": 1.0, "mean": 2.0, "p50": 2.0, "p90": 3.0, "p99": 4.0 + wall, "max": 5.0 + wall} })
    });
    serde_json::from_value(json!({
        "schema_version": 1, "model": model, "variant": null, "legacy": false, "family": family,
        "scenario": if family == "io" { "http" } else { "char-encoding" },
        "config": { "cpu": { "urls": 1000 }, "io": { "requests": 100 } },
        "started_at": "2026-01-01T00:00:00Z", "wall_s": wall,
        "work": { "units": 100, "bytes": 1000, "checksum": "00000000000000aa" },
        "io": io,
        "cpu": { "process_avg_pct": cpu, "process_max_pct": cpu, "system_avg_pct": cpu / 2.0, "system_max_pct": cpu / 2.0 },
        "memory": { "rss_peak_mib": rss, "rss_avg_mib": rss },
        "threads": { "peak": 2 }, "processes": { "peak": 1 }, "samples": 3,
        "sampler": { "interval_ms": 50, "cpu_s": 0.001, "overhead_pct": 0.1 },
        "env": { "os": "TestOS", "kernel": "1.0", "cpu_model": "Test CPU", "cores_logical": 2, "mem_total_mib": 1024,
                 "host": "test", "rustc": "rustc 1.95.0", "git_sha": "0123456789ab", "profile": "release" }
    }))
    .expect("a valid synthetic report")
}

/// A measured, successful run record of `entry`.
pub fn ok(entry: &str, model: &str, index: usize, wall: f64, cpu: f64, rss: f64) -> RunRecord {
    RunRecord {
        entry: entry.into(),
        model: model.into(),
        family: crate::record::family_of(model).into(),
        index,
        warmup: false,
        outcome: Outcome::Ok,
        exit_code: Some(0),
        signal: None,
        stderr_tail: None,
        args: vec![],
        elapsed_s: wall + 0.01,
        runner_ms: 1.0 + index as f64,
        report: Some(report(model, wall, cpu, rss)),
    }
}

/// A measured run of `entry` that failed with exit 1.
pub fn failed(entry: &str, model: &str, index: usize) -> RunRecord {
    RunRecord {
        outcome: Outcome::Failed,
        exit_code: Some(1),
        stderr_tail: Some("error: target unreachable".into()),
        report: None,
        ..ok(entry, model, index, 1.0, 1.0, 1.0)
    }
}

/// A small two-family matrix: three CPU entries and three IO entries, three runs each.
pub fn matrix() -> Vec<RunRecord> {
    let mut records = Vec::new();
    for i in 0..3 {
        let d = i as f64 * 0.01;
        records.push(ok("cpu-sync", "cpu-sync", i, 1.00 + d, 100.0, 50.0));
        records.push(ok("cpu-threads 2", "cpu-threads", i, 0.55 + d, 195.0, 52.0));
        records.push(ok("cpu-procs 2", "cpu-procs", i, 1.01 + d, 180.0, 120.0));
        records.push(ok("io-sync", "io-sync", i, 10.0 + d, 2.0, 6.0));
        records.push(ok("io-tokio", "io-tokio", i, 0.30 + d, 20.0, 20.0));
        records.push(failed("io-broken", "io-threads", i));
    }
    let mut warmup = ok("cpu-sync", "cpu-sync", 0, 50.0, 1.0, 1.0);
    warmup.warmup = true;
    records.push(warmup);
    records
}

/// The matrix order of [`matrix`]'s labels.
pub fn order() -> Vec<String> {
    [
        "cpu-sync",
        "cpu-threads 2",
        "cpu-procs 2",
        "io-sync",
        "io-tokio",
        "io-broken",
    ]
    .map(String::from)
    .to_vec()
}
