//! The checks every serving model's integration tests run against its real binary and its real
//! load generator.

use std::process::{Command, Stdio};
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
    uneven_load_keeps_the_work(exe);
    timeouts_are_counted_and_the_run_ends(exe);
    shares_of_two_load_generators_add_up(exe);
    a_limit_past_the_machine_is_refused_by_name(exe);
    a_killed_server_leaves_no_load_generator(exe);
}

/// Under uneven load (a quarter of 40 connections heavy, each of their messages 10 times a
/// spin of 2,000 rounds): every echo right, and the checksum the marked messages give.
pub fn uneven_load_keeps_the_work(exe: &str) {
    let sets = [
        "serve.connections=40",
        "serve.round_trips=5",
        "serve.message_bytes=64",
        "serve.spin_rounds=2000",
        "serve.heavy_share=0.25",
        "serve.heavy_factor=10",
    ];
    let r = report(exe, &sets);
    let s = r.serve.as_ref().expect("a serve block");
    assert_eq!((s.round_trips, s.failed), (200, 0), "{:?}", s.errors);
    let expected = proto::expected_checksum(40, 5, 64, 0.25);
    assert_ne!(
        expected,
        proto::expected_checksum(40, 5, 64, 0.0),
        "the marks are part of the work"
    );
    assert_eq!(r.work.checksum, format!("{expected:016x}"));
}

/// For a server of several loops on one listener ([`crate::loops`]): three loops give one
/// count each, adding up to the connections, and every echo is right.
pub fn each_loop_counts_the_connections_it_took(exe: &str) {
    let sets = [
        "serve.connections=300",
        "serve.workers=3",
        "serve.round_trips=10",
        "serve.message_bytes=64",
    ];
    let r = report(exe, &sets);
    let s = r.serve.as_ref().expect("a serve block");
    assert_eq!(s.accepted_by.len(), 3, "{:?}", s.accepted_by);
    assert_eq!(s.accepted_by.iter().sum::<u64>(), 300);
    assert_eq!((s.round_trips, s.failed), (3000, 0), "{:?}", s.errors);
    assert_eq!(
        r.work.checksum,
        format!("{:016x}", proto::expected_checksum(300, 10, 64, 0.0))
    );
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
        format!("{:016x}", proto::expected_checksum(connections, 10, 64, 0.0))
    );
    assert!(s.latency_ms.min > 0.0 && s.latency_ms.min <= s.latency_ms.p50);
    assert!(s.round_trips_per_s > 0.0 && s.loadgen_cpu_s > 0.0);
    // A server with several loops on one listener says which took how many: all of them.
    if !s.accepted_by.is_empty() {
        assert_eq!(
            s.accepted_by.iter().sum::<u64>(),
            connections as u64,
            "{:?}",
            s.accepted_by
        );
    }
    // The rate is over the round-trip phase, which lies within the window.
    assert!(
        s.round_trips_s > 0.0 && s.round_trips_s < r.wall_s,
        "{} of {}",
        s.round_trips_s,
        r.wall_s
    );
    let rate = s.round_trips as f64 / s.round_trips_s;
    assert!((s.round_trips_per_s - rate).abs() < 1e-6 * rate);
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

/// Two load generators, each with half of 40 connections held 150 ms: the same checksum as one,
/// both counted, and the server's memory read while every connection was open.
pub fn shares_of_two_load_generators_add_up(exe: &str) {
    let r = report(
        exe,
        &[
            "serve.connections=40",
            "serve.round_trips=5",
            "serve.loadgens=2",
            "serve.hold_ms=150",
        ],
    );
    let s = r.serve.as_ref().expect("a serve block");
    assert_eq!((s.loadgens, s.connections, s.connected), (2, 40, 40));
    assert_eq!((s.round_trips, s.failed), (200, 0), "{:?}", s.errors);
    assert_eq!(
        r.work.checksum,
        format!("{:016x}", proto::expected_checksum(40, 5, 64, 0.0))
    );
    // The 150 ms hold (a sleep in the window) is not in the round-trip phase.
    assert!(
        s.round_trips_s < r.wall_s - 0.15,
        "{} of {}",
        s.round_trips_s,
        r.wall_s
    );
    let held = s.held.as_ref().expect("memory read with the connections held");
    // The server's processes, not the load generators' (the sampler gives a peak on longer runs).
    assert!(held.processes >= 1);
    if let Some(peak) = r.processes.peak {
        assert_eq!(held.processes, peak);
    }
    assert!(
        held.pss_mib > 0.0 && held.pss_mib <= held.rss_mib + 0.01,
        "{held:?}"
    );
}

/// More connections than any machine here allows (100,000: past the file-descriptor limit or the
/// local port range): exit 1 before the window, the limit named, no report.
pub fn a_limit_past_the_machine_is_refused_by_name(exe: &str) {
    let r = run(exe, &set_args(&["serve.connections=100000"]), LIMIT);
    assert_eq!(r.code, Some(1), "stderr: {}", r.stderr);
    assert!(
        r.stderr.contains("RLIMIT_NOFILE") || r.stderr.contains("ip_local_port_range"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.trim().is_empty(), "{}", r.stdout);
}

/// The server killed (SIGKILL) while its load generator holds 50 connections: the load generator
/// sees them end and exits too, within its hold and timeouts, instead of hanging on.
pub fn a_killed_server_leaves_no_load_generator(exe: &str) {
    let args = set_args(&[
        "serve.connections=50",
        "serve.hold_ms=1000",
        "serve.timeout_ms=2000",
    ]);
    let mut server = Command::new(exe)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the server");
    let loadgen = within(Duration::from_secs(20), || {
        children(server.id())
            .into_iter()
            .find(|(_, cmd)| cmd.contains("--loadgen"))
            .map(|(pid, _)| pid)
    });
    let _ = server.kill();
    let _ = server.wait();
    let loadgen = loadgen.expect("the load generator started within 20 s");
    assert!(
        within(Duration::from_secs(20), || (!alive(loadgen)).then_some(())).is_some(),
        "the load generator (pid {loadgen}) outlived its killed server by 20 s"
    );
}

/// Polls `f` every 20 ms until it gives a value or `limit` passes.
fn within<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The children of `pid`, with their command lines.
pub fn children(pid: u32) -> Vec<(u32, String)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&p| stat_fields(p).is_some_and(|(_, ppid)| ppid == pid))
        .map(|p| {
            let cmd = std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default();
            (p, String::from_utf8_lossy(&cmd).replace('\0', " "))
        })
        .collect()
}

/// Whether `pid` runs (exists and is not a zombie).
pub fn alive(pid: u32) -> bool {
    stat_fields(pid).is_some_and(|(state, _)| state != "Z")
}

/// The state letter and parent of `pid` (fields 3 and 4 of `/proc/PID/stat`).
fn stat_fields(pid: u32) -> Option<(String, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut rest = stat.get(stat.rfind(')')? + 1..)?.split_whitespace();
    Some((rest.next()?.to_string(), rest.next()?.parse().ok()?))
}
