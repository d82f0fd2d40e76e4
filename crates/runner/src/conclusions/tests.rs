//! Tests of the conclusions: they assert on values; the words are covered by the renderers'
//! snapshots.

use super::answers::{Budget, NotAnswered, Word};
use super::*;
use crate::export::answers::{MAX_CHARS, line};
use crate::record::RunRecord;
use crate::summary::standing::{Caveat, Unranked};
use crate::summary::summarise;
use crate::testdata;

const SCHEMA_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../schema/conclusions.schema.json"
);

fn answer(c: &Conclusions, q: Question) -> &Answer {
    c.answers.iter().find(|a| a.question == q).expect("answered")
}

fn ranked(a: &Answer) -> &answers::Ranked {
    match &a.outcome {
        Outcome::Ranked(r) => r,
        other => panic!("not ranked: {other:?}"),
    }
}

/// Every run of `entry` with its wall time times `k`.
fn slow_down(records: &mut [RunRecord], entry: &str, k: f64) {
    for r in records.iter_mut().filter(|r| r.entry == entry) {
        if let Some(rep) = r.report.as_mut() {
            rep.wall_s *= k;
        }
    }
}

/// The committed schema is the one these types generate. Regenerate with
/// `UPDATE_SCHEMA=1 cargo test --release -p runner --lib committed_conclusions_schema`, then once
/// more.
#[test]
fn committed_conclusions_schema_matches_the_types() {
    let generated = serde_json::to_string_pretty(&schema()).unwrap() + "\n";
    concbench_core::testing::assert_committed(std::path::Path::new(SCHEMA_FILE), &generated, "UPDATE_SCHEMA");
}

#[test]
fn conclusions_json_is_valid_against_its_schema_and_reads_back() {
    let mut records = testdata::matrix_rounds(6);
    records.extend(testdata::task_costs());
    records.extend(testdata::switch());
    let s = summarise(&records, &testdata::order());
    let text = render(&s, Some("configs/test.toml")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SCHEMA_FILE).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let back: Conclusions = serde_json::from_value(value).unwrap();
    assert_eq!(back, conclude(&s, Some("configs/test.toml")));
    assert_eq!(back.schema_version, SCHEMA_VERSION);
}

#[test]
fn every_committed_run_folder_holds_conclusions_valid_against_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SCHEMA_FILE).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let results = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../results"));
    let mut folders = 0;
    for dir in std::fs::read_dir(results).unwrap().flatten() {
        if !dir.path().join("runs.jsonl").is_file() {
            continue;
        }
        folders += 1;
        let file = dir.path().join("conclusions.json");
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
        assert_eq!(value["schema_version"], SCHEMA_VERSION);
    }
    assert!(folders >= 20, "the committed run folders were found ({folders})");
}

#[test]
fn one_changed_run_moves_the_conclusion_the_answer_and_the_verdict_together() {
    let records = testdata::matrix_rounds(6);
    let before = summarise(&records, &testdata::order());
    let c = conclude(&before, None);
    let cpu = ranked(answer(&c, Question::CpuConcurrency));
    assert_eq!(cpu.word, Word::Yes);
    assert_eq!(cpu.best[0].entry, "cpu-threads 2");
    let said = line(answer(&c, Question::CpuConcurrency));
    let verdict = crate::verdict::sentences(&before.families[0], before.margin_pct).join(" ");
    // cpu-threads 2 becomes as slow as one loop: no longer faster anywhere.
    let mut changed = records.clone();
    slow_down(&mut changed, "cpu-threads 2", 1.0 / 0.55);
    let after = summarise(&changed, &testdata::order());
    let c2 = conclude(&after, None);
    let cpu2 = ranked(answer(&c2, Question::CpuConcurrency));
    assert_eq!(cpu2.word, Word::No, "{cpu2:?}");
    assert!(cpu2.best.is_empty());
    assert_eq!(
        after.families[0].standing_of("cpu-threads 2"),
        EntryStanding::Tied
    );
    let group = c2.groups.iter().find(|g| g.id == "cpu").unwrap();
    let threads = group
        .entries
        .iter()
        .find(|e| e.figure.entry == "cpu-threads 2")
        .unwrap();
    assert_eq!(threads.standing, EntryStanding::Tied);
    assert_ne!(said, line(answer(&c2, Question::CpuConcurrency)), "the answer");
    let verdict2 = crate::verdict::sentences(&after.families[0], after.margin_pct).join(" ");
    assert_ne!(verdict, verdict2, "the verdict");
}

#[test]
fn fewer_than_six_rounds_rank_nothing_anywhere() {
    let s = summarise(&testdata::matrix_rounds(5), &testdata::order());
    let cpu = &s.families[0];
    assert_eq!(
        cpu.standing_of("cpu-threads 2"),
        EntryStanding::NotRanked {
            why: Unranked::TooFewRounds { rounds: 5, needed: 6 }
        }
    );
    let c = conclude(&s, None);
    let r = ranked(answer(&c, Question::CpuConcurrency));
    assert_eq!(r.word, Word::Unresolved);
    assert!(r.best.is_empty() && r.tied.is_empty());
    assert_eq!(r.unranked.len(), 2);
    assert_eq!(
        r.too_few_rounds,
        Some(Unranked::TooFewRounds { rounds: 5, needed: 6 }),
        "the answer says why nothing was ranked"
    );
}

#[test]
fn which_runtime_keeps_the_groups_standings_and_ranks_nothing_on_two_rounds() {
    let mut records = Vec::new();
    for rounds in [2, 6] {
        records.clear();
        for i in 0..rounds {
            let d = i as f64 * 0.01;
            records.push(testdata::ok("cpu-sync", "cpu-sync", i, 1.0 + d, 100.0, 50.0));
            records.push(testdata::ok("tokio", "cpu-async", i, 0.52 + d, 190.0, 50.0));
            records.push(testdata::ok("smol", "cpu-async", i, 0.70 + d, 150.0, 50.0));
        }
        let s = summarise(&records, &[]);
        let c = conclude(&s, None);
        let Outcome::Runtimes { groups } = &answer(&c, Question::WhichRuntime).outcome else {
            panic!("{:?}", c.answers)
        };
        let tiers: Vec<Vec<&str>> = groups[0]
            .tiers
            .iter()
            .map(|t| t.entries.iter().map(|f| f.entry.as_str()).collect())
            .collect();
        match rounds {
            2 => assert!(tiers.is_empty(), "2 rounds rank nothing: {tiers:?}"),
            _ => assert_eq!(tiers, [vec!["tokio"], vec!["smol"]]),
        }
    }
}

#[test]
fn an_open_loop_group_gives_each_runtimes_cpu_paired_least_first_and_its_control_resolves_cpu() {
    let mut records = Vec::new();
    // One schedule (100 requests at 1,000 req/s): every wall time is the same; the CPU differs.
    for i in 0..8 {
        let d = 1.0 + (i % 3) as f64 * 0.01;
        for (entry, model, cpu, control) in [
            ("io-tokio", "io-tokio", 10.0, None),
            ("io-smol", "io-smol", 20.0, None),
            ("io-hybrid", "io-hybrid", 9.0, None),
            ("io-tokio (A/A control)", "io-tokio", 10.2, Some("io-tokio")),
        ] {
            let mut r = testdata::open_run(model, 1000.0, 1000.0, 12.0, 12.5, 0);
            r.entry = entry.into();
            r.index = i;
            r.control = control.map(str::to_string);
            r.report.as_mut().unwrap().cpu.process_avg_pct = cpu * d;
            records.push(r);
        }
    }
    let s = summarise(&records, &[]);
    let io = &s.families[0];
    let control = io.control.as_ref().expect("the control");
    assert!(
        control.on_cpu,
        "an open loop's control pairs CPU time, not the schedule's wall time"
    );
    // The baseline over its twin, as for wall time: 10 / 10.2.
    assert!((control.paired.median - 1.0 / 1.02).abs() < 1e-9, "{control:?}");
    let c = conclude(&s, None);
    let Outcome::Runtimes { groups } = &answer(&c, Question::WhichRuntime).outcome else {
        panic!("{:?}", c.answers)
    };
    assert!(groups[0].tiers.is_empty(), "an open loop is not ranked on speed");
    let cpu: Vec<(&str, f64)> = groups[0]
        .cpu_over_baseline
        .iter()
        .map(|sh| (sh.entry.as_str(), sh.ratio.median))
        .collect();
    assert_eq!(cpu.len(), 2, "{cpu:?}");
    assert_eq!(
        (cpu[0].0, cpu[1].0),
        ("io-hybrid", "io-smol"),
        "the least CPU first"
    );
    assert!(
        (cpu[0].1 - 0.9).abs() < 1e-9 && (cpu[1].1 - 2.0).abs() < 1e-9,
        "{cpu:?}"
    );
    assert_eq!(
        groups[0].cpu_over_baseline[1].ratio.n, 8,
        "paired over the 8 rounds"
    );
}

#[test]
fn a_cpu_speed_up_above_the_cores_is_drift_or_carries_a_caveat() {
    let mut records = testdata::matrix_rounds(8);
    // On 2 cores: 0.4 s against one loop's 1.0 s is 2.5×, wholly above the cores.
    for r in records.iter_mut().filter(|r| r.entry == "cpu-threads 2") {
        r.report.as_mut().unwrap().wall_s = 0.40 + r.index as f64 * 0.01;
    }
    let s = summarise(&records, &testdata::order());
    let cpu = &s.families[0];
    assert!(matches!(
        cpu.standing_of("cpu-threads 2"),
        EntryStanding::NotRanked {
            why: Unranked::Drift { cores: 2, .. }
        }
    ));
    // 0.45 s and 0.50 s alternating: a median above 2×, an interval reaching below.
    for r in records.iter_mut().filter(|r| r.entry == "cpu-threads 2") {
        let i = r.index;
        r.report.as_mut().unwrap().wall_s = (if i % 2 == 0 { 0.45 } else { 0.50 }) + i as f64 * 0.01;
    }
    let s = summarise(&records, &testdata::order());
    let cpu = &s.families[0];
    assert!(matches!(
        cpu.standing_of("cpu-threads 2"),
        EntryStanding::Faster { tier: 1 }
    ));
    assert!(
        cpu.ranking
            .caveats
            .iter()
            .any(|c| matches!(c, Caveat::AboveCores { entry, cores: 2, .. } if entry == "cpu-threads 2")),
        "{:?}",
        cpu.ranking.caveats
    );
}

#[test]
fn io_without_a_thread_based_client_does_not_answer_threads_or_async() {
    // The matrix's only thread-based IO entry (io-broken, on io-threads) never succeeded.
    let s = summarise(&testdata::matrix_rounds(6), &testdata::order());
    let c = conclude(&s, Some("configs/default.toml"));
    let io = answer(&c, Question::IoThreadsOrAsync);
    assert_eq!(
        io.outcome,
        Outcome::NotAnswered {
            why: NotAnswered::MissingSide {
                missing: "threads".into(),
                config: None
            }
        },
        "the run's own config is never named as the one that answers"
    );
    // A named group only (`equal budget: 50 in flight`, as the runtimes config has): still the
    // side it lacks, not "not measured".
    let mut named = testdata::matrix_rounds(6);
    for r in named
        .iter_mut()
        .filter(|r| r.family == concbench_core::report::Family::Io)
    {
        r.group = Some("equal budget".into());
    }
    let c = conclude(&summarise(&named, &testdata::order()), None);
    assert!(
        matches!(
            answer(&c, Question::IoThreadsOrAsync).outcome,
            Outcome::NotAnswered {
                why: NotAnswered::MissingSide { .. }
            }
        ),
        "{:?}",
        answer(&c, Question::IoThreadsOrAsync)
    );
}

#[test]
fn io_answers_from_the_fastest_tier_at_one_budget() {
    let mut records = testdata::matrix_rounds(6);
    for r in records.iter_mut().filter(|r| r.entry == "io-broken") {
        *r = testdata::ok(
            "io-threads",
            "io-threads",
            r.index,
            0.30 + r.index as f64 * 0.01,
            30.0,
            20.0,
        );
    }
    records.retain(|r| r.entry != "io-sync");
    let s = summarise(&records, &[]);
    let c = conclude(&s, None);
    let io = ranked(answer(&c, Question::IoThreadsOrAsync));
    assert_eq!(io.budget, Some(Budget::InFlight { requests: 50 }));
    assert_eq!(io.baseline.entry, "io-tokio", "without io-sync, the first entry");
    assert_eq!(io.word, Word::Either, "{io:?}");
}

#[test]
fn every_answer_fits_in_one_short_line() {
    let mut records = testdata::matrix_rounds(6);
    records.extend(testdata::task_costs());
    records.extend(testdata::switch());
    // Many runtimes with long labels: the line counts what it cannot name.
    for i in 0..6 {
        for k in 0..12 {
            let label = format!("a runtime with a long label number {k}");
            records.push(testdata::ok(
                &label,
                "cpu-async",
                i,
                0.52 + k as f64 * 0.03,
                190.0,
                50.0,
            ));
        }
    }
    let s = summarise(&records, &[]);
    let c = conclude(&s, None);
    for a in &c.answers {
        let said = line(a);
        assert!(
            said.chars().count() <= MAX_CHARS,
            "{} chars: {said}",
            said.chars().count()
        );
    }
    let cpu = ranked(answer(&c, Question::CpuConcurrency));
    assert!(cpu.best.len() + cpu.faster.len() >= 12);
}

/// Eight rounds of io-tokio (work stealing) and io-compio (thread-per-core), the rings 10 %
/// faster with half the p99, under the io skew `skew` (none: even load).
fn uneven_runs(skew: Option<(u64, f64, u64)>) -> Vec<RunRecord> {
    let mut records = Vec::new();
    for round in 0..8 {
        let drift = 1.0 + 0.01 * round as f64;
        for (model, wall) in [("io-tokio", 1.0), ("io-compio", 0.9)] {
            let mut r = testdata::ok(model, model, round, wall * drift, 90.0, 10.0);
            if let Some(io) = r.report.as_mut().and_then(|rep| rep.io.as_mut()) {
                io.latency_ms.p99 = if model == "io-compio" { 2.5 } else { 5.0 };
            }
            if let (Some((rounds, share, k)), Some(rep)) = (skew, r.report.as_mut()) {
                rep.config["io"]["spin_rounds"] = rounds.into();
                rep.config["io"]["heavy_share"] = share.into();
                rep.config["io"]["heavy_factor"] = k.into();
            }
            records.push(r);
        }
    }
    records
}

#[test]
fn uneven_load_sets_the_fastest_of_each_scheduling_against_the_other() {
    let order = ["io-tokio".to_string(), "io-compio".to_string()];
    let c = conclude(&summarise(&uneven_runs(Some((50_000, 0.1, 20))), &order), None);
    let u = c.groups[0].uneven.as_ref().expect("an uneven-load conclusion");
    assert_eq!(
        (u.section.as_str(), u.spin_rounds, u.heavy_factor),
        ("io", 50_000, 20)
    );
    assert_eq!(
        (u.work_stealing.as_str(), u.thread_per_core.as_str()),
        ("io-tokio", "io-compio")
    );
    assert!(
        (u.wall.median - 1.0 / 0.9).abs() < 1e-9,
        "tokio's wall over compio's: {:?}",
        u.wall
    );
    assert_eq!(u.faster, Some(crate::summary::uneven::Scheduling::ThreadPerCore));
    let p99 = u.p99.expect("a p99 ratio");
    assert!(
        p99.median < 1.0,
        "compio's p99 (4 + wall) is the shorter: {p99:?}"
    );
    assert_eq!(
        u.shorter_tail,
        Some(crate::summary::uneven::Scheduling::ThreadPerCore)
    );
    // Even load: no such conclusion, whatever the models.
    let even = conclude(&summarise(&uneven_runs(None), &order), None);
    assert_eq!(even.groups[0].uneven, None);
}
