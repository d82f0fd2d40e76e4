//! Task costs: start-up, waiting, blocking calls inside async, SQLite, file reads and CPU
//! bursts, each answered from the task-cost groups of a run.

use super::*;
use crate::summary::load::Storm;
use crate::summary::standing::clearly_below;

pub(super) fn start_up(summary: &Summary) -> Vec<String> {
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
            which_is_cheaper(f, te, he, m),
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
pub(super) fn which_is_cheaper(
    f: &FamilySummary,
    task: &EntrySummary,
    thread: &EntrySummary,
    m: Metric,
) -> &'static str {
    if clearly_below(f, task, thread, m) {
        "Yes"
    } else if clearly_below(f, thread, task, m) {
        "No"
    } else {
        "Not shown"
    }
}

/// Each runtime's task start-up cost, when there are several.
pub(super) fn tasks_by_runtime(f: &FamilySummary, m: Metric) -> Option<String> {
    let tasks: Vec<String> = f
        .entries
        .iter()
        .filter(|e| unit(e) == "task")
        .filter_map(|e| {
            e.median(m)
                .map(|v| format!("{} {}", crate::words::label(&e.label), micros(v)))
        })
        .collect();
    (tasks.len() > 1).then(|| format!("Tasks by runtime: {}.", tasks.join(", ")))
}

pub(super) fn waiting(summary: &Summary) -> Vec<String> {
    ["sleep-fixed", "sleep-variable"]
        .into_iter()
        .filter_map(|scenario| group(summary, scenario))
        .flat_map(waiting_in)
        .collect()
}

/// One sleep scenario: the cheapest wall time of each kind, and tasks against threads.
pub(super) fn waiting_in(f: &FamilySummary) -> Vec<String> {
    let scenario = &f.scenario;
    let sleep = f
        .settings
        .as_ref()
        .map_or(f64::NAN, |c| c.scenario.sleep_ms as f64);
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
        let verdict = if clearly_below(f, te, he, m) {
            format!("tasks finished first, by {}", millis((h - t) * 1e3, 1))
        } else if clearly_below(f, he, te, m) {
            format!("threads finished first, by {}", millis((t - h) * 1e3, 1))
        } else {
            "no difference between tasks and threads is shown (the interval of their ratio reaches into 1 ± the margin)".into()
        };
        out.push(format!(
            "{scenario}: {verdict}; the wait itself is the same for both, the rest is starting and waking the units."
        ));
    }
    out
}

/// `, 1.70× (1.38–1.73)`: an entry's paired speed-up over its group's baseline, for a list
/// (nothing for the baseline itself).
pub(super) fn vs_baseline(f: &FamilySummary, e: &EntrySummary) -> String {
    e.speedup
        .as_ref()
        .filter(|_| e.label != f.baseline)
        .map_or(String::new(), |s| format!(", {}", speedup(s)))
}

/// file-read: MiB/s per entry, and where the async runtimes' file APIs run.
pub(super) fn file_read(summary: &Summary) -> Vec<String> {
    let Some(f) = group(summary, "file-read") else {
        return vec![];
    };
    let bytes = f.settings.as_ref().map_or(0, |c| c.scenario.file_bytes as u64);
    let n = units_of(f);
    let cells: Vec<String> = f
        .entries
        .iter()
        .filter_map(|e| {
            let wall = e.median(Metric::Wall)?;
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
/// Each SQLite entry's rows per second (`rows` over its wall time), its speed-up and its busy
/// retries.
fn sqlite_cells(f: &FamilySummary, rows: f64, what: &str) -> Vec<String> {
    f.entries
        .iter()
        .filter_map(|e| {
            let wall = e.median(Metric::Wall)?;
            let busy = e.median(Metric::BusyRetries).unwrap_or(0.0);
            Some(format!(
                "{} ({}) {} {what}{}, {} busy retries",
                e.label,
                unit(e),
                count(rows / wall),
                vs_baseline(f, e),
                fixed(busy, 0)
            ))
        })
        .collect()
}

/// SQLite from many workers: rows per second by entry, and whether writers wait and readers do
/// not.
pub(super) fn sqlite(summary: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    let mut best = Vec::new();
    for scenario in ["sqlite-insert", "sqlite-read"] {
        let Some(f) = group(summary, scenario) else {
            continue;
        };
        let rows = f.settings.as_ref().map_or(0, |c| c.scenario.rows as u64);
        let n = units_of(f);
        // An insert unit writes its rows; a read unit reads every unit's.
        let (per_unit, what) = match scenario {
            "sqlite-insert" => (rows, "rows written/s"),
            _ => (n * rows, "rows read/s"),
        };
        let cells = sqlite_cells(f, n as f64 * per_unit as f64, what);
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
            .filter(|e| e.median(Metric::BusyRetries).is_some_and(|b| b > 0.0))
            .count();
        if let Some((e, paired)) = top {
            let standing = match f.standing_of(&e.label).standing() {
                Some(Standing::Faster) => "faster than",
                Some(Standing::Slower) => "slower than",
                Some(_) => "tied with",
                None => "not ranked against",
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
pub(super) fn blocking_sleep(summary: &Summary) -> Vec<String> {
    let Some(f) = group(summary, "blocking-sleep") else {
        return vec![];
    };
    let Some(sleep_ms) = f.settings.as_ref().map(|c| c.scenario.sleep_ms as f64) else {
        return vec![];
    };
    let n = units_of(f);
    let ideal = n as f64 * sleep_ms / 1000.0;
    let mut out: Vec<String> = f
        .entries
        .iter()
        .filter_map(|e| {
            let wall = e.median(Metric::Wall)?;
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

pub(super) fn blocking(summary: &Summary) -> Vec<String> {
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
    let one = seq.median(Metric::Wall).unwrap() / n.max(1) as f64;
    let wall = ct.median(Metric::Wall).unwrap();
    let ratio = wall / (one * n as f64);
    let word = match crate::summary::load::storm(ratio) {
        Storm::Serialised => "The executor was serialised",
        Storm::Overlapped => "The units overlapped (not serialised)",
        Storm::SlowerThanSerial => "Slower than serial",
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
    out.extend(storm_others(f, &[ct, seq], wall));
    out
}

/// The storm's other entries, each against the current-thread runtime's `wall`.
fn storm_others(f: &FamilySummary, said: &[&EntrySummary], wall: f64) -> Option<String> {
    let others: Vec<String> = f
        .entries
        .iter()
        .filter(|e| said.iter().all(|s| s.label != e.label))
        .filter_map(|e| {
            let w = e.median(Metric::Wall)?;
            let name = crate::words::label(&e.label);
            Some(format!("{name} {} ({})", seconds_fixed(w, 3), times(w / wall, 2)))
        })
        .collect();
    (!others.is_empty()).then(|| {
        format!(
            "For comparison (× {}'s time): {}.",
            said[0].label,
            others.join(", ")
        )
    })
}

pub(super) fn squares(summary: &Summary) -> Vec<String> {
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
            let standing = crate::words::standing_in(f, &e.label);
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

/// The switch groups: each entry's time per hand-off of the token, the kinds side by side, and
/// the published figures beside them.
pub(super) fn switches(summary: &Summary) -> Vec<String> {
    let m = Metric::SwitchNs;
    let mut out = Vec::new();
    for f in summary
        .families
        .iter()
        .filter(|f| f.family == Family::Cpu && f.scenario == "switch")
    {
        let mut costs: Vec<(&EntrySummary, f64)> = f
            .entries
            .iter()
            .filter_map(|e| e.median(m).map(|v| (e, v)))
            .collect();
        if costs.is_empty() {
            continue;
        }
        costs.sort_by(|a, b| a.1.total_cmp(&b.1));
        let switches = f.settings.as_ref().map_or(0, |c| c.scenario.switches);
        let list: Vec<String> = costs
            .iter()
            .map(|(e, v)| format!("{} {} ({})", crate::words::label(&e.label), nanos(*v), unit(e)))
            .collect();
        out.push(format!(
            "{}: time per switch ({} hand-offs of the token, wall time ÷ hand-offs, cheapest first): {}.",
            f.title(),
            count(switches as f64),
            list.join(", ")
        ));
        let [task, thread, process] = ["task", "thread", "process"].map(|kind| least(&f.entries, kind, m));
        if let (Some((te, t)), Some((he, h))) = (task, thread) {
            let vs_process = process.map_or(String::new(), |(pe, p)| {
                format!("; a process switch ({}) {} a task's", pe.label, times(p / t, 0))
            });
            out.push(format!(
                "An OS thread switch ({}) cost {} a task switch ({}){vs_process}.",
                he.label,
                times(h / t, 0),
                te.label
            ));
        }
    }
    if !out.is_empty() {
        out.push("Published, from another machine (jimblandy/context-switch, quoted, not measured here): about 0.2 µs per switch between async tasks and 1.7 µs between kernel threads, near 1.7 µs for both when the switch waits on IO readiness or the threads share one core; a task spawn about 0.3 µs, a thread spawn 17 µs.".into());
    }
    out
}

/// Nanoseconds, or microseconds from 10,000 ns.
fn nanos(v: f64) -> String {
    match v >= 10_000.0 {
        true => micros(v / 1000.0),
        false => format!("{} ns", count(v.round())),
    }
}
