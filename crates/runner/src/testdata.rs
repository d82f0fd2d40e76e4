//! Synthetic run records for the unit tests: deterministic, so statistics, exports and verdicts
//! can be checked against known values and committed snapshots.

use concbench_core::report::{Family, Report};
use serde_json::json;

use crate::record::{Ending, RunRecord};

/// The family of `model`; `io-broken`, the one made-up model, is an IO entry whose runs fail.
fn family(model: &str) -> Family {
    Family::of_model(model).unwrap_or(Family::Io)
}

/// A report of `model` with the given wall time, process CPU and peak RSS.
pub fn report(model: &str, wall: f64, cpu: f64, rss: f64) -> Report {
    let family = family(model);
    let io = (family == Family::Io).then(|| {
        json!({ "ok": 100, "failed": 0, "status": {"200": 100}, "errors": {"connect": 0, "other": 0, "reset": 0, "timeout": 0},
                "in_flight_max": if model == "io-sync" { 1 } else { 50 },
                "bytes_received": 1000, "responses": 100, "req_per_s": 100.0 / wall, "bytes_per_s": 1000.0 / wall,
                "latency_ms": {"min": 1.0, "mean": 2.0, "p50": 2.0, "p90": 3.0, "p99": 4.0 + wall, "max": 5.0 + wall} })
    });
    serde_json::from_value(json!({
        "schema_version": 1, "model": model, "variant": null, "legacy": false, "family": family,
        "scenario": if family == Family::Io { "http" } else { "char-encoding" },
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
        control: None,
        entry: entry.into(),
        model: model.into(),
        family: family(model),
        scenario: "main".into(),
        sweep: None,
        group: None,
        probe_ms: None,
        index,
        warmup: false,
        outcome: Ending::Ok,
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
        outcome: Ending::Failed,
        exit_code: Some(1),
        stderr_tail: Some("error: target unreachable".into()),
        report: None,
        ..ok(entry, model, index, 1.0, 1.0, 1.0)
    }
}

/// A small two-family matrix: three CPU entries and three IO entries, three runs each.
pub fn matrix() -> Vec<RunRecord> {
    matrix_rounds(3)
}

/// [`matrix`] over `rounds` rounds (6 or more give paired speed-ups a 95 % interval).
pub fn matrix_rounds(rounds: usize) -> Vec<RunRecord> {
    let mut records = Vec::new();
    for i in 0..rounds {
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

/// A measured run of a task-cost scenario: `unit` is how the model ran a unit, `kib` the memory
/// per waiting unit (idle-scale).
#[allow(clippy::too_many_arguments)]
pub fn unit_run(
    entry: &str,
    model: &str,
    variant: Option<&str>,
    unit: &str,
    scenario: &str,
    units: u64,
    wall: f64,
    rss: f64,
    kib: Option<f64>,
) -> RunRecord {
    let mut r = ok(entry, model, 0, wall, 100.0, rss);
    r.scenario = scenario.into();
    let rep = r.report.as_mut().expect("ok has a report");
    rep.variant = variant.map(String::from);
    rep.scenario = scenario.into();
    rep.work.units = units;
    rep.config = json!({ "scenario": { "name": scenario, "units": units, "sleep_ms": 50 } });
    rep.units = Some(concbench_core::report::UnitStats {
        scenario: scenario.into(),
        unit: unit.into(),
        count: units,
        per_unit_us: wall * 1e6 / units as f64,
        rss_before_mib: kib.map(|_| 4.0),
        rss_all_started_mib: kib.map(|k| 4.0 + k * units as f64 / 1024.0),
        future_bytes: None,
        rss_per_unit_kib: kib,
        busy_retries: None,
        pss_per_unit_kib: None,
        switches: None,
        switch_ns: None,
    });
    r
}

/// Three runs each of a switch group (10,000 hand-offs): two tasks, two threads, two processes.
pub fn switch() -> Vec<RunRecord> {
    let mut records = Vec::new();
    for i in 0..3 {
        let jitter = 1.0 + i as f64 / 100.0;
        for (entry, model, unit, wall) in [
            ("tokio", "cpu-async", "task", 0.002),
            ("threads", "cpu-threads", "thread", 0.040),
            ("procs", "cpu-procs", "process", 0.050),
        ] {
            let mut r = unit_run(entry, model, None, unit, "switch", 2, wall * jitter, 10.0, None);
            r.index = i;
            let rep = r.report.as_mut().expect("ok has a report");
            rep.config["scenario"]["switches"] = json!(10_000);
            let u = rep.units.as_mut().expect("a units block");
            u.switches = Some(10_000);
            u.switch_ns = Some(wall * jitter * 1e9 / 10_000.0);
            records.push(r);
        }
    }
    records
}

/// Three runs of each entry of a spawn-only and a blocking-storm group (100 units).
pub fn task_costs() -> Vec<RunRecord> {
    let mut records = Vec::new();
    for i in 0..3 {
        let d = 1.0 + i as f64 * 0.01;
        for (entry, model, variant, unit, spawn, storm) in [
            ("cpu-sync", "cpu-sync", None, "sequential", 0.000_01, 0.80),
            (
                "tokio-ct",
                "cpu-async",
                Some("tokio-current-thread"),
                "task",
                0.000_2,
                0.82,
            ),
            (
                "tokio-mt",
                "cpu-async",
                Some("tokio-multi-thread"),
                "task",
                0.000_5,
                0.42,
            ),
            ("threads", "cpu-threads", None, "thread", 0.01, 1.2),
            ("procs", "cpu-procs", None, "process", 0.1, 1.9),
        ] {
            for (scenario, wall) in [("spawn-only", spawn), ("blocking-storm", storm)] {
                let mut r = unit_run(entry, model, variant, unit, scenario, 100, wall * d, 5.0, None);
                r.index = i;
                records.push(r);
            }
        }
    }
    records
}

/// An idle-scale sweep: tokio tasks at 1, 1,000 and 100,000 units; threads at 1 and 1,000,
/// refused at 20,000. Two runs per point.
pub fn idle_sweep() -> Vec<RunRecord> {
    let mut records = Vec::new();
    let point = |series: &str, value: f64| crate::record::SweepPoint {
        axis: "units waiting".into(),
        key: "scenario.units".into(),
        value,
        series: series.into(),
    };
    for i in 0..2 {
        let d = i as f64 * 0.1;
        const TOKIO: (&str, &str, Option<&str>, &str) =
            ("tokio", "cpu-async", Some("tokio-current-thread"), "task");
        const THREADS: (&str, &str, Option<&str>, &str) = ("threads", "cpu-threads", None, "thread");
        for ((series, model, variant, unit), units, rss, kib) in [
            (TOKIO, 1u64, 5.0, 100.0),
            (TOKIO, 1_000, 5.5, 0.6),
            (TOKIO, 100_000, 62.0, 0.58),
            (THREADS, 1, 4.5, 12.0),
            (THREADS, 1_000, 14.5, 10.0),
        ] {
            let label = format!("{series} @ scenario.units={units}");
            let mut r = unit_run(
                &label,
                model,
                variant,
                unit,
                "idle-scale",
                units,
                0.1,
                rss + d,
                Some(kib),
            );
            r.index = i;
            r.sweep = Some(point(series, units as f64));
            records.push(r);
        }
        let mut refused = failed("threads @ scenario.units=20000", "cpu-threads", i);
        refused.scenario = "idle-scale".into();
        refused.stderr_tail = Some(
            "Error: 20000 threads would need about 72536 memory maps, more than vm.max_map_count = 65530 allows".into(),
        );
        refused.sweep = Some(point("threads", 20_000.0));
        records.push(refused);
    }
    records
}

/// An open-loop run of `model` at `rate` req/s that achieved `achieved`, with the plain and the
/// corrected p99 (ms), a send-delay p99 and dropped requests (of 100).
pub fn open_run(
    model: &str,
    rate: f64,
    achieved: f64,
    plain_p99: f64,
    corrected_p99: f64,
    dropped: u64,
) -> RunRecord {
    let mut r = ok(model, model, 0, 100.0 / rate, 10.0, 10.0);
    let io = r
        .report
        .as_mut()
        .and_then(|rep| rep.io.as_mut())
        .expect("an IO report");
    io.latency_ms.p99 = plain_p99;
    io.ok = 100 - dropped;
    io.failed = 0; // a dropped request is its own kind
    io.responses = 100 - dropped;
    io.errors.insert("dropped".into(), dropped);
    let latency = |p99: f64| concbench_core::report::Latency {
        min: 10.0,
        mean: p99 / 2.0,
        p50: p99 / 2.0,
        p90: p99 * 0.9,
        p99,
        p999: p99 * 1.1,
        max: p99 * 1.2,
    };
    io.open_loop = Some(concbench_core::report::OpenLoop {
        offered_per_s: rate,
        achieved_per_s: achieved,
        schedule_s: 100.0 / rate,
        late: if corrected_p99 > 2.0 * plain_p99 { 50 } else { 0 },
        dropped,
        corrected_ms: latency(corrected_p99),
        send_delay_ms: latency(corrected_p99 - plain_p99),
    });
    r
}

/// A sweep over `io.rate` of three series, two runs per point: `tokio` keeps up everywhere,
/// `threads` falls behind from 4,000 req/s on (with a noisy point at 2,000 that is not its
/// knee), `sync` is past its capacity from the lowest rate.
pub fn rate_sweep() -> Vec<RunRecord> {
    let mut records = Vec::new();
    for i in 0..2 {
        for (series, model, points) in [
            (
                "tokio",
                "io-tokio",
                [
                    (1000.0, 1000.0, 12.0, 13.0),
                    (2000.0, 2000.0, 12.0, 13.0),
                    (4000.0, 3990.0, 12.0, 14.0),
                    (8000.0, 7990.0, 12.5, 16.0),
                ],
            ),
            (
                "threads",
                "io-threads",
                [
                    (1000.0, 1000.0, 12.0, 12.0),
                    (2000.0, 2000.0, 30.0, 40.0),
                    (4000.0, 3000.0, 40.0, 300.0),
                    (8000.0, 3100.0, 41.0, 900.0),
                ],
            ),
            (
                "sync",
                "io-sync",
                [
                    (1000.0, 87.0, 11.5, 900.0),
                    (2000.0, 87.0, 11.5, 950.0),
                    (4000.0, 87.0, 11.5, 990.0),
                    (8000.0, 87.0, 11.5, 999.0),
                ],
            ),
        ] {
            for (rate, achieved, plain, corrected) in points {
                let mut r = open_run(model, rate, achieved, plain, corrected, 0);
                r.entry = format!("{series} @ io.rate={rate}");
                r.index = i;
                r.sweep = Some(crate::record::SweepPoint {
                    axis: "offered rate (req/s)".into(),
                    key: "io.rate".into(),
                    value: rate,
                    series: series.into(),
                });
                records.push(r);
            }
        }
    }
    records
}
