//! cpu-async run as a user runs it, on every runtime: identical work, labelled by runtime.

use std::time::Duration;

use concbench_core::testing::{run, set_args};
use concbench_cpu::testing::expected_cpu_work;

fn exe() -> &'static str {
    crate::bin("cpu-async")
}

#[test]
fn every_runtime_counts_the_same_work() {
    let expected = expected_cpu_work(&["cpu.urls=20000"]);
    for runtime in ["tokio-current-thread", "tokio-multi-thread", "smol", "async-std"] {
        let rt = format!("cpu.runtime={runtime}");
        let sets = ["cpu.urls=20000", "cpu.workers=2", "cpu.chunk=333", rt.as_str()];
        let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
        assert_eq!(report.work, expected, "{runtime}");
        assert_eq!(report.variant.as_deref(), Some(runtime));
        assert_eq!(report.legacy, runtime == "async-std", "{runtime}");
    }
}

#[test]
fn workers_size_the_multi_threaded_runtimes() {
    for runtime in ["tokio-multi-thread", "smol", "async-std"] {
        let rt = format!("cpu.runtime={runtime}");
        let sets = ["cpu.passes=30", "cpu.workers=5", rt.as_str()];
        let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
        // 5 runtime threads (+ main, which smol counts among its 5); the sampler is not counted.
        assert!(
            report.threads.peak.unwrap() >= 5,
            "{runtime}: {:?}",
            report.threads
        );
    }
    let sets = ["cpu.passes=30", "cpu.workers=5"];
    let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
    assert_eq!(
        report.threads.peak,
        Some(1),
        "current-thread ignores workers: {:?}",
        report.threads
    );
}

#[test]
fn tokio_multi_thread_on_two_workers_is_two_threads_more_than_main() {
    let sets = ["cpu.runtime=tokio-multi-thread", "cpu.workers=2", "cpu.passes=30"];
    for _ in 0..3 {
        let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
        assert_eq!(
            report.threads.peak,
            Some(3),
            "main + 2 workers: {:?}",
            report.sampler
        );
    }
}

#[test]
fn task_cost_scenarios_one_task_per_unit_on_every_runtime() {
    for rt in ["tokio-current-thread", "tokio-multi-thread", "smol", "async-std"] {
        let runtime = format!("cpu.runtime={rt}");
        concbench_cpu::testing::unit_contract(exe(), &[&runtime, "cpu.workers=2"], "task");
    }
}

#[test]
fn other_kernels_give_the_same_work_on_every_runtime() {
    for runtime in ["tokio-current-thread", "tokio-multi-thread", "smol", "async-std"] {
        let set = format!("cpu.runtime={runtime}");
        concbench_cpu::testing::kernel_contract(exe(), &[&set, "cpu.workers=2"]);
    }
}
