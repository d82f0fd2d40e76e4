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
