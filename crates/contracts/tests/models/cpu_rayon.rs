//! cpu-rayon run as a user runs it: same work as every CPU model, on rayon's pool.

use std::time::Duration;

use concbench_core::testing::{run, set_args};

fn exe() -> &'static str {
    crate::bin("cpu-rayon")
}

#[test]
fn rayon_counts_the_same_work_with_any_chunking() {
    concbench_cpu::testing::chunking_contract(exe(), "cpu-rayon");
}

#[test]
fn the_pool_threads_show_in_the_thread_count() {
    let sets = ["cpu.passes=30", "cpu.workers=5"];
    let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
    // main + 5 pool threads; the sampler is not counted.
    assert_eq!(report.threads.peak, Some(6), "{:?}", report.threads);
}

#[test]
fn task_cost_scenarios_as_rayon_jobs() {
    concbench_cpu::testing::unit_contract(exe(), &["cpu.workers=2"], "rayon");
}

#[test]
fn a_sleeping_job_blocks_its_worker() {
    // 20 units of 20 ms on 2 workers: 10 after another on each, at least 200 ms.
    let sets = [
        "scenario.name=sleep-fixed",
        "scenario.units=20",
        "scenario.sleep_ms=20",
        "cpu.workers=2",
    ];
    let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
    assert!(
        report.wall_s >= 0.2,
        "the sleeps serialise on the workers: {} s",
        report.wall_s
    );
}

#[test]
fn other_kernels_give_the_same_work_as_one_loop() {
    concbench_cpu::testing::kernel_contract(exe(), &["cpu.workers=3"]);
}
