//! Answers to the task-cost questions (are tasks faster than threads to start and to wait? what
//! does a blocking call inside async cost? memory per task and per thread, and where threads
//! stop? what does concurrency buy for IO? is "8000× less memory" true?), derived from the
//! numbers of a run. Each answer appears only when the run holds the data it rests on, and names
//! the entries and figures it rests on.

use std::fmt::Write as _;

use concbench_core::config::Kind;
use concbench_core::report::Family;
use concbench_cpu::units::{SQUARES, STORM_CALLS};

use crate::format::{
    code, fixed, kib, mib, micros, micros_fixed, millis, percent, req_per_s, seconds_fixed, speedup,
    thousands as count, times,
};
use crate::metric::Metric;
use crate::openloop;
use crate::stats::Standing;
use crate::summary::{EntrySummary, FamilySummary, Series, Summary, SweepSummary};

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

/// The entry of `kind` with the lowest mean of `metric`.
fn least<'a>(entries: &'a [EntrySummary], kind: &str, metric: Metric) -> Option<(&'a EntrySummary, f64)> {
    entries
        .iter()
        .filter(|e| unit(e) == kind)
        .filter_map(|e| e.mean(metric).map(|v| (e, v)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// `a` is below `b` with their 95 % intervals apart.
fn clearly_below(a: &EntrySummary, b: &EntrySummary, metric: Metric) -> bool {
    match (a.stats(metric), b.stats(metric)) {
        (Some(x), Some(y)) => x.mean < y.mean && !x.overlaps(y),
        _ => false,
    }
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
        "## Findings: the questions, answered from these numbers\n\nEvery figure below is a mean from the tables above and every ratio a ratio of means, except where a line says it gives paired speed-ups (the median of per-round ratios, with its 95 % interval).\n\n",
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

pub(crate) fn start_up(summary: &Summary) -> Vec<String> {
    let Some(f) = group(summary, "spawn-only") else {
        return vec![];
    };
    let m = Metric::PerUnit;
    let [task, thread, pool, process] =
        ["task", "thread", "pool", "process"].map(|kind| least(&f.entries, kind, m));
    let mut out = Vec::new();
    let costs: Vec<String> = [
        ("task", task),
        ("OS thread", thread),
        ("pool job", pool),
        ("process", process),
    ]
    .into_iter()
    .filter_map(|(name, found)| found.map(|(e, v)| format!("{name} {} ({})", micros(v), e.label)))
    .collect();
    if !costs.is_empty() {
        out.push(format!(
            "Start-up cost per unit (spawn-only, {} units, wall time ÷ units, cheapest of each kind): {}.",
            units_of(f),
            costs.join(", ")
        ));
    }
    if let (Some((te, t)), Some((he, h))) = (task, thread) {
        out.push(format!(
            "{}: an OS thread cost {} a task to start and join ({} against {}).",
            which_is_cheaper(te, he, m),
            times(h / t, 1),
            micros(h),
            micros(t)
        ));
    }
    if let (Some((_, t)), Some((_, p))) = (task, process) {
        let vs_thread = thread.map_or(String::new(), |(_, h)| format!(", {} a thread", times(p / h, 1)));
        out.push(format!(
            "A process cost {} a task{vs_thread} ({}).",
            times(p / t, 0),
            micros(p)
        ));
    }
    out.extend(tasks_by_runtime(f, m));
    out
}

/// "Yes" when tasks are clearly cheaper than threads, "No" when clearly dearer, else "Not shown".
fn which_is_cheaper(task: &EntrySummary, thread: &EntrySummary, m: Metric) -> &'static str {
    if clearly_below(task, thread, m) {
        "Yes"
    } else if clearly_below(thread, task, m) {
        "No"
    } else {
        "Not shown"
    }
}

/// Each runtime's task start-up cost, when there are several.
fn tasks_by_runtime(f: &FamilySummary, m: Metric) -> Option<String> {
    let tasks: Vec<String> = f
        .entries
        .iter()
        .filter(|e| unit(e) == "task")
        .filter_map(|e| e.mean(m).map(|v| format!("{} {}", e.label, micros(v))))
        .collect();
    (tasks.len() > 1).then(|| format!("Tasks by runtime: {}.", tasks.join(", ")))
}

fn waiting(summary: &Summary) -> Vec<String> {
    ["sleep-fixed", "sleep-variable"]
        .into_iter()
        .filter_map(|scenario| group(summary, scenario))
        .flat_map(waiting_in)
        .collect()
}

/// One sleep scenario: the cheapest wall time of each kind, and tasks against threads.
fn waiting_in(f: &FamilySummary) -> Vec<String> {
    let scenario = &f.scenario;
    let sleep = f
        .config
        .get("sleep_ms")
        .and_then(|v| v.as_f64())
        .unwrap_or(f64::NAN);
    let walls: Vec<String> = [
        ("tasks", "task"),
        ("threads", "thread"),
        ("pool", "pool"),
        ("processes", "process"),
        ("one after another", "sequential"),
    ]
    .into_iter()
    .filter_map(|(name, kind)| {
        least(&f.entries, kind, Metric::Wall)
            .map(|(e, v)| format!("{name} {} ({})", millis(v * 1e3, 1), e.label))
    })
    .collect();
    if walls.is_empty() {
        return vec![];
    }
    let mut out = vec![format!(
        "{scenario} ({} units, `sleep_ms` = {sleep}): wall time {}.",
        units_of(f),
        walls.join(", ")
    )];
    let m = Metric::Wall;
    if let (Some((te, t)), Some((he, h))) = (least(&f.entries, "task", m), least(&f.entries, "thread", m)) {
        let verdict = if clearly_below(te, he, m) {
            format!("tasks finished first, by {}", millis((h - t) * 1e3, 1))
        } else if clearly_below(he, te, m) {
            format!("threads finished first, by {}", millis((t - h) * 1e3, 1))
        } else {
            "no difference between tasks and threads is shown (95 % intervals overlap)".into()
        };
        out.push(format!(
            "{scenario}: {verdict}; the wait itself is the same for both, the rest is starting and waking the units."
        ));
    }
    out
}

/// `, 1.70× (1.38–1.73)`: an entry's paired speed-up over its group's baseline, for a list
/// (nothing for the baseline itself).
fn vs_baseline(f: &FamilySummary, e: &EntrySummary) -> String {
    e.speedup
        .as_ref()
        .filter(|_| e.label != f.baseline)
        .map_or(String::new(), |s| format!(", {}", speedup(s)))
}

/// file-read: MiB/s per entry, and where the async runtimes' file APIs run.
fn file_read(summary: &Summary) -> Vec<String> {
    let Some(f) = group(summary, "file-read") else {
        return vec![];
    };
    let bytes = f.config.get("file_bytes").and_then(|v| v.as_u64()).unwrap_or(0);
    let n = units_of(f);
    let cells: Vec<String> = f
        .entries
        .iter()
        .filter_map(|e| {
            let wall = e.mean(Metric::Wall)?;
            let vs = vs_baseline(f, e);
            Some(format!(
                "{} ({}) {} MiB/s{vs}",
                e.label,
                unit(e),
                count(n as f64 * bytes as f64 / wall / 1_048_576.0)
            ))
        })
        .collect();
    if cells.is_empty() {
        return vec![];
    }
    vec![
        format!("file-read ({n} units, one file of {} bytes each, from the page cache; speed-ups over {} paired by round): {}.", count(bytes as f64), f.baseline, cells.join("; ")),
        "The async runtimes have no asynchronous file IO of their own here: `tokio::fs` runs each call with `spawn_blocking` on tokio's blocking pool, `smol::fs` (async-fs) on its blocking thread pool, and `async_std::fs` on async-std's, so an async file read is a thread-pool read plus the hand-off.".into(),
    ]
}

/// The sqlite scenarios: rows per second and busy retries per entry, then writers against readers.
fn sqlite(summary: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    let mut best = Vec::new();
    for scenario in ["sqlite-insert", "sqlite-read"] {
        let Some(f) = group(summary, scenario) else {
            continue;
        };
        let rows = f.config.get("rows").and_then(|v| v.as_u64()).unwrap_or(0);
        let n = units_of(f);
        // An insert unit writes its rows; a read unit reads every unit's.
        let (per_unit, what) = match scenario {
            "sqlite-insert" => (rows, "rows written/s"),
            _ => (n * rows, "rows read/s"),
        };
        let cells: Vec<String> = f
            .entries
            .iter()
            .filter_map(|e| {
                let wall = e.mean(Metric::Wall)?;
                let busy = e.mean(Metric::BusyRetries).unwrap_or(0.0);
                let vs = vs_baseline(f, e);
                Some(format!(
                    "{} ({}) {} {what}{vs}, {} busy retries",
                    e.label,
                    unit(e),
                    count(n as f64 * per_unit as f64 / wall),
                    fixed(busy, 0)
                ))
            })
            .collect();
        if cells.is_empty() {
            continue;
        }
        out.push(format!("{scenario} ({n} units × {rows} rows, one WAL-mode file, a connection per unit; speed-ups over {} paired by round): {}.", f.baseline, cells.join("; ")));
        let top = f
            .entries
            .iter()
            .filter(|e| e.label != f.baseline)
            .filter_map(|e| Some((e, e.speedup.as_ref()?)))
            .max_by(|a, b| a.1.median.total_cmp(&b.1.median));
        let retried = f
            .entries
            .iter()
            .filter(|e| e.mean(Metric::BusyRetries).is_some_and(|b| b > 0.0))
            .count();
        if let Some((e, paired)) = top {
            let standing = match crate::ranking::standing(e, summary.margin_pct) {
                Standing::Faster => "faster than",
                Standing::Slower => "slower than",
                Standing::Tie => "tied with",
                Standing::TooFew => "too few rounds to rank against",
            };
            let said = format!("{} ({standing} the sequential loop)", speedup(paired));
            best.push((scenario, e.label.clone(), said, retried, f.entries.len()));
        }
    }
    if let [(_, wl, wr, wb, wn), (_, rl, rr, rb, rn)] = best.as_slice() {
        out.push(format!(
            "Writers wait for one another, readers do not: {wb} of {wn} insert entries counted busy retries (a unit found the write lock taken and waited), {rb} of {rn} read entries did; the highest paired speed-up of concurrent readers ({rl}) was {rr}, of concurrent writers ({wl}) {wr}."
        ));
    }
    out
}

/// blocking-sleep: how many units slept at once on average (units × sleep ÷ wall), per entry,
/// and what it means for the async entries.
fn blocking_sleep(summary: &Summary) -> Vec<String> {
    let Some(f) = group(summary, "blocking-sleep") else {
        return vec![];
    };
    let Some(sleep_ms) = f.config.get("sleep_ms").and_then(|v| v.as_f64()) else {
        return vec![];
    };
    let n = units_of(f);
    let ideal = n as f64 * sleep_ms / 1000.0;
    let mut out: Vec<String> = f
        .entries
        .iter()
        .filter_map(|e| {
            let wall = e.mean(Metric::Wall)?;
            Some(format!(
                "{} ({}): {} for {n} units of {} ms, so {} units slept at once on average ({} ÷ {}).",
                e.label,
                unit(e),
                seconds_fixed(wall, 3),
                fixed(sleep_ms, 0),
                fixed(ideal / wall, 2),
                seconds_fixed(ideal, 3),
                seconds_fixed(wall, 3)
            ))
        })
        .collect();
    if !out.is_empty() {
        out.push("`std::thread::sleep` inside a task blocks the thread that runs the task: a current-thread runtime has one thread, so its units sleep one after another, as if sequential; a multi-thread runtime has its worker threads (`cpu.workers`), so at most that many sleep at once. In sleep-fixed the runtime's own timer lets every unit wait together.".into());
    }
    out
}

fn blocking(summary: &Summary) -> Vec<String> {
    let Some(f) = group(summary, "blocking-storm") else {
        return vec![];
    };
    let find =
        |pred: &dyn Fn(&EntrySummary) -> bool| f.entries.iter().find(|e| pred(e) && e.has(Metric::Wall));
    let ct = find(&|e| unit(e) == "task" && e.variant.as_deref() == Some("tokio-current-thread"));
    let seq = find(&|e| unit(e) == "sequential");
    let (Some(ct), Some(seq)) = (ct, seq) else {
        return vec![];
    };
    let n = ct.work.as_ref().map_or(0, |w| w.units);
    let one = seq.mean(Metric::Wall).unwrap() / n.max(1) as f64;
    let wall = ct.mean(Metric::Wall).unwrap();
    let ratio = wall / (one * n as f64);
    let word = if (0.8..=1.25).contains(&ratio) {
        "The executor was serialised"
    } else if ratio < 0.8 {
        "The units overlapped (not serialised)"
    } else {
        "Slower than serial"
    };
    let mut out = vec![format!(
        "{word}: {} took {} for {n} units, {} units × one unit's time ({n} × {} = {}, one unit's time being {}'s wall ÷ units, which runs them one after another).",
        ct.label,
        seconds_fixed(wall, 3),
        times(ratio, 2),
        micros(one * 1e6),
        seconds_fixed(one * n as f64, 3),
        seq.label
    )];
    out.push(format!(
        "One blocking call (`sched_yield`) held the executor's only thread for {} on average ({} ÷ {} calls); no other task ran meanwhile.",
        micros_fixed(wall * 1e6 / (n as f64 * STORM_CALLS as f64), 2),
        seconds_fixed(wall, 3),
        count((n * STORM_CALLS) as f64)
    ));
    let others: Vec<String> = f
        .entries
        .iter()
        .filter(|e| e.label != ct.label && e.label != seq.label)
        .filter_map(|e| {
            e.mean(Metric::Wall)
                .map(|w| format!("{} {} ({})", e.label, seconds_fixed(w, 3), times(w / wall, 2)))
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
    let Some(base_wall) = base.and_then(|b| b.stats(Metric::Wall)).map(|s| s.median) else {
        return vec![];
    };
    // The paired speed-up and its standing, as the verdict gives them (one computation).
    let rows: Vec<String> = f
        .entries
        .iter()
        .filter(|e| e.label != f.baseline)
        .filter_map(|e| {
            let p = e.speedup.as_ref()?;
            let cpu = e.stats(Metric::ProcessCpu)?.median;
            let standing = crate::ranking::standing(e, summary.margin_pct).word();
            Some(format!(
                "{} {} {standing} ({} of one core)",
                e.label,
                speedup(p),
                percent(cpu)
            ))
        })
        .collect();
    if rows.is_empty() {
        return vec![];
    }
    vec![format!(
        "Paired speed-up over {} ({}, median) building {} vectors of {} squares, with the median CPU: {}.",
        f.baseline,
        seconds_fixed(base_wall, 3),
        base.and_then(|b| b.work.as_ref()).map_or(0, |w| w.units),
        count(SQUARES as f64),
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
    let (top, base) = (at_n.mean(Metric::RssPeak)?, one.mean(Metric::RssPeak)?);
    (n > 1.0).then(|| (top - base) * 1024.0 / (n - 1.0))
}

fn memory(summary: &Summary) -> Vec<String> {
    let series = idle_series(summary);
    let mut out = Vec::new();
    let mut reached: Vec<Reach> = Vec::new();
    for s in &series {
        match Reach::of(s) {
            Some(reach) => {
                out.extend(reach.lines(s));
                reached.push(reach);
            }
            None => out.push(format!("{}: no point of the sweep ran.", s.label)),
        }
    }
    for s in &series {
        if let Some(peak) = s.at(100_000.0).and_then(|p| p.mean(Metric::RssPeak)) {
            out.push(format!("At 100,000 units {} peaked at {}.", s.label, mib(peak)));
        }
    }
    let tasks: Vec<&Reach> = reached.iter().filter(|p| p.unit == "task").collect();
    let threads: Vec<&Reach> = reached.iter().filter(|p| p.unit == "thread").collect();
    if !tasks.is_empty() && !threads.is_empty() {
        out.push(eight_thousand(&tasks, &threads));
        out.push(reach(summary, &tasks, &threads));
    }
    out
}

/// The "8000×" claim against the leanest and the heaviest task and the leanest thread.
fn eight_thousand(tasks: &[&Reach], threads: &[&Reach]) -> String {
    let by_kib = |a: &&&Reach, b: &&&Reach| a.kib.total_cmp(&b.kib);
    let task = tasks.iter().min_by(by_kib).expect("not empty");
    let heaviest = tasks.iter().max_by(by_kib).expect("not empty");
    let thread = threads.iter().min_by(by_kib).expect("not empty");
    let (low, high) = (thread.kib / heaviest.kib, thread.kib / task.kib);
    let one_task = heaviest.label == task.label;
    let factor = if one_task {
        times(high, 0)
    } else {
        format!("{} to {}", fixed(low, 0) + "×", times(high, 0))
    };
    let claim = if high >= 8000.0 {
        "true here"
    } else {
        "not true here"
    };
    let up_to = if one_task {
        String::new()
    } else {
        format!(" to {} ({})", kib(heaviest.kib), heaviest.label)
    };
    format!(
        "\"Threads cost ~8 MB each, coroutines ~1 KB, so async scales 8000× further\" is {claim} for memory: a waiting thread ({}) took {} of resident memory and a waiting task {} ({}){up_to}, so a thread cost {factor} a task. A thread's stack is reserved address space (2 MiB by default for Rust's std::thread), and only the pages it touches become resident.",
        thread.label,
        kib(thread.kib),
        kib(task.kib),
        task.label,
    )
}

/// How far tasks and threads went, and whether the OS refused more threads.
fn reach(summary: &Summary, tasks: &[&Reach], threads: &[&Reach]) -> String {
    let reach_task = tasks.iter().map(|t| t.units).fold(0.0, f64::max);
    let far = threads
        .iter()
        .max_by(|a, b| a.units.total_cmp(&b.units))
        .expect("not empty");
    let memory = summary.env.as_ref().map_or(String::new(), |e| {
        format!(" of this machine's {} MiB", e.mem_total_mib)
    });
    let why = if far.refused {
        format!(
            "the OS refused more threads (above) while {} used {}{memory}.",
            far.label,
            mib(far.peak_mib)
        )
    } else {
        "no thread count was refused, so the threads' limit was not reached.".into()
    };
    format!(
        "Reach: tasks ran {} units at most in this sweep, threads {} ({}); {why}",
        count(reach_task),
        count(far.units),
        times(reach_task / far.units, 0),
    )
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

impl Reach {
    /// The reach of `s`, when some point of it ran.
    fn of(s: &Series) -> Option<Self> {
        let (n, p) = largest_ok(s)?;
        let kib = slope_kib(s, n, p)
            .or(p.mean(Metric::RssPerUnit))
            .unwrap_or(f64::NAN);
        Some(Reach {
            label: s.label.clone(),
            unit: unit(p).to_string(),
            kib,
            units: n,
            peak_mib: p.mean(Metric::RssPeak).unwrap_or(f64::NAN),
            refused: refused(s).is_some(),
        })
    }

    /// The series' memory line, and where it stopped.
    fn lines(&self, s: &Series) -> Vec<String> {
        let plural = match self.unit.as_str() {
            "process" => "processes".to_string(),
            other => format!("{other}s"),
        };
        let mut line = format!(
            "{} ({plural}): {} units waiting at a {} peak; {} per unit above the one-unit run",
            self.label,
            count(self.units),
            mib(self.peak_mib),
            kib(self.kib)
        );
        let at_n = largest_ok(s).map(|(_, p)| p);
        if let Some(m) = at_n.and_then(|p| p.mean(Metric::RssPerUnit)) {
            let _ = write!(line, " ({} above the process's own start)", kib(m));
        }
        if let Some(m) = at_n.and_then(|p| p.mean(Metric::PssPerUnit)) {
            let _ = write!(
                line,
                "; counting each shared page once over the processes that share it (PSS), {} per unit",
                kib(m)
            );
        }
        if let Some(bytes) = at_n.and_then(|p| p.future_bytes) {
            let _ = write!(
                line,
                "; one unit's future is {bytes} bytes, the rest is what holds it (the runtime's task, or the FuturesUnordered node) and the allocator's rounding"
            );
        }
        line.push('.');
        let mut out = vec![line];
        out.extend(refused(s).map(|q| stopped(s, q)));
        out
    }
}

/// The first point of `s` at which every run failed.
fn refused(s: &Series) -> Option<&EntrySummary> {
    s.points.iter().find(|q| q.ok == 0 && q.failed > 0)
}

/// Where a series stopped (point `q`), and the error that stopped it.
fn stopped(s: &Series, q: &EntrySummary) -> String {
    let at = q.sweep.as_ref().map_or(0.0, |a| a.value);
    let larger = s
        .points
        .iter()
        .filter(|r| r.sweep.as_ref().is_some_and(|a| a.value > at))
        .count();
    format!(
        "{} stopped at {} units{}: {}",
        s.label,
        count(at),
        if larger > 0 {
            " (and every larger count tried)"
        } else {
            ""
        },
        q.error.as_deref().map_or("every run failed.".into(), code)
    )
}

/// The CPU groups of the family's own workloads (char-encoding and the other kernels), in
/// report order, with each one's kernel name.
fn kernel_groups(summary: &Summary) -> Vec<(&str, &FamilySummary)> {
    summary
        .families
        .iter()
        .filter(|f| f.family == Family::Cpu && f.group.is_none() && crate::record::is_workload(&f.scenario))
        .map(|f| {
            let kernel = if f.scenario == "main" {
                "char-encoding"
            } else {
                f.scenario.as_str()
            };
            (kernel, f)
        })
        .collect()
}

/// With two kernels or more: per entry, its paired speed-up over the baseline on each kernel.
fn kernels(summary: &Summary) -> Vec<String> {
    let groups = kernel_groups(summary);
    if groups.len() < 2 {
        return vec![];
    }
    let mut labels: Vec<&str> = Vec::new();
    for (_, f) in &groups {
        for e in f.entries.iter().filter(|e| e.label != f.baseline) {
            if !labels.contains(&e.label.as_str()) {
                labels.push(&e.label);
            }
        }
    }
    let mut out = vec![format!(
        "Paired speed-up over {} on each kernel (median of per-round ratios, 95 % interval); sqrt-sum reads no memory, char-encoding streams one text, filter-aggregate streams 16 bytes a record.",
        groups[0].1.baseline
    )];
    for label in labels {
        let cells: Vec<String> = groups
            .iter()
            .filter_map(|(kernel, f)| {
                let e = f.entries.iter().find(|e| e.label == label)?;
                Some(format!("{kernel} {}", speedup(e.speedup.as_ref()?)))
            })
            .collect();
        if cells.len() >= 2 {
            out.push(format!("{label}: {}.", cells.join(", ")));
        }
    }
    if out.len() == 1 { vec![] } else { out }
}

/// Serving sweeps: each model's round trips/s and memory from the fewest connections to the
/// most, then tasks against threads at the most connections both served.
fn serving(summary: &Summary) -> Vec<String> {
    let series: Vec<&Series> = summary
        .sweeps
        .iter()
        .filter(|s| s.family == Family::Serve)
        .flat_map(|s| s.series.iter())
        .collect();
    let mut out: Vec<String> = series.iter().filter_map(|s| serving_line(s)).collect();
    out.extend(loadgen_bound_line(&series));
    out.extend(event_loop_line(&series));
    out.extend(
        series
            .iter()
            .filter(|s| s.points.iter().any(|p| p.kind == Some(Kind::Threads)))
            .filter_map(|s| threads_stop_line(s)),
    );
    out.extend(loadgen_ceiling(summary));
    out
}

/// Where thread per connection stops: the most connections it held, with its threads, and the
/// first point it could not run with the limit that refused it (or that none did).
fn threads_stop_line(s: &Series) -> Option<String> {
    let &(n, p) = served(s).last()?;
    let threads = p.mean(Metric::ThreadsPeak).map_or(String::new(), |t| {
        format!(" with {} threads at the peak", count(t))
    });
    let refused = s
        .points
        .iter()
        .filter(|q| q.ok == 0)
        .filter_map(|q| Some((q.sweep.as_ref()?.value, q)))
        .find(|(v, _)| *v > n);
    Some(match refused {
        Some((m, q)) => format!(
            "Where threads stop: {} held {} connections{threads}; at {} it could not run: {}.",
            s.label,
            count(n),
            count(m),
            code(q.error.as_deref().unwrap_or("no error recorded"))
        ),
        None => format!(
            "Where threads stop: {} held {} connections{threads}, the most this sweep asked for; no limit refused it here.",
            s.label,
            count(n)
        ),
    })
}

/// Whether one load generator is the ceiling: in a serving group with the same model driven by
/// one load generator and by more, the one's round trips/s against the more's (paired by round
/// when the more is the group's baseline).
fn loadgen_ceiling(summary: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    for f in summary.families.iter().filter(|f| f.family == Family::Serve) {
        for one in f.entries.iter().filter(|e| e.loadgens == Some(1)) {
            let Some(more) = f
                .entries
                .iter()
                .find(|e| e.model == one.model && e.loadgens.is_some_and(|n| n > 1))
            else {
                continue;
            };
            let (Some(r1), Some(rn)) = (
                one.mean(Metric::RoundTripsPerS),
                more.mean(Metric::RoundTripsPerS),
            ) else {
                continue;
            };
            let paired = one
                .speedup
                .as_ref()
                .filter(|_| f.baseline == more.label)
                .map_or(String::new(), |p| {
                    format!(
                        "; paired by round, its speed over the whole run (wall time, starting and connecting included) was {} of theirs",
                        speedup(p)
                    )
                });
            let rates = rate_ratio(one, more).map_or(String::new(), |p| {
                let verdict = match p.standing(summary.margin_pct) {
                    Standing::Slower => "a second load generator raised the round trips/s, so one is the ceiling here",
                    Standing::Tie => "a tie: a second load generator added nothing beyond the margin, so one is not the ceiling here",
                    Standing::Faster => "one load generator drove more round trips/s than two",
                    Standing::TooFew => "too few rounds to say",
                };
                format!(
                    "; its round trips/s over theirs, paired by round, {}: {verdict}",
                    speedup(&p)
                )
            });
            let lg = |e: &EntrySummary| e.mean(Metric::LoadgenCpuPerRoundTrip);
            let cpu = match (lg(one), one.mean(Metric::ServerCpuPerRoundTrip)) {
                (Some(l), Some(c)) => format!(
                    "; the load generator spent {} of CPU per round trip, the server {}",
                    micros(l),
                    micros(c)
                ),
                _ => String::new(),
            };
            out.push(format!(
                "Is one load generator the ceiling? {} driven by one reached {} round trips/s, by {} together {}: {} of theirs{rates}{paired}{cpu}.",
                one.model,
                count(r1),
                more.loadgens.unwrap_or(0),
                count(rn),
                times(r1 / rn, 2),
            ));
        }
    }
    out
}

/// `one`'s round trips/s over `more`'s, paired by round (both ran every round, in order).
fn rate_ratio(one: &EntrySummary, more: &EntrySummary) -> Option<crate::stats::Paired> {
    let (a, b) = (
        one.stats(Metric::RoundTripsPerS)?,
        more.stats(Metric::RoundTripsPerS)?,
    );
    (a.values.len() == b.values.len()).then_some(())?;
    let ratios: Vec<f64> = a.values.iter().zip(&b.values).map(|(x, y)| x / y).collect();
    crate::stats::Paired::of(&ratios)
}

/// A series' points that ran, by connections.
fn served(s: &Series) -> Vec<(f64, &EntrySummary)> {
    s.points
        .iter()
        .filter(|p| p.ok > 0 && p.has(Metric::RoundTripsPerS))
        .filter_map(|p| p.sweep.as_ref().map(|a| (a.value, p)))
        .collect()
}

fn serving_line(s: &Series) -> Option<String> {
    let ok = served(s);
    let (&(n0, first), &(n1, last)) = (ok.first()?, ok.last()?);
    let rate = |p: &EntrySummary| p.mean(Metric::RoundTripsPerS).unwrap_or(f64::NAN);
    let rss = |p: &EntrySummary| p.mean(Metric::RssPeak).unwrap_or(f64::NAN);
    let mut line = format!(
        "{}: {} round trips/s at {} connection{}, {} at {}; peak RSS {} → {}",
        s.label,
        count(rate(first)),
        count(n0),
        if n0 == 1.0 { "" } else { "s" },
        count(rate(last)),
        count(n1),
        mib(rss(first)),
        mib(rss(last))
    );
    // What each run added above its own start (the window's RSS at its opening), so that
    // memory a model used before the window (serve-threads' check of the OS thread limit) is not
    // counted; the slope between the fewest and the most connections is one connection's cost.
    let added_kib = |p: &EntrySummary, n: f64| p.mean(Metric::RssPerConnection).map(|k| k * n);
    let grew = match (first.stats(Metric::RssPeak), last.stats(Metric::RssPeak)) {
        (Some(a), Some(b)) => !a.overlaps(b),
        _ => true,
    };
    if n1 > n0 && !grew {
        line.push_str(", no growth beyond the runs' spread (the 95 % intervals of the peaks overlap)");
    } else if let (true, Some(a0), Some(a1)) = (n1 > n0, added_kib(first, n0), added_kib(last, n1)) {
        let _ = write!(
            line,
            ", {} per connection above the {}-connection run",
            kib((a1 - a0) / (n1 - n0)),
            count(n0)
        );
    }
    // How the kernel spread the connections over the loops, from 10 connections on (one
    // connection is always all one loop's).
    let spread: Vec<(f64, f64)> = ok
        .iter()
        .filter(|(n, _)| *n >= 10.0)
        .filter_map(|(n, p)| Some((*n, p.mean(Metric::BusiestLoopPct)?)))
        .collect();
    if let (Some(&(m0, b0)), Some(&(m1, b1))) = (spread.first(), spread.last()) {
        let _ = write!(
            line,
            "; the busiest of its loops took {} of the connections at {}",
            percent(b0),
            count(m0)
        );
        if m1 > m0 {
            let _ = write!(line, ", {} at {}", percent(b1), count(m1));
        }
    }
    let pss = |p: &EntrySummary| p.mean(Metric::HeldPss);
    if let (true, Some(p0), Some(p1)) = (n1 > n0, pss(first), pss(last)) {
        let _ = write!(
            line,
            "; PSS with every connection open {} → {} ({} per connection)",
            mib(p0),
            mib(p1),
            kib((p1 - p0) * 1024.0 / (n1 - n0))
        );
    }
    if let Some(q) = s.points.iter().find(|p| p.ok == 0) {
        let at = q.sweep.as_ref().map_or(0.0, |a| a.value);
        let _ = write!(line, "; it could not run at {}", count(at));
    }
    line.push('.');
    Some(line)
}

/// The busiest load generator at `n` connections over the series, when it was the bound
/// (busier than [`crate::ranking::LOADGEN_BOUND_PCT`] of its threads' time).
fn loadgen_bound<'a>(series: &[&'a Series], n: f64) -> Option<(f64, &'a str)> {
    series
        .iter()
        .filter_map(|s| Some((s.at(n)?.stats(Metric::LoadgenBusyPct)?.median, s.label.as_str())))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(pct, _)| *pct >= crate::ranking::LOADGEN_BOUND_PCT)
}

/// Where the load generator, not the server, bounded the round trips: those points are not
/// compared.
fn loadgen_bound_line(series: &[&Series]) -> Option<String> {
    let mut values: Vec<f64> = series
        .iter()
        .flat_map(|s| served(s).into_iter().map(|(n, _)| n))
        .collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let bound: Vec<String> = values
        .iter()
        .filter_map(|n| {
            let (pct, label) = loadgen_bound(series, *n)?;
            Some(format!(
                "{} connections (busy {} against {label})",
                count(*n),
                percent(pct)
            ))
        })
        .collect();
    (!bound.is_empty()).then(|| {
        format!(
            "The load generator was the bound at {}: the round trips/s there measure it as much as the servers, so the servers are not compared there.",
            bound.join(", ")
        )
    })
}

/// Tasks against threads at the most connections both served where the load generator was not
/// the bound: rate, memory, p99.
fn event_loop_line(series: &[&Series]) -> Option<String> {
    let of = |kind: Kind| {
        series
            .iter()
            .filter(|s| s.points.iter().any(|p| p.kind == Some(kind)))
            .max_by(|a, b| {
                let rate = |s: &Series| served(s).last().and_then(|(_, p)| p.mean(Metric::RoundTripsPerS));
                rate(a).unwrap_or(0.0).total_cmp(&rate(b).unwrap_or(0.0))
            })
    };
    let (tasks, threads) = (of(Kind::Async)?, of(Kind::Threads)?);
    let n = served(threads)
        .iter()
        .rev()
        .map(|(v, _)| *v)
        .find(|v| served(tasks).iter().any(|(w, _)| w == v) && loadgen_bound(series, *v).is_none())?;
    let (t, h) = (tasks.at(n)?, threads.at(n)?);
    let get = |p: &EntrySummary, m: Metric| p.mean(m).unwrap_or(f64::NAN);
    Some(format!(
        "At {} connections, {} served {} the round trips/s of {} ({} against {}), with {} per connection against {} of memory and a p99 of {} against {}.",
        count(n),
        tasks.label,
        times(get(t, Metric::RoundTripsPerS) / get(h, Metric::RoundTripsPerS), 2),
        threads.label,
        count(get(t, Metric::RoundTripsPerS)),
        count(get(h, Metric::RoundTripsPerS)),
        kib(get(t, Metric::RssPerConnection)),
        kib(get(h, Metric::RssPerConnection)),
        millis(get(t, Metric::RoundTripP99), 1),
        millis(get(h, Metric::RoundTripP99), 1)
    ))
}

/// The keys that set an IO model's budget of requests in flight.
const IN_FLIGHT_KEYS: [&str; 2] = ["io.concurrency", "io.workers"];

/// IO sweeps over the budget: throughput and memory from the fewest to the most in flight.
fn concurrency(summary: &Summary) -> Vec<String> {
    summary
        .sweeps
        .iter()
        .filter(|s| s.family == Family::Io)
        .flat_map(|sweep: &SweepSummary| {
            sweep
                .series
                .iter()
                .filter(|s| IN_FLIGHT_KEYS.contains(&s.key.as_str()))
                .filter_map(concurrency_line)
        })
        .collect()
}

/// Sweeps over the offered rate: the rule, then each model's knee.
fn knees(summary: &Summary) -> Vec<String> {
    let lines = openloop::knees(summary);
    if lines.is_empty() {
        return lines;
    }
    std::iter::once(openloop::knee_rule()).chain(lines).collect()
}

/// One IO series: req/s at the fewest and the most in flight, the best, and peak RSS.
fn concurrency_line(s: &Series) -> Option<String> {
    let ok: Vec<(f64, &EntrySummary)> = s
        .points
        .iter()
        .filter(|p| p.ok > 0)
        .filter_map(|p| p.sweep.as_ref().map(|a| (a.value, p)))
        .collect();
    let (first, last) = (ok.first()?, ok.last()?);
    let rate = |p: &EntrySummary| p.mean(Metric::ReqPerS).unwrap_or(f64::NAN);
    let rss = |p: &EntrySummary| p.mean(Metric::RssPeak).unwrap_or(f64::NAN);
    let best = ok.iter().max_by(|a, b| rate(a.1).total_cmp(&rate(b.1)))?;
    let mut line = format!(
        "{}: {} at {} in flight, {} at {} ({}); the most, {}, at {}; peak RSS {} → {}.",
        s.label,
        req_per_s(rate(first.1)),
        count(first.0),
        fixed(rate(last.1), 0),
        count(last.0),
        times(rate(last.1) / rate(first.1), 0),
        req_per_s(rate(best.1)),
        count(best.0),
        mib(rss(first.1)),
        mib(rss(last.1))
    );
    if let Some(q) = s.points.iter().find(|p| p.ok == 0) {
        let at = q.sweep.as_ref().map_or(0.0, |a| a.value);
        let _ = write!(
            line,
            " It could not run at {}{}.",
            count(at),
            q.error
                .as_deref()
                .map_or(String::new(), |e| format!(": {}", code(e)))
        );
    }
    Some(line)
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
                "0.99× (0.99–1.00): a tie: a second load generator added nothing beyond the margin, so one is not the ceiling here;"
            ),
            "{}",
            lines[0]
        );
    }
}
