//! cpu-may run as a user runs it: same work as every CPU model, as may coroutines.

use std::time::Duration;

use concbench_core::testing::{run, set_args};

fn exe() -> &'static str {
    crate::bin("cpu-may")
}

#[test]
fn coroutines_count_the_same_work_with_any_chunking() {
    concbench_cpu::testing::chunking_contract(exe(), "cpu-may");
}

#[test]
fn other_kernels_give_the_same_work_as_one_loop() {
    concbench_cpu::testing::kernel_contract(exe(), &["cpu.workers=3"]);
}

#[test]
fn task_cost_scenarios_as_coroutines() {
    concbench_cpu::testing::unit_contract(exe(), &["cpu.workers=2"], "coroutine");
}

#[test]
fn a_sleeping_coroutine_leaves_its_thread_to_the_others() {
    // 200 units of 50 ms on 2 threads: together, not 5 s one after another.
    let sets = [
        "scenario.name=sleep-fixed",
        "scenario.units=200",
        "scenario.sleep_ms=50",
        "cpu.workers=2",
    ];
    let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
    assert!(
        report.wall_s >= 0.05 && report.wall_s < 2.0,
        "the coroutines slept at once: {} s",
        report.wall_s
    );
    assert_eq!(report.variant.as_deref(), Some("stack 32 KiB"));
}
