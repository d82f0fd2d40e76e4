//! serve-procs run as a user runs it: the real binary, its real workers and load generator.

fn exe() -> &'static str {
    crate::bin("serve-procs")
}

#[test]
fn serve_contract() {
    concbench_echo::testing::contract(exe(), 1000);
}

/// Two workers and the parent: counted as the server's processes in the memory read with every
/// connection held, and the PSS sum below the RSS sum (the workers share this binary's pages).
#[test]
fn workers_are_the_servers_processes_and_pss_counts_shared_pages_once() {
    let r = concbench_echo::testing::report(
        exe(),
        &["serve.connections=200", "serve.workers=2", "serve.hold_ms=300"],
    );
    let s = r.serve.as_ref().expect("a serve block");
    assert_eq!((s.round_trips, s.failed), (2000, 0), "{:?}", s.errors);
    let held = s.held.as_ref().expect("memory read with the connections held");
    assert_eq!(held.processes, 3);
    assert_eq!(s.accepted_by.len(), 2, "one count per worker");
    assert_eq!(s.accepted_by.iter().sum::<u64>(), 200);
    assert!(held.pss_mib < held.rss_mib * 0.8, "{held:?}");
}

/// One of two workers killed (SIGKILL) while the load generator holds its connections: the run
/// ends within its bounds, exit 1, naming the worker and the signal and giving the load
/// generator's counts, of which the killed worker's connections are failures.
#[test]
fn a_worker_killed_mid_run_is_reported_not_hung_on() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let args = concbench_core::testing::set_args(&[
        "serve.connections=100",
        "serve.workers=2",
        "serve.hold_ms=1500",
        "serve.timeout_ms=3000",
    ]);
    let server = Command::new(exe())
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting serve-procs");
    let deadline = Instant::now() + Duration::from_secs(20);
    let worker: Vec<u32> = loop {
        let workers: Vec<u32> = concbench_echo::testing::children(server.id())
            .into_iter()
            .filter(|(_, cmd)| cmd.contains("--worker"))
            .map(|(pid, _)| pid)
            .collect();
        let loadgen_in = concbench_echo::testing::children(server.id())
            .iter()
            .any(|(_, cmd)| cmd.contains("--loadgen"));
        if workers.len() == 2 && loadgen_in {
            break workers;
        }
        assert!(
            Instant::now() < deadline,
            "no workers and load generator within 20 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(500)); // the connections are in, held
    // The kernel need not spread the connections evenly: kill the worker holding the most.
    let open = |pid: &u32| std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count());
    let worker = worker.into_iter().max_by_key(open).expect("two workers");
    let killed = Command::new("kill")
        .args(["-KILL", &worker.to_string()])
        .status()
        .expect("running kill");
    assert!(killed.success());
    let start = Instant::now();
    let out = server.wait_with_output().expect("waiting for serve-procs");
    assert!(start.elapsed() < Duration::from_secs(30), "bounded");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("(pid {worker}) ended during the run: signal: 9")),
        "{stderr}"
    );
    let echoed = stderr
        .split("had ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .expect("the echoed count in the error");
    assert!(echoed < 1000, "the killed worker's connections failed: {stderr}");
    assert!(stderr.contains(&format!("{} failed", 1000 - echoed)), "{stderr}");
}

/// A run of a few milliseconds ends before the sampler's slow tier reads the workers: their
/// high-water marks, read just before they are told to stop, are still in the peak (the parent
/// and two workers of this binary: more than twice the parent's own start).
#[test]
fn a_short_runs_peak_includes_the_workers() {
    let r = concbench_echo::testing::report(exe(), &["serve.connections=1", "serve.workers=2"]);
    let start = r.memory.rss_start_mib.expect("the window's first sample");
    assert!(
        r.memory.rss_peak_mib > 2.0 * start,
        "peak {} MiB, start {start} MiB",
        r.memory.rss_peak_mib
    );
}
