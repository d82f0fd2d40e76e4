//! Helpers for the CPU models' integration tests: the work a run must report, computed in one
//! loop, and the contracts every CPU model passes on every kernel and task-cost scenario.

use std::time::Duration;

use concbench_core::report::Work;
use concbench_core::testing::{run, set_args};

use crate::kernel::Input;

/// The work a CPU model must report for the config `--set` arguments `sets`, computed here in
/// one loop over the whole input, independently of how any model splits it.
pub fn expected_cpu_work(sets: &[&str]) -> Work {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let cfg = concbench_core::config::load(None, &sets).expect("a valid config");
    let input = Input::generate(&cfg.cpu);
    let tally = input.tally(0..input.len());
    Work {
        units: tally.units,
        bytes: tally.bytes,
        checksum: tally.checksum_hex(),
    }
}

/// Every other kernel than char-encoding on `exe` (with `extra` sets), with sizes and chunks
/// that do not divide evenly: the same work as one loop computes, the kernel named as the
/// report's scenario.
pub fn kernel_contract(exe: &str, extra: &[&str]) {
    let kernels: &[&[&str]] = &[
        &["cpu.kernel=sqrt-sum", "cpu.numbers=2000003", "cpu.chunk=99991"],
        &[
            "cpu.kernel=filter-aggregate",
            "cpu.records=100003",
            "cpu.passes=2",
            "cpu.chunk=7777",
        ],
    ];
    for sets in kernels {
        let all: Vec<&str> = sets.iter().chain(extra).copied().collect();
        let report = run(exe, &set_args(&all), Duration::from_secs(120)).report();
        assert_eq!(report.work, expected_cpu_work(&all), "{all:?}");
        assert_eq!(report.scenario, &sets[0]["cpu.kernel=".len()..], "{all:?}");
    }
}

/// What a task-cost run with `--set` overrides `sets` must report as its work.
pub fn expected_unit_work(sets: &[&str]) -> Work {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let cfg = concbench_core::config::load(None, &sets).expect("test sets are valid");
    crate::units::expected(&cfg).work()
}

/// Every task-cost scenario on `exe` (with `extra` sets), checked against [`expected_unit_work`]:
/// same units, same checksum as one loop computing them; `unit` is the kind the report names.
pub fn unit_contract(exe: &str, extra: &[&str], unit: &str) {
    let scenarios: &[&[&str]] = &[
        &["scenario.name=spawn-only", "scenario.units=50"],
        &[
            "scenario.name=sleep-fixed",
            "scenario.units=20",
            "scenario.sleep_ms=20",
        ],
        &[
            "scenario.name=sleep-variable",
            "scenario.units=20",
            "scenario.sleep_ms=20",
        ],
        &["scenario.name=blocking-storm", "scenario.units=3"],
        &[
            "scenario.name=blocking-sleep",
            "scenario.units=6",
            "scenario.sleep_ms=10",
        ],
        &["scenario.name=squares", "scenario.units=4"],
        &[
            "scenario.name=sqlite-insert",
            "scenario.units=8",
            "scenario.rows=50",
        ],
        &[
            "scenario.name=sqlite-read",
            "scenario.units=8",
            "scenario.rows=50",
        ],
        &[
            "scenario.name=file-read",
            "scenario.units=8",
            "scenario.file_bytes=10000",
        ],
        &["scenario.name=idle-scale", "scenario.units=30"],
        &[
            "scenario.name=switch",
            "scenario.units=2",
            "scenario.switches=1001",
        ],
        &[
            "scenario.name=switch",
            "scenario.units=2",
            "scenario.switches=2000",
            "scenario.cpus=1",
        ],
    ];
    for sets in scenarios {
        let all: Vec<&str> = sets.iter().chain(extra).copied().collect();
        let r = run(exe, &set_args(&all), Duration::from_secs(120));
        if (unit == "pool" || unit == "rayon") && sets[0].ends_with("idle-scale") {
            assert_eq!(r.code, Some(1), "a pool cannot hold idle units: {}", r.stderr);
            assert!(r.stderr.contains("per-unit"), "{}", r.stderr);
            continue;
        }
        let switch = sets[0].ends_with("switch");
        if (unit == "sequential" || unit == "rayon") && switch {
            assert_eq!(r.code, Some(1), "two units must run at once: {}", r.stderr);
            assert!(r.stderr.contains("use cpu-threads"), "{}", r.stderr);
            continue;
        }
        let report = r.report();
        assert_eq!(report.work, expected_unit_work(&all), "{all:?}");
        let u = report.units.as_ref().expect("a units block");
        // cpu-threads passes the switch's token between two threads of its own, pool or not.
        let unit = if switch && unit == "pool" { "thread" } else { unit };
        assert_eq!(
            (u.unit.as_str(), u.scenario.as_str()),
            (unit, &sets[0]["scenario.name=".len()..]),
            "{all:?}"
        );
        assert_eq!(report.scenario, u.scenario);
        assert!(u.per_unit_us > 0.0);
        let sqlite = sets[0].contains("sqlite");
        assert_eq!(u.busy_retries.is_some(), sqlite, "{all:?}: {u:?}");
        let idle = sets[0].ends_with("idle-scale") && unit != "sequential";
        assert_eq!(u.rss_per_unit_kib.is_some(), idle, "{all:?}: {u:?}");
        assert_eq!(
            u.pss_per_unit_kib.is_some(),
            idle && unit == "process",
            "{all:?}: {u:?}"
        );
        let switches = all
            .iter()
            .find_map(|s| s.strip_prefix("scenario.switches="))
            .map(|n| n.parse::<u64>().unwrap());
        assert_eq!(u.switches, switches, "{all:?}");
        assert_eq!(u.switch_ns.is_some_and(|ns| ns > 0.0), switch, "{all:?}: {u:?}");
        if sets[0].ends_with("sleep-fixed") && unit != "sequential" {
            assert!(report.wall_s >= 0.02, "every unit slept 20 ms");
        }
    }
}

/// On a pool model, the same work as one loop whatever the chunking: sizes and chunks that do not
/// divide evenly, tiny jobs, and a pool larger than the jobs; the report names `model`.
pub fn chunking_contract(exe: &str, model: &str) {
    for sets in [
        ["cpu.urls=20000", "cpu.workers=2", "cpu.chunk=1000"],
        ["cpu.urls=20001", "cpu.workers=3", "cpu.chunk=7"],
        ["cpu.urls=999", "cpu.workers=16", "cpu.chunk=100000"],
    ] {
        let report = run(exe, &set_args(&sets), Duration::from_secs(60)).report();
        assert_eq!(report.work, expected_cpu_work(&sets), "{sets:?}");
        assert_eq!(report.model, model);
    }
}
