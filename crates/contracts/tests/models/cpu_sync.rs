//! cpu-sync run as a user runs it: the real binary, its report, its errors.

use std::time::Duration;

use concbench_core::testing::{run, set_args};
use concbench_cpu::testing::expected_cpu_work;

fn exe() -> &'static str {
    crate::bin("cpu-sync")
}
const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn default_run_counts_the_studys_100000_urls() {
    let report = run(exe(), &[], LIMIT).report();
    assert_eq!(report.model, "cpu-sync");
    assert_eq!(
        (report.family.name(), report.scenario.as_str()),
        ("cpu", "char-encoding")
    );
    let passes = report.config["cpu"]["passes"].as_u64().unwrap();
    assert_eq!(report.work.units, 100_000 * passes);
    assert_eq!(
        report.work.bytes,
        51_258_766 * passes,
        "the Python study's total, once per pass"
    );
    assert_eq!(report.work, expected_cpu_work(&[]));
    assert_eq!(report.processes.peak, Some(1));
    assert_eq!(
        report.threads.peak,
        Some(1),
        "main alone: the sampler is not counted"
    );
    assert!(report.samples >= 10 && report.wall_s > 0.0);
    // A 1 s run holds too few 100 ms spans for the CPU maximum; every other figure resolves.
    assert!(
        report
            .sampler
            .unresolved
            .iter()
            .all(|u| u.starts_with("cpu.process_max_pct:")),
        "{:?}",
        report.sampler
    );
    assert_eq!(
        report.config["cpu"]["urls"], 100_000,
        "the effective config is in the report"
    );
    // The real sampler over a real model: a single process's memory is its exact high-water
    // mark, with no PSS walk, and the sampler costs 0.22-0.26 % of a core here (issue 30: at
    // most 0.3 %). The bound is twice that, so that a loaded CI machine does not fail it, and
    // still fails a sampler that walks this process's mappings (0.78 % before) or spins.
    assert_eq!(report.memory.pss_peak_mib, None, "{:?}", report.memory);
    // Counts (issue 30 E): the model reads and writes nothing in the window, so the sampler's
    // many reads of /proc and the harness's own are all left out, exactly.
    let counts = report
        .counts
        .as_ref()
        .expect("counts in every Rust model's report");
    assert_eq!(
        (counts.read_syscalls, counts.write_syscalls),
        (0, 0),
        "{counts:?}"
    );
    // Instructions where the kernel counts them (the loop retires millions), else the reason.
    match counts.instructions {
        Some(n) => assert!(n > 1_000_000, "{counts:?}"),
        None => assert!(
            counts
                .instructions_unavailable
                .as_deref()
                .is_some_and(|why| why.contains("perf_event_open")),
            "{counts:?}"
        ),
    }
    assert!(
        report.sampler.overhead_pct <= 0.6,
        "the sampler cost {} % of a core: {:?}",
        report.sampler.overhead_pct,
        report.sampler
    );
    assert_eq!(
        report.env.cores_logical as usize,
        std::thread::available_parallelism().unwrap().get()
    );
}

#[test]
fn report_validates_against_the_committed_schema() {
    let r = run(exe(), &set_args(&["cpu.urls=500"]), LIMIT);
    let schema_file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/report.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_file).unwrap()).unwrap();
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("stdout is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = report.clone();
    broken["work"]["units"] = serde_json::json!("many");
    assert!(
        !validator.is_valid(&broken),
        "the schema must reject a wrong type"
    );
}

#[test]
fn set_changes_the_work_and_unicode_counts_wide_characters() {
    let sets = ["cpu.urls=3000", "cpu.unicode=true", "cpu.host=example.org"];
    let report = run(exe(), &set_args(&sets), LIMIT).report();
    assert_eq!(report.work, expected_cpu_work(&sets));
    assert_ne!(report.work, expected_cpu_work(&["cpu.urls=3000"]));
}

#[test]
fn bad_config_exits_2_naming_file_and_key() {
    let dir = std::env::temp_dir().join(format!("cpu-sync-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("[cpu]\nworkers = 0\n", "`cpu.workers`", "from 1 to 1024"),
        ("[cpu]\nurls = 0\n", "`cpu.urls`", "(got 0)"),
        (
            "[cpu]\nruntime = \"glommio\"\n",
            "`cpu.runtime`",
            "tokio-multi-thread",
        ),
        ("[cpu]\nwrkers = 2\n", "`cpu.wrkers`", "expected one of"),
        ("[gpu]\n", "line 1", "unknown field `gpu`"),
        ("[cpu]\nurls = \"x\"\n", "`cpu.urls`", "invalid type"),
    ];
    for (i, (text, key, allowed)) in cases.iter().enumerate() {
        let file = dir.join(format!("bad{i}.toml"));
        std::fs::write(&file, text).unwrap();
        let r = run(exe(), &["--config", file.to_str().unwrap()], LIMIT);
        assert_eq!(r.code, Some(2), "{text}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "no report on a config error");
        for needle in [file.to_str().unwrap(), key, allowed] {
            assert!(
                r.stderr.contains(needle),
                "{text}: stderr lacks {needle:?}:\n{}",
                r.stderr
            );
        }
    }
    let r = run(exe(), &["--config", "/no/such/file.toml"], LIMIT);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("/no/such/file.toml") && r.stderr.contains("cannot read"),
        "{}",
        r.stderr
    );
    let r = run(exe(), &["--set", "cpu.workers=zero"], LIMIT);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("--set cpu.workers=zero") && r.stderr.contains("`cpu.workers`"),
        "{}",
        r.stderr
    );
    let r = run(exe(), &["--no-such-flag"], LIMIT);
    assert_eq!(r.code, Some(2), "usage errors exit 2 too");
}

#[test]
fn task_cost_scenarios_run_one_unit_after_another() {
    concbench_cpu::testing::unit_contract(exe(), &[], "sequential");
}

#[test]
fn other_kernels_give_the_same_work_as_one_loop() {
    concbench_cpu::testing::kernel_contract(exe(), &["cpu.workers=3"]);
}
