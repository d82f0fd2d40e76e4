//! Answers to the task-cost questions (are tasks faster than threads to start and to wait? what
//! does a blocking call inside async cost? memory per task and per thread, and where threads
//! stop? what does concurrency buy for IO? is "8000× less memory" true?), derived from the
//! numbers of a run. Each answer appears only when the run holds the data it rests on, and names
//! the entries and figures it rests on.

use std::fmt::Write as _;

use concbench_core::workload::units::STORM_CALLS;

use crate::plot::thousands as count;
use crate::summary::{EntrySummary, FamilySummary, Series, Summary, SweepSummary};

fn unit(e: &EntrySummary) -> &str {
    e.unit.as_deref().unwrap_or("")
}

/// The group of the CPU family on `scenario`.
fn group<'a>(summary: &'a Summary, scenario: &str) -> Option<&'a FamilySummary> {
    summary
        .families
        .iter()
        .find(|f| f.family == "cpu" && f.scenario == scenario)
}

/// The entry of `kind` with the lowest mean `key`.
fn least<'a>(entries: &'a [EntrySummary], kind: &str, key: &str) -> Option<(&'a EntrySummary, f64)> {
    entries
        .iter()
        .filter(|e| unit(e) == kind)
        .filter_map(|e| e.mean(key).map(|v| (e, v)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// `a` is below `b` with their 95 % intervals apart.
fn clearly_below(a: &EntrySummary, b: &EntrySummary, key: &str) -> bool {
    match (a.metrics.get(key), b.metrics.get(key)) {
        (Some(x), Some(y)) => x.mean < y.mean && !x.overlaps(y),
        _ => false,
    }
}

fn us(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0} µs")
    } else {
        format!("{v:.1} µs")
    }
}

/// The findings section of the report (empty when nothing applies).
pub fn markdown(summary: &Summary) -> String {
    let answers: Vec<(&str, Vec<String>)> = [
        ("Are tasks faster to start than threads?", start_up(summary)),
        ("Are tasks faster to wait than threads?", waiting(summary)),
        ("What does a blocking call inside async cost?", blocking(summary)),
        ("CPU bursts: who uses the cores?", squares(summary)),
        (
            "Memory per task and per thread, and where threads stop",
            memory(summary),
        ),
        ("What does concurrency buy for IO?", concurrency(summary)),
    ]
    .into_iter()
    .filter(|(_, lines)| !lines.is_empty())
    .collect();
    if answers.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "## Task costs: the questions, answered from these numbers\n\nEvery figure below is a mean from the tables above; ratios are of means.\n\n",
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

fn start_up(summary: &Summary) -> Vec<String> {
    let Some(f) = group(summary, "spawn-only") else {
        return vec![];
    };
    let key = "per_unit_us";
    let mut out = Vec::new();
    let task = least(&f.entries, "task", key);
    let thread = least(&f.entries, "thread", key);
    let pool = least(&f.entries, "pool", key);
    let process = least(&f.entries, "process", key);
    let n = f
        .entries
        .iter()
        .find_map(|e| e.work.as_ref().map(|w| w.units))
        .unwrap_or(0);
    let mut costs = Vec::new();
    for (name, found) in [
        ("task", task),
        ("OS thread", thread),
        ("pool job", pool),
        ("process", process),
    ] {
        if let Some((e, v)) = found {
            costs.push(format!("{name} {} ({})", us(v), e.label));
        }
    }
    if !costs.is_empty() {
        out.push(format!(
            "Start-up cost per unit (spawn-only, {n} units, wall time ÷ units, cheapest of each kind): {}.",
            costs.join(", ")
        ));
    }
    if let (Some((te, t)), Some((he, h))) = (task, thread) {
        let verdict = if clearly_below(te, he, key) {
            "Yes"
        } else if clearly_below(he, te, key) {
            "No"
        } else {
            "Not shown"
        };
        out.push(format!(
            "{verdict}: an OS thread cost {:.1}× a task to start and join ({} against {}).",
            h / t,
            us(h),
            us(t)
        ));
    }
    if let (Some((_, t)), Some((_, p))) = (task, process) {
        let vs_thread = thread.map_or(String::new(), |(_, h)| format!(", {:.1}× a thread", p / h));
        out.push(format!(
            "A process cost {:.0}× a task{vs_thread} ({}).",
            p / t,
            us(p)
        ));
    }
    let tasks: Vec<String> = f
        .entries
        .iter()
        .filter(|e| unit(e) == "task")
        .filter_map(|e| e.mean(key).map(|v| format!("{} {}", e.label, us(v))))
        .collect();
    if tasks.len() > 1 {
        out.push(format!("Tasks by runtime: {}.", tasks.join(", ")));
    }
    out
}

fn waiting(summary: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    for scenario in ["sleep-fixed", "sleep-variable"] {
        let Some(f) = group(summary, scenario) else {
            continue;
        };
        let sleep = f
            .config
            .get("sleep_ms")
            .and_then(|v| v.as_f64())
            .unwrap_or(f64::NAN);
        let n = f
            .entries
            .iter()
            .find_map(|e| e.work.as_ref().map(|w| w.units))
            .unwrap_or(0);
        let mut walls = Vec::new();
        for (name, kind) in [
            ("tasks", "task"),
            ("threads", "thread"),
            ("pool", "pool"),
            ("processes", "process"),
            ("one after another", "sequential"),
        ] {
            if let Some((e, v)) = least(&f.entries, kind, "wall_s") {
                walls.push(format!("{name} {:.1} ms ({})", v * 1e3, e.label));
            }
        }
        if walls.is_empty() {
            continue;
        }
        out.push(format!(
            "{scenario} ({n} units, `sleep_ms` = {sleep}): wall time {}.",
            walls.join(", ")
        ));
        if let (Some((te, t)), Some((he, h))) = (
            least(&f.entries, "task", "wall_s"),
            least(&f.entries, "thread", "wall_s"),
        ) {
            let verdict = if clearly_below(te, he, "wall_s") {
                format!("tasks finished first, by {:.1} ms", (h - t) * 1e3)
            } else if clearly_below(he, te, "wall_s") {
                format!("threads finished first, by {:.1} ms", (t - h) * 1e3)
            } else {
                "no difference between tasks and threads is shown (95 % intervals overlap)".into()
            };
            out.push(format!(
                "{scenario}: {verdict}; the wait itself is the same for both, the rest is starting and waking the units."
            ));
        }
    }
    out
}

fn blocking(summary: &Summary) -> Vec<String> {
    let Some(f) = group(summary, "blocking-storm") else {
        return vec![];
    };
    let mut out = Vec::new();
    let find = |pred: &dyn Fn(&EntrySummary) -> bool| {
        f.entries
            .iter()
            .find(|e| pred(e) && e.metrics.contains_key("wall_s"))
    };
    let ct = find(&|e| unit(e) == "task" && e.variant.as_deref() == Some("tokio-current-thread"));
    let seq = find(&|e| unit(e) == "sequential");
    let (Some(ct), Some(seq)) = (ct, seq) else {
        return out;
    };
    let n = ct.work.as_ref().map_or(0, |w| w.units);
    let one = seq.mean("wall_s").unwrap() / n.max(1) as f64;
    let wall = ct.mean("wall_s").unwrap();
    let ratio = wall / (one * n as f64);
    let word = if (0.8..=1.25).contains(&ratio) {
        "The executor was serialised"
    } else if ratio < 0.8 {
        "The units overlapped (not serialised)"
    } else {
        "Slower than serial"
    };
    out.push(format!(
        "{word}: {} took {:.3} s for {n} units, {ratio:.2}× units × one unit's time ({n} × {} = {:.3} s, one unit's time being {}'s wall ÷ units, which runs them one after another).",
        ct.label,
        wall,
        us(one * 1e6),
        one * n as f64,
        seq.label
    ));
    out.push(format!(
        "One blocking call (`sched_yield`) held the executor's only thread for {:.2} µs on average ({:.3} s ÷ {} calls); no other task ran meanwhile.",
        wall * 1e6 / (n as f64 * STORM_CALLS as f64),
        wall,
        count((n * STORM_CALLS) as f64)
    ));
    let others: Vec<String> = f
        .entries
        .iter()
        .filter(|e| e.label != ct.label && e.label != seq.label)
        .filter_map(|e| {
            e.mean("wall_s")
                .map(|w| format!("{} {:.3} s ({:.2}×)", e.label, w, w / wall))
        })
        .collect();
    if !others.is_empty() {
        out.push(format!(
            "For comparison (× {}'s time): {}.",
            ct.label,
            others.join(", ")
        ));
    }
    out
}

fn squares(summary: &Summary) -> Vec<String> {
    let Some(f) = group(summary, "squares") else {
        return vec![];
    };
    let base = f.entries.iter().find(|e| e.label == f.baseline);
    let Some(base_wall) = base.and_then(|b| b.mean("wall_s")) else {
        return vec![];
    };
    let rows: Vec<String> = f
        .entries
        .iter()
        .filter(|e| e.label != f.baseline)
        .filter_map(|e| {
            let w = e.mean("wall_s")?;
            let cpu = e.mean("process_cpu_pct")?;
            Some(format!(
                "{} {:.2}× ({:.0} % of one core)",
                e.label,
                base_wall / w,
                cpu
            ))
        })
        .collect();
    if rows.is_empty() {
        return vec![];
    }
    vec![format!(
        "Speed over {} ({:.3} s) building {} vectors of 1,000,000 squares: {}.",
        f.baseline,
        base_wall,
        base.and_then(|b| b.work.as_ref()).map_or(0, |w| w.units),
        rows.join(", ")
    )]
}

/// The idle-scale sweeps' series.
fn idle_series(summary: &Summary) -> Vec<&Series> {
    summary
        .sweeps
        .iter()
        .flat_map(|s| s.series.iter())
        .filter(|s| s.scenario == "idle-scale")
        .collect()
}

/// The largest value at which every run of a series succeeded, with its point.
fn largest_ok(s: &Series) -> Option<(f64, &EntrySummary)> {
    s.points
        .iter()
        .filter(|p| p.ok > 0 && p.failed == 0)
        .filter_map(|p| p.sweep.as_ref().map(|at| (at.value, p)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

/// RSS per unit above the one-unit point: (peak at N − peak at 1) ÷ (N − 1), KiB.
fn slope_kib(s: &Series, n: f64, at_n: &EntrySummary) -> Option<f64> {
    let one = s.at(1.0)?;
    let (top, base) = (at_n.mean("rss_peak_mib")?, one.mean("rss_peak_mib")?);
    (n > 1.0).then(|| (top - base) * 1024.0 / (n - 1.0))
}

fn memory(summary: &Summary) -> Vec<String> {
    let series = idle_series(summary);
    let mut out = Vec::new();
    let mut per_unit: Vec<Reach> = Vec::new();
    for s in &series {
        let Some((n, p)) = largest_ok(s) else {
            out.push(format!("{}: no point of the sweep ran.", s.label));
            continue;
        };
        let peak = p.mean("rss_peak_mib").unwrap_or(f64::NAN);
        let slope = slope_kib(s, n, p);
        let measured = p.mean("rss_per_unit_kib");
        let kib = slope.or(measured).unwrap_or(f64::NAN);
        let mut line = format!(
            "{} ({}s): {} units waiting at a {peak:.1} MiB peak; {kib:.2} KiB per unit above the one-unit run",
            s.label,
            unit(p),
            count(n)
        );
        if let Some(m) = measured {
            let _ = write!(line, " ({m:.2} KiB above the process's own start)");
        }
        line.push('.');
        out.push(line);
        let refused = s.points.iter().find(|q| q.ok == 0 && q.failed > 0);
        if let Some(q) = refused {
            let at = q.sweep.as_ref().map_or(0.0, |a| a.value);
            let larger = s
                .points
                .iter()
                .filter(|r| r.sweep.as_ref().is_some_and(|a| a.value > at))
                .count();
            out.push(format!(
                "{} stopped at {} units{}: {}",
                s.label,
                count(at),
                if larger > 0 {
                    " (and every larger count tried)"
                } else {
                    ""
                },
                q.error
                    .as_deref()
                    .map_or("every run failed.".into(), |e| format!("`{e}`"))
            ));
        }
        per_unit.push(Reach {
            label: s.label.clone(),
            unit: unit(p).to_string(),
            kib,
            units: n,
            peak_mib: peak,
            refused: refused.is_some(),
        });
    }
    for s in &series {
        if let Some(p) = s.at(100_000.0) {
            if let Some(peak) = p.mean("rss_peak_mib") {
                out.push(format!("At 100,000 units {} peaked at {peak:.1} MiB.", s.label));
            }
        }
    }
    let tasks: Vec<&Reach> = per_unit.iter().filter(|p| p.unit == "task").collect();
    let threads: Vec<&Reach> = per_unit.iter().filter(|p| p.unit == "thread").collect();
    if let (Some(task), Some(thread)) = (
        tasks.iter().min_by(|a, b| a.kib.total_cmp(&b.kib)),
        threads.iter().min_by(|a, b| a.kib.total_cmp(&b.kib)),
    ) {
        let heaviest = tasks
            .iter()
            .max_by(|a, b| a.kib.total_cmp(&b.kib))
            .expect("not empty");
        let (low, high) = (thread.kib / heaviest.kib, thread.kib / task.kib);
        let times = if heaviest.label == task.label {
            format!("{high:.0}×")
        } else {
            format!("{low:.0}× to {high:.0}×")
        };
        let claim = if high >= 8000.0 {
            "true here"
        } else {
            "not true here"
        };
        out.push(format!(
            "\"Threads cost ~8 MB each, coroutines ~1 KB, so async scales 8000× further\" is {claim} for memory: a waiting thread ({}) took {:.2} KiB of resident memory and a waiting task {:.2} KiB ({}){}, so a thread cost {times} a task. A thread's stack is reserved address space (2 MiB by default for Rust's std::thread), and only the pages it touches become resident.",
            thread.label,
            thread.kib,
            task.kib,
            task.label,
            if heaviest.label == task.label {
                String::new()
            } else {
                format!(" to {:.2} KiB ({})", heaviest.kib, heaviest.label)
            },
        ));
        let reach_task = tasks.iter().map(|t| t.units).fold(0.0, f64::max);
        let far = threads
            .iter()
            .max_by(|a, b| a.units.total_cmp(&b.units))
            .expect("not empty");
        let memory = summary.env.as_ref().map_or(String::new(), |e| {
            format!(" of this machine's {} MiB", e.mem_total_mib)
        });
        out.push(format!(
            "Reach: tasks ran {} units at most in this sweep, threads {} ({:.0}×); {}",
            count(reach_task),
            count(far.units),
            reach_task / far.units,
            if far.refused {
                format!(
                    "the OS refused more threads (above) while {} used {:.1} MiB{memory}.",
                    far.label, far.peak_mib
                )
            } else {
                "no thread count was refused, so the threads' limit was not reached.".into()
            }
        ));
    }
    out
}

/// How far one idle-scale series went.
struct Reach {
    label: String,
    unit: String,
    /// Resident memory per waiting unit, KiB.
    kib: f64,
    /// The largest count that ran.
    units: f64,
    /// Its peak RSS, MiB.
    peak_mib: f64,
    /// Some larger count was refused.
    refused: bool,
}

/// IO sweeps: throughput and memory from the fewest to the most in flight.
fn concurrency(summary: &Summary) -> Vec<String> {
    summary
        .sweeps
        .iter()
        .filter(|s| s.family == "io")
        .flat_map(|sweep: &SweepSummary| {
            sweep.series.iter().filter_map(move |s| {
                let ok: Vec<(f64, &EntrySummary)> = s
                    .points
                    .iter()
                    .filter(|p| p.ok > 0)
                    .filter_map(|p| p.sweep.as_ref().map(|a| (a.value, p)))
                    .collect();
                let (first, last) = (ok.first()?, ok.last()?);
                let rate = |p: &EntrySummary| p.mean("req_per_s").unwrap_or(f64::NAN);
                let rss = |p: &EntrySummary| p.mean("rss_peak_mib").unwrap_or(f64::NAN);
                let best = ok.iter().max_by(|a, b| rate(a.1).total_cmp(&rate(b.1)))?;
                let mut line = format!(
                    "{}: {:.0} req/s at {} in flight, {:.0} at {} ({:.0}×); the most, {:.0} req/s, at {}; peak RSS {:.1} MiB → {:.1} MiB.",
                    s.label,
                    rate(first.1),
                    count(first.0),
                    rate(last.1),
                    count(last.0),
                    rate(last.1) / rate(first.1),
                    rate(best.1),
                    count(best.0),
                    rss(first.1),
                    rss(last.1)
                );
                if let Some(q) = s.points.iter().find(|p| p.ok == 0) {
                    let at = q.sweep.as_ref().map_or(0.0, |a| a.value);
                    let _ = write!(
                        line,
                        " It could not run at {}{}.",
                        count(at),
                        q.error.as_deref().map_or(String::new(), |e| format!(": `{e}`"))
                    );
                }
                Some(line)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::summarise;
    use crate::testdata;

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
}
