//! cpu-procs run as a user runs it: workers are real child processes fed over pipes.

use std::time::Duration;

use concbench_core::testing::{run, set_args};
use concbench_cpu::testing::expected_cpu_work;

fn exe() -> &'static str {
    crate::bin("cpu-procs")
}

#[test]
fn processes_count_the_same_work() {
    for sets in [
        ["cpu.urls=20000", "cpu.workers=2"],
        ["cpu.urls=7", "cpu.workers=10"],
    ] {
        let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
        assert_eq!(report.work, expected_cpu_work(&sets), "{sets:?}");
    }
}

#[test]
fn children_count_in_processes_and_cpu() {
    let sets = [
        "cpu.urls=200000",
        "cpu.passes=3",
        "cpu.workers=3",
        "sampler.interval_ms=10",
    ];
    let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
    assert_eq!(
        report.processes.peak,
        Some(4),
        "the parent and 3 workers: {:?}",
        report.sampler
    );
    assert!(report.threads.peak.unwrap() >= 4, "{:?}", report.threads);
    assert!(
        report.cpu.process_avg_pct > 50.0,
        "children's CPU counts: {:?}",
        report.cpu
    );
}

#[test]
fn a_worker_fed_garbage_fails_with_a_message() {
    let r = run(exe(), &["--worker"], Duration::from_secs(10));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("bad shard header"), "{}", r.stderr);
}

#[test]
fn task_cost_scenarios_one_process_per_unit() {
    concbench_cpu::testing::unit_contract(exe(), &[], "process");
}

#[test]
fn other_kernels_give_the_same_work_as_one_loop() {
    concbench_cpu::testing::kernel_contract(exe(), &["cpu.workers=3"]);
}

/// Four processes that live a few milliseconds, ended before the sampler's slow tier reads
/// them: each says its own high-water mark as it ends, so the window's peak holds them (the
/// parent and four workers of this binary: more than three times the parent's own start).
#[test]
fn short_lived_workers_count_in_the_peak() {
    let sets = ["scenario.name=spawn-only", "scenario.units=4"];
    let r = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
    let start = r.memory.rss_start_mib.expect("the window's first sample");
    assert!(
        r.memory.rss_peak_mib > 3.0 * start,
        "peak {} MiB, start {start} MiB",
        r.memory.rss_peak_mib
    );
}

/// Each item crosses a pipe once per run, whatever `cpu.passes`: the bytes sent are the same at
/// one pass and at five, at least the URLs' text, and the work still grows with the passes.
#[test]
fn each_item_is_sent_once_whatever_the_passes() {
    let sent = |passes: &str| {
        let sets = ["cpu.urls=20000", "cpu.workers=2", passes];
        let r = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
        assert_eq!(r.work, expected_cpu_work(&sets), "{sets:?}");
        let moved = r.moved.expect("cpu-procs says what it sent");
        assert!(moved.seconds > 0.0, "{moved:?}");
        (moved.bytes, r.work.units)
    };
    let (once, units_once) = sent("cpu.passes=1");
    let (five, units_five) = sent("cpu.passes=5");
    assert_eq!(once, five, "the same bytes at one pass and five");
    assert_eq!(units_five, 5 * units_once);
    let text = expected_cpu_work(&["cpu.urls=20000", "cpu.passes=1"]).bytes;
    assert!(once > text, "{once} bytes sent for {text} bytes of URLs");
}

/// Issue 30: a short tree still has a PSS figure (each worker's own reading as it ended), and
/// it is below summed RSS, which counts every shared page once per process.
#[test]
fn a_short_tree_has_its_pss_as_the_work_ended() {
    let sets = ["cpu.urls=20000", "cpu.workers=4"];
    let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
    let m = &report.memory;
    let end = m.pss_end_mib.unwrap_or_else(|| panic!("no end reading: {m:?}"));
    assert!(end > 0.0 && end < m.rss_peak_mib, "{m:?}");
}

/// The worker processes' allocations count: a process per unit that builds a vector of
/// 1,000,000 squares shows its 8 MB per unit, which the parent never allocates.
#[test]
fn the_workers_allocations_count_in_the_tree() {
    let sets = ["scenario.name=squares", "scenario.units=4"];
    let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
    let counts = report.counts.expect("counts");
    assert!(counts.per_unit.allocated_bytes >= 8_000_000.0, "{counts:?}");
}
