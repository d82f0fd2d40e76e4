//! The checks every IO model's integration tests run against its real binary and a real
//! bench-server (spawned by the binary, as a user's run does). Each model's `tests/cli.rs` calls
//! [`contract`]; the expected values are computed here independently of the models.

use std::time::{Duration, Instant};

use concbench_core::report::Report;
use concbench_core::testing::{run, set_args};

use crate::tally::{Answer, ErrorKind, HttpTally, Timing};

/// The bound on one test run of a model.
pub const LIMIT: Duration = Duration::from_secs(60);

/// The issue's mixed endpoint list: 200s, a 503, a delay, bytes, and an echo with the index.
pub const MIXED: &str =
    r#"io.endpoints=["/get", "/status/200", "/status/503", "/delay/0.05", "/bytes/1024", "/anything/{i}"]"#;

/// What `requests` of [`MIXED`] must give: every request answered, `/status/503` with 503.
pub fn expected_mixed(requests: usize) -> HttpTally {
    let mut tally = HttpTally::default();
    for i in 0..requests {
        let status = if i % 6 == 2 { 503 } else { 200 };
        tally.record(
            i,
            &Ok(Answer { status, bytes: 0 }),
            Timing::closed(Duration::from_millis(1)),
        );
    }
    tally
}

/// Runs `exe` with `sets` plus `extra` and returns its report, failing on a non-zero exit.
pub fn report(exe: &str, sets: &[&str], extra: &[&str]) -> Report {
    let all: Vec<&str> = sets.iter().chain(extra).copied().collect();
    run(exe, &set_args(&all), LIMIT).report()
}

/// Every check of the IO contract, with `extra` settings (e.g. a hybrid mode) on every run.
pub fn contract(exe: &str, extra: &[&str]) {
    mixed_endpoints_give_exact_counts(exe, extra);
    bodies_are_counted_and_sunk(exe, extra);
    timeouts_are_counted_and_the_run_finishes(exe, extra);
    unreachable_target_is_exit_1_naming_it(exe, extra);
    open_loop_keeps_the_schedule_and_the_work(exe, extra);
    open_loop_drops_what_falls_too_far_behind(exe, extra);
}

/// `io.rate`: the same 60 requests as [`mixed_endpoints_give_exact_counts`], sent on a schedule
/// of 200 per second: the same checksum, none sent before it was due, the corrected latency at
/// least the plain one.
pub fn open_loop_keeps_the_schedule_and_the_work(exe: &str, extra: &[&str]) {
    let sets = [
        MIXED,
        "io.requests=60",
        "io.concurrency=7",
        "io.workers=3",
        "io.rate=200",
    ];
    let r = report(exe, &sets, extra);
    let io = r.io.as_ref().expect("an io block");
    assert_eq!(
        r.work.checksum,
        expected_mixed(60).work().checksum,
        "the schedule changes no work"
    );
    assert_eq!((io.ok, io.failed), (50, 10));
    let open = io.open_loop.as_ref().expect("an open_loop block");
    assert_eq!(
        (open.offered_per_s, open.schedule_s, open.dropped),
        (200.0, 0.3, 0)
    );
    assert!(
        r.wall_s >= 59.0 / 200.0,
        "request 59 is due at 295 ms: wall {}",
        r.wall_s
    );
    let (plain, corrected) = (&io.latency_ms, &open.corrected_ms);
    assert!(
        corrected.p50 >= plain.p50 && corrected.p99 >= plain.p99 && corrected.max >= plain.max,
        "a send is never before its schedule: plain {plain:?}, corrected {corrected:?}"
    );
    assert!(open.achieved_per_s > 0.0 && open.send_delay_ms.min >= 0.0);
}

/// 40 requests due within 40 ms, each taking 200 ms, at most 2 in flight, a 300 ms timeout:
/// the requests a worker reaches more than 300 ms late are dropped, counted and never sent,
/// so the run ends in about half a second instead of four.
pub fn open_loop_drops_what_falls_too_far_behind(exe: &str, extra: &[&str]) {
    let sets = [
        r#"io.endpoints=["/delay/0.2"]"#,
        "io.requests=40",
        "io.rate=1000",
        "io.timeout_ms=300",
        "io.concurrency=2",
        "io.workers=2",
    ];
    let start = Instant::now();
    let r = report(exe, &sets, extra);
    let io = r.io.as_ref().unwrap();
    let open = io.open_loop.as_ref().expect("an open_loop block");
    assert!(
        open.dropped >= 30,
        "at most a few requests can be sent in time: {open:?}"
    );
    assert_eq!(io.errors["dropped"], open.dropped);
    assert_eq!(
        io.failed, 0,
        "a dropped request is its own kind, not a failure: {io:?}"
    );
    assert_eq!(
        io.ok + open.dropped,
        40,
        "every request answered or dropped: {:?}",
        io.errors
    );
    assert!(open.late >= 1, "the second wave is sent late: {open:?}");
    assert!(
        start.elapsed() < Duration::from_secs(6),
        "bounded by the timeout, not 40 × 200 ms"
    );
}

/// 60 requests over [`MIXED`]: the same statuses, counts and checksum in every model.
pub fn mixed_endpoints_give_exact_counts(exe: &str, extra: &[&str]) {
    let r = report(
        exe,
        &[MIXED, "io.requests=60", "io.concurrency=7", "io.workers=3"],
        extra,
    );
    let io = r.io.as_ref().expect("an io block");
    let expected = expected_mixed(60);
    assert_eq!((r.family.name(), r.scenario.as_str()), ("io", "http"));
    assert_eq!(r.work.units, 60);
    assert_eq!(
        r.work.checksum,
        expected.work().checksum,
        "same requests, same statuses"
    );
    assert_eq!(io.status, expected.stats().status);
    assert_eq!((io.ok, io.failed, io.responses), (50, 10, 60));
    assert!(io.errors.values().all(|n| *n == 0), "{:?}", io.errors);
    assert!(
        io.bytes_received > 10 * 1024,
        "ten /bytes/1024 bodies and the echoes"
    );
    assert!(io.latency_ms.min > 0.0 && io.latency_ms.min <= io.latency_ms.p50);
    assert!(
        io.latency_ms.max >= 50.0,
        "/delay/0.05 takes 50 ms: {:?}",
        io.latency_ms
    );
    assert!(io.req_per_s > 0.0 && r.wall_s > 0.05);
}

/// `/bytes/{i}` for i in 0..40 is 780 bytes, also with every body appended to a file and
/// without keep-alive.
pub fn bodies_are_counted_and_sunk(exe: &str, extra: &[&str]) {
    let sets = [
        r#"io.endpoints=["/bytes/{i}"]"#,
        "io.requests=40",
        "io.concurrency=4",
        "io.workers=2",
    ];
    for more in [&[][..], &["io.sink=file", "io.keep_alive=false"][..]] {
        let all: Vec<&str> = extra.iter().chain(more).copied().collect();
        let r = report(exe, &sets, &all);
        assert_eq!(r.work.bytes, (0..40).sum::<u64>(), "{more:?}");
        assert_eq!(r.io.as_ref().unwrap().ok, 40, "{more:?}");
    }
}

/// A timeout below a delay is counted as a timeout; the other requests are unaffected.
pub fn timeouts_are_counted_and_the_run_finishes(exe: &str, extra: &[&str]) {
    let sets = [
        r#"io.endpoints=["/delay/3", "/get"]"#,
        "io.requests=6",
        "io.timeout_ms=300",
        "io.concurrency=3",
    ];
    let start = Instant::now();
    let r = report(exe, &sets, &[&["io.workers=3"][..], extra].concat());
    let io = r.io.as_ref().unwrap();
    assert_eq!(io.errors["timeout"], 3, "{:?}", io.errors);
    assert_eq!((io.ok, io.failed), (3, 3));
    let mut expected = HttpTally::default();
    for i in 0..6 {
        let fetch = if i % 2 == 0 {
            Err(ErrorKind::Timeout)
        } else {
            Ok(Answer {
                status: 200,
                bytes: 0,
            })
        };
        expected.record(i, &fetch, Timing::default());
    }
    assert_eq!(r.work.checksum, expected.work().checksum);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "bounded by the timeout, not the delay"
    );
}

/// A target nobody listens on: exit 1 within seconds, with a message naming it.
pub fn unreachable_target_is_exit_1_naming_it(exe: &str, extra: &[&str]) {
    let start = Instant::now();
    let all: Vec<&str> = ["io.target=http://127.0.0.1:1"]
        .iter()
        .chain(extra)
        .copied()
        .collect();
    let r = run(exe, &set_args(&all), LIMIT);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "no report when the run could not be done");
    assert!(
        r.stderr.contains("http://127.0.0.1:1") && r.stderr.contains("unreachable"),
        "{}",
        r.stderr
    );
    assert!(start.elapsed() < Duration::from_secs(10));
}
