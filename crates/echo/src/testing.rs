//! The checks every serving model's integration tests run against its real binary and its real
//! load generator.

use std::time::{Duration, Instant};

use concbench_core::report::Report;
use concbench_core::testing::{run, set_args};

use crate::proto;

/// The bound on one test run.
pub const LIMIT: Duration = Duration::from_secs(120);

/// Runs `exe` with `sets` and returns its report, failing on a non-zero exit.
pub fn report(exe: &str, sets: &[&str]) -> Report {
    run(exe, &set_args(sets), LIMIT).report()
}

/// Every check of the serving contract; `connections` is how many the model is asked to hold.
pub fn contract(exe: &str, connections: usize) {
    every_echo_is_checked_and_the_checksum_is_the_same(exe, connections);
    timeouts_are_counted_and_the_run_ends(exe);
}

/// `connections` × 10 round trips of 64 bytes: all echoed right, the checksum computed here.
pub fn every_echo_is_checked_and_the_checksum_is_the_same(exe: &str, connections: usize) {
    let n = connections.to_string();
    let set = format!("serve.connections={n}");
    let r = report(exe, &[&set, "serve.round_trips=10", "serve.message_bytes=64"]);
    assert_eq!(r.family.name(), "serve");
    let s = r.serve.as_ref().expect("a serve block");
    assert_eq!(
        (s.connections, s.connected),
        (connections as u64, connections as u64)
    );
    assert_eq!(
        (s.round_trips, s.failed),
        (connections as u64 * 10, 0),
        "{:?}",
        s.errors
    );
    assert_eq!(r.work.units, connections as u64 * 10);
    assert_eq!(r.work.bytes, connections as u64 * 640);
    assert_eq!(
        r.work.checksum,
        format!("{:016x}", proto::expected_checksum(connections, 10, 64))
    );
    assert!(s.latency_ms.min > 0.0 && s.latency_ms.min <= s.latency_ms.p50);
    assert!(s.round_trips_per_s > 0.0 && s.loadgen_cpu_s > 0.0);
}

/// A server that waits 500 ms before each echo, a client that waits 100 ms at most: every round
/// trip is a counted timeout, and the run ends within seconds.
pub fn timeouts_are_counted_and_the_run_ends(exe: &str) {
    let start = Instant::now();
    let r = report(
        exe,
        &[
            "serve.connections=4",
            "serve.round_trips=3",
            "serve.work_ms=500",
            "serve.timeout_ms=100",
        ],
    );
    let s = r.serve.as_ref().expect("a serve block");
    assert_eq!((s.round_trips, s.failed), (0, 12), "{:?}", s.errors);
    assert_eq!(s.errors["timeout"], 12, "{:?}", s.errors);
    assert_eq!(r.work.checksum, format!("{:016x}", 0));
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "bounded by the timeouts"
    );
}
