//! Answers to the task-cost questions (are tasks faster than threads to start and to wait? what
//! does a blocking call inside async cost? memory per task and per thread, and where threads
//! stop? what does concurrency buy for IO? is "8000× less memory" true?), derived from the
//! numbers of a run. Each answer appears only when the run holds the data it rests on, and names
//! the entries and figures it rests on.

mod concurrency;
mod costs;
mod kernels;
mod memory;
mod serving;

use std::fmt::Write as _;

use concbench_core::config::Kind;
use concbench_core::report::Family;
use concbench_core::work::{SQUARES, STORM_CALLS};

use crate::format::{
    code, fixed, kib, mib, micros, micros_fixed, millis, percent, req_per_s, seconds_fixed, speedup,
    thousands as count, times,
};
use crate::metric::Metric;
use crate::openloop;
use crate::stats::Standing;
use crate::summary::{EntrySummary, FamilySummary, Series, Summary, SweepSummary};

use concurrency::*;
use costs::*;
use kernels::*;
use memory::*;
use serving::*;

fn unit(e: &EntrySummary) -> &str {
    e.unit.as_deref().unwrap_or("")
}

/// The group of the CPU family on `scenario`.
fn group<'a>(summary: &'a Summary, scenario: &str) -> Option<&'a FamilySummary> {
    summary
        .families
        .iter()
        .find(|f| f.family == Family::Cpu && f.scenario == scenario)
}

/// The entry of `kind` with the lowest median of `metric`.
fn least<'a>(entries: &'a [EntrySummary], kind: &str, metric: Metric) -> Option<(&'a EntrySummary, f64)> {
    entries
        .iter()
        .filter(|e| unit(e) == kind)
        .filter_map(|e| e.median(metric).map(|v| (e, v)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// The units of work of the group's first entry that has a report.
fn units_of(f: &FamilySummary) -> u64 {
    f.entries
        .iter()
        .find_map(|e| e.work.as_ref().map(|w| w.units))
        .unwrap_or(0)
}

/// The findings section of the report (empty when nothing applies).
pub fn markdown(summary: &Summary) -> String {
    let answers: Vec<(&str, Vec<String>)> = [
        ("Are tasks faster to start than threads?", start_up(summary)),
        ("Are tasks faster to wait than threads?", waiting(summary)),
        ("What does a switch between two units cost?", switches(summary)),
        ("What does a blocking call inside async cost?", blocking(summary)),
        (
            "Never block the event loop: what does a blocking sleep in a task cost?",
            blocking_sleep(summary),
        ),
        (
            "SQLite from many workers: do writers and readers scale?",
            sqlite(summary),
        ),
        (
            "Reading files: what does an async file API buy?",
            file_read(summary),
        ),
        ("CPU bursts: who uses the cores?", squares(summary)),
        (
            "Memory per task and per thread, and where threads stop",
            memory(summary),
        ),
        (
            "Compute-bound, memory-bound, data-heavy: how does each model scale on each kernel?",
            kernels(summary),
        ),
        ("What does concurrency buy for IO?", concurrency(summary)),
        (
            "Serving: what does a held connection cost, and what does the event loop buy?",
            serving(summary),
        ),
        (
            "Latency against load: where is each model's knee?",
            knees(summary),
        ),
        (
            "Open loop past capacity: does the latency depend on the run's length?",
            openloop::lengths(summary),
        ),
    ]
    .into_iter()
    .filter(|(_, lines)| !lines.is_empty())
    .collect();
    if answers.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "## Findings: the questions, answered from these numbers\n\nEvery figure below about a group is a median, as its table gives it, and one about a sweep a mean, as the sweep's table gives it; a ratio is a ratio of those figures, except where a line gives a paired speed-up (the median of per-round ratios, with its 95 % interval).\n\n",
    );
    for (question, lines) in answers {
        let _ = writeln!(out, "### {question}\n");
        for line in lines {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::summarise;
    use crate::testdata;

    #[test]
    fn the_switch_cost_of_each_kind_is_listed_cheapest_first_beside_the_published() {
        let text = markdown(&summarise(&testdata::switch(), &[]));
        // Means over jitters 1.00, 1.01, 1.02: tokio 0.002 s × 1.01 ÷ 10,000 = 202 ns.
        assert!(
            text.contains("time per switch (10,000 hand-offs of the token, wall time ÷ hand-offs, cheapest first): tokio 202 ns (task), threads 4,040 ns (thread), procs 5,050 ns (process)."),
            "{text}"
        );
        assert!(
            text.contains("An OS thread switch (threads) cost 20× a task switch (tokio); a process switch (procs) 25× a task's."),
            "{text}"
        );
        assert!(
            text.contains("0.2 µs per switch between async tasks and 1.7 µs"),
            "{text}"
        );
        let answers = crate::conclusions::answers::answers(&summarise(&testdata::switch(), &[]), None);
        let cost = answers
            .iter()
            .find(|a| a.question == crate::conclusions::Question::UnitCosts)
            .unwrap();
        let crate::conclusions::Outcome::Costs(costs) = &cost.outcome else {
            panic!("{cost:?}")
        };
        assert_eq!(
            (
                costs.switch_ns[0].unit.as_str(),
                costs.switch_ns[0].entry.as_str()
            ),
            ("task", "tokio")
        );
        assert!((costs.switch_ns[0].value - 202.0).abs() < 1.0, "{costs:?}");
    }

    #[test]
    fn start_up_and_blocking_answers_come_from_the_numbers() {
        let text = markdown(&summarise(&testdata::task_costs(), &[]));
        // spawn-only: tokio-ct 0.0002 s × 1.01 ÷ 100 units = 2.02 µs; threads 101 µs.
        assert!(
            text.contains("task 2.0 µs (tokio-ct), OS thread 101 µs (threads)"),
            "{text}"
        );
        assert!(text.contains("Yes: an OS thread cost 50.0× a task"), "{text}");
        assert!(
            text.contains("A process cost 500× a task, 10.0× a thread"),
            "{text}"
        );
        // blocking-storm: tokio-ct 0.82 against cpu-sync 0.80, both × 1.01.
        assert!(
            text.contains("The executor was serialised: tokio-ct took 0.828 s for 100 units, 1.02×"),
            "{text}"
        );
        assert!(text.contains("tokio-mt 0.424 s (0.51×)"), "{text}");
        assert!(
            !text.contains("Memory per task"),
            "no idle-scale data, no memory answer"
        );
    }

    #[test]
    fn a_storm_that_overlaps_is_not_called_serialised() {
        let mut records = testdata::task_costs();
        for r in records
            .iter_mut()
            .filter(|r| r.entry == "tokio-ct" && r.scenario == "blocking-storm")
        {
            r.report.as_mut().unwrap().wall_s = 0.4;
        }
        let text = markdown(&summarise(&records, &[]));
        assert!(text.contains("The units overlapped (not serialised)"), "{text}");
        assert!(!text.contains("The executor was serialised"), "{text}");
    }

    #[test]
    fn memory_answers_from_the_idle_sweep() {
        let text = markdown(&summarise(&testdata::idle_sweep(), &[]));
        // threads: (14.55 - 4.55) MiB over 999 more units = 10.25 KiB; tokio:
        // (62.05 - 5.05) MiB over 99,999 = 0.58 KiB.
        assert!(
            text.contains("threads (threads): 1,000 units waiting at a 14.6 MiB peak; 10.25 KiB per unit"),
            "{text}"
        );
        assert!(
            text.contains("tokio (tasks): 100,000 units waiting at a 62.0 MiB peak; 0.58 KiB per unit"),
            "{text}"
        );
        assert!(
            text.contains("threads stopped at 20,000 units: `20000 threads would need"),
            "{text}"
        );
        assert!(
            text.contains("At 100,000 units tokio peaked at 62.0 MiB."),
            "{text}"
        );
        assert!(text.contains("is not true here for memory"), "{text}");
        assert!(text.contains("so a thread cost 18× a task"), "{text}");
        assert!(text.contains("Reach: tasks ran 100,000 units at most in this sweep, threads 1,000 (100×); the OS refused more threads"), "{text}");
    }

    #[test]
    fn nothing_to_answer_is_an_empty_section() {
        assert_eq!(markdown(&summarise(&testdata::matrix(), &testdata::order())), "");
    }

    #[test]
    fn kernels_compare_each_entrys_speed_up_across_kernels() {
        let mut records = testdata::matrix_rounds(6);
        let sqrt: Vec<_> = records
            .iter()
            .filter(|r| r.family == Family::Cpu && !r.warmup)
            .map(|r| {
                let mut r = r.clone();
                r.scenario = "sqrt-sum".into();
                // cpu-threads 2 twice as fast as cpu-sync here, cpu-procs as fast.
                let rep = r.report.as_mut().unwrap();
                rep.wall_s = if r.entry == "cpu-threads 2" { 0.5 } else { 1.0 };
                r
            })
            .collect();
        records.extend(sqrt);
        let text = markdown(&summarise(&records, &testdata::order()));
        assert!(
            text.contains("how does each model scale on each kernel?"),
            "{text}"
        );
        assert!(
            text.contains("- cpu-threads 2: char-encoding 1.78× (1.75–1.82), sqrt-sum 2.00× (2.00–2.00)."),
            "{text}"
        );
        assert!(text.contains("- cpu-procs 2: char-encoding 0.99× ("), "{text}");
    }

    #[test]
    fn sqlite_rows_per_second_busy_retries_and_writers_against_readers() {
        let mut records = Vec::new();
        for i in 0..6 {
            for (scenario, entry, model, unit, wall, busy) in [
                ("sqlite-insert", "cpu-sync", "cpu-sync", "sequential", 0.2, 0),
                ("sqlite-insert", "threads", "cpu-threads", "thread", 0.16, 900),
                ("sqlite-read", "cpu-sync", "cpu-sync", "sequential", 0.6, 0),
                ("sqlite-read", "threads", "cpu-threads", "thread", 0.4, 0),
            ] {
                let mut r = testdata::unit_run(entry, model, None, unit, scenario, 100, wall, 5.0, None);
                r.index = i;
                let rep = r.report.as_mut().unwrap();
                rep.config["scenario"]["rows"] = serde_json::json!(1000);
                rep.units.as_mut().unwrap().busy_retries = Some(busy);
                records.push(r);
            }
        }
        let lines = sqlite(&summarise(&records, &[]));
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert!(lines[0].starts_with("sqlite-insert (100 units × 1000 rows, one WAL-mode file, a connection per unit; speed-ups over cpu-sync paired by round): cpu-sync (sequential) 500,000 rows written/s, 0 busy retries; threads (thread) 625,000 rows written/s, 1.25× (1.25–1.25), 900 busy retries."), "{}", lines[0]);
        assert!(
            lines[2].starts_with(
                "Writers wait for one another, readers do not: 1 of 2 insert entries counted busy retries"
            ),
            "{}",
            lines[2]
        );
        assert!(lines[2].ends_with("the highest paired speed-up of concurrent readers (threads) was 1.50× (1.50–1.50) (faster than the sequential loop), of concurrent writers (threads) 1.25× (1.25–1.25) (faster than the sequential loop)."), "{}", lines[2]);
    }

    #[test]
    fn file_read_gives_mib_per_second_and_says_where_async_file_io_runs() {
        let mut records = Vec::new();
        for i in 0..6 {
            for (entry, model, variant, unit, wall) in [
                ("cpu-sync", "cpu-sync", None, "sequential", 0.1),
                ("tokio::fs", "cpu-async", Some("tokio-multi-thread"), "task", 0.2),
            ] {
                let mut r =
                    testdata::unit_run(entry, model, variant, unit, "file-read", 100, wall, 5.0, None);
                r.index = i;
                r.report.as_mut().unwrap().config["scenario"]["file_bytes"] = serde_json::json!(1_048_576);
                records.push(r);
            }
        }
        let lines = file_read(&summarise(&records, &[]));
        assert_eq!(
            lines[0],
            "file-read (100 units, one file of 1,048,576 bytes each, from the page cache; speed-ups over cpu-sync paired by round): cpu-sync (sequential) 1,000 MiB/s; tokio::fs (task) 500 MiB/s, 0.50× (0.50–0.50)."
        );
        assert!(
            lines[1].contains("`tokio::fs` runs each call with `spawn_blocking`"),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn serving_gives_memory_per_connection_and_what_the_event_loop_buys() {
        let mut records = Vec::new();
        for i in 0..2 {
            for (model, n, rate, rss, p99) in [
                ("serve-threads", 1.0, 3000.0, 5.0, 0.1),
                ("serve-threads", 10_000.0, 27_000.0, 93.0, 400.0),
                ("serve-tokio", 1.0, 3000.0, 5.0, 0.1),
                ("serve-tokio", 10_000.0, 62_000.0, 16.0, 180.0),
                ("serve-sync", 1.0, 3000.0, 5.0, 0.1),
                ("serve-sync", 100.0, 20_000.0, 5.0, 9.0),
            ] {
                let mut r = testdata::ok(
                    &format!("{model} @ serve.connections={n}"),
                    model,
                    i,
                    1.0,
                    100.0,
                    rss,
                );
                let rep = r.report.as_mut().unwrap();
                rep.memory.rss_start_mib = Some(4.0);
                rep.serve = Some(concbench_core::report::ServeStats {
                    connections: n as u64,
                    connected: n as u64,
                    round_trips: 10 * n as u64,
                    failed: 0,
                    errors: Default::default(),
                    bytes: 640 * n as u64,
                    round_trips_per_s: rate,
                    round_trips_s: 0.0,
                    latency_ms: concbench_core::latency::summary(&concbench_core::latency::from_buckets(&[
                        ((p99 * 1000.0) as u64, 1),
                    ])),
                    loadgen_cpu_s: 0.1,
                    loadgen_cpu_us_per_round_trip: 10.0,
                    loadgens: 1,
                    // serve-tokio's two loops took 60 % and 40 % of the connections.
                    accepted_by: match model {
                        "serve-tokio" => vec![(n * 0.6) as u64, (n * 0.4) as u64],
                        _ => Vec::new(),
                    },
                    // serve-tokio's PSS with the connections held: 5 MiB at 1, 13 at 10,000.
                    held: (model == "serve-tokio").then_some(concbench_core::report::HeldMemory {
                        processes: 1,
                        rss_mib: rss,
                        pss_mib: if n == 1.0 { 5.0 } else { 13.0 },
                    }),
                });
                r.sweep = Some(crate::record::SweepPoint {
                    axis: "connections".into(),
                    key: "serve.connections".into(),
                    value: n,
                    series: model.into(),
                });
                records.push(r);
            }
            // serve-threads refused past the file-descriptor limit.
            let mut r = testdata::failed("serve-threads @ serve.connections=20000", "serve-threads", i);
            r.stderr_tail = Some("error: 20000 connections need about 20064 file descriptors, more than RLIMIT_NOFILE allows (soft 1024, hard 20000)".into());
            r.sweep = Some(crate::record::SweepPoint {
                axis: "connections".into(),
                key: "serve.connections".into(),
                value: 20_000.0,
                series: "serve-threads".into(),
            });
            records.push(r);
        }
        let lines = serving(&summarise(&records, &[]));
        assert_eq!(lines.len(), 5, "{lines:#?}");
        let sync = lines
            .iter()
            .find(|l| l.starts_with("serve-sync:"))
            .expect("serve-sync's line");
        assert!(sync.ends_with("peak RSS 5.0 MiB → 5.0 MiB, no growth beyond the runs' spread (the 95 % intervals of the peaks overlap)."), "{sync}");
        let lines: Vec<&String> = lines.iter().filter(|l| !l.starts_with("serve-sync:")).collect();
        assert_eq!(
            lines[0],
            "serve-threads: 3,000 round trips/s at 1 connection, 27,000 at 10,000; peak RSS 5.0 MiB → 93.0 MiB, 9.01 KiB per connection above the 1-connection run; it could not run at 20,000."
        );
        // (13 − 5) MiB over 9,999 more connections.
        assert!(
            lines[1]
                .ends_with("; the busiest of its loops took 60 % of the connections at 10,000; PSS with every connection open 5.0 MiB → 13.0 MiB (0.82 KiB per connection)."),
            "{}",
            lines[1]
        );
        assert!(lines[2].starts_with("At 10,000 connections, serve-tokio served 2.30× the round trips/s of serve-threads (62,000 against 27,000), with 1.23 KiB per connection against 9.11 KiB of memory"), "{}", lines[2]);
        assert!(
            lines[3].starts_with("Where threads stop: serve-threads held 10,000 connections with "),
            "{}",
            lines[3]
        );
        assert!(lines[3].ends_with("; at 20,000 it could not run: `20000 connections need about 20064 file descriptors, more than RLIMIT_NOFILE allows (soft 1024, hard 20000)`."), "{}", lines[3]);
    }

    #[test]
    fn one_load_generator_is_compared_with_two_paired_by_round() {
        let records = |one_wall: f64| {
            let mut records = Vec::new();
            for i in 0..6 {
                // Same work (1,000 round trips): two load generators 1.0 s a run, one `one_wall`.
                for (label, loadgens, wall) in [("one", 1, one_wall), ("two", 2, 1.0)] {
                    let mut r = testdata::ok(label, "serve-tokio", i, wall, 100.0, 10.0);
                    let rep = r.report.as_mut().unwrap();
                    rep.family = Family::Serve;
                    rep.serve = Some(concbench_core::report::ServeStats {
                        connections: 100,
                        connected: 100,
                        round_trips: 1000,
                        failed: 0,
                        errors: Default::default(),
                        bytes: 64_000,
                        round_trips_per_s: 1000.0 / wall,
                        round_trips_s: 0.0,
                        latency_ms: concbench_core::latency::summary(&concbench_core::latency::from_buckets(
                            &[(1000, 1)],
                        )),
                        loadgen_cpu_s: 0.5,
                        loadgen_cpu_us_per_round_trip: 500.0,
                        loadgens,
                        held: None,
                        accepted_by: Vec::new(),
                    });
                    records.push(r);
                }
            }
            records
        };
        let slow = records(1.25);
        let lines = loadgen_ceiling(&summarise(&slow, &[]));
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert!(lines[0].starts_with("Is one load generator the ceiling? serve-tokio driven by one reached 800 round trips/s, by 2 together 1,000: 0.80× of theirs; its round trips/s over theirs, paired by round, 0.80× (0.80–0.80): a second load generator raised the round trips/s, so one is the ceiling here; the load generator spent 500 µs"), "{}", lines[0]);
        // With the two as the reference, the wall time is also given paired by round.
        let lines = loadgen_ceiling(&crate::summary::summarise_against(&slow, &[], Some("two")));
        assert!(
            lines[0].contains("so one is the ceiling here; paired by round, its speed over the whole run (wall time, starting and connecting included) was 0.80× (0.80–0.80) of theirs; "),
            "{}",
            lines[0]
        );
        let lines = loadgen_ceiling(&summarise(&records(1.01), &[]));
        assert!(
            lines[0].contains(
                "0.99× (0.99–1.00): a tie: a second load generator added nothing beyond the margin;"
            ),
            "{}",
            lines[0]
        );
    }
}
