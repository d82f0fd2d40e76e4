//! cpu-threads run as a user runs it: same work as every CPU model, on a pool of threads.

use std::time::Duration;

use concbench_core::testing::{run, set_args};

fn exe() -> &'static str {
    crate::bin("cpu-threads")
}

#[test]
fn pool_counts_the_same_work_with_any_chunking() {
    concbench_cpu::testing::chunking_contract(exe(), "cpu-threads");
}

#[test]
fn pool_threads_show_in_the_thread_count() {
    let sets = ["cpu.passes=30", "cpu.workers=6"];
    let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
    // main + 6 pool threads; the sampler is not counted.
    assert_eq!(report.threads.peak, Some(7), "{:?}", report.threads);
}

#[test]
fn task_cost_scenarios_one_thread_per_unit() {
    concbench_cpu::testing::unit_contract(exe(), &[], "thread");
}

#[test]
fn task_cost_scenarios_on_the_pool() {
    concbench_cpu::testing::unit_contract(exe(), &["scenario.threads=pool", "cpu.workers=3"], "pool");
}

#[test]
fn other_kernels_give_the_same_work_as_one_loop() {
    concbench_cpu::testing::kernel_contract(exe(), &["cpu.workers=3"]);
}

/// Issue 30 E, a known case: a thread per unit that sleeps waits at least once per unit, and
/// the kernel's count of voluntary switches shows it.
#[test]
fn a_thread_per_unit_that_sleeps_switches_voluntarily_at_least_once_a_unit() {
    let sets = [
        "scenario.name=sleep-fixed",
        "scenario.units=50",
        "scenario.sleep_ms=5",
    ];
    let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
    let counts = report.counts.expect("counts in every Rust model's report");
    assert_eq!(report.work.units, 50);
    assert!(
        counts.voluntary_switches >= 50 && counts.per_unit.voluntary_switches >= 1.0,
        "{counts:?}"
    );
}

/// A unit that reads its own file makes at least one read call a unit.
#[test]
fn a_unit_that_reads_a_file_makes_read_calls() {
    let sets = ["scenario.name=file-read", "scenario.units=20"];
    let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
    let counts = report.counts.expect("counts");
    assert!(counts.per_unit.read_syscalls >= 1.0, "{counts:?}");
}

/// Issue 30 E, a known case: a unit that builds a vector of 1,000,000 squares (8 MB) allocates
/// at least once and at least 8,000,000 bytes.
#[test]
fn a_unit_that_builds_a_vector_counts_its_allocation_and_bytes() {
    let sets = ["scenario.name=squares", "scenario.units=10"];
    let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
    let counts = report.counts.expect("counts");
    assert!(
        counts.per_unit.allocations >= 1.0 && counts.per_unit.allocated_bytes >= 8_000_000.0,
        "{counts:?}"
    );
}
