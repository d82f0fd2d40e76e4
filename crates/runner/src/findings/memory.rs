//! Memory per task, thread and process, and where threads stop: the idle-scale sweeps.

use super::*;

/// The idle-scale sweeps' series.
pub(super) fn idle_series(summary: &Summary) -> Vec<&Series> {
    summary
        .sweeps
        .iter()
        .flat_map(|s| s.series.iter())
        .filter(|s| s.scenario == "idle-scale")
        .collect()
}

/// The largest value at which every run of a series succeeded, with its point.
pub(super) fn largest_ok(s: &Series) -> Option<(f64, &EntrySummary)> {
    s.points
        .iter()
        .filter(|p| p.ok > 0 && p.failed == 0)
        .filter_map(|p| p.sweep.as_ref().map(|at| (at.value, p)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

/// RSS per unit above the one-unit point: (peak at N − peak at 1) ÷ (N − 1), KiB.
pub(super) fn slope_kib(s: &Series, n: f64, at_n: &EntrySummary) -> Option<f64> {
    let one = s.at(1.0)?;
    let (top, base) = (at_n.mean(Metric::RssPeak)?, one.mean(Metric::RssPeak)?);
    (n > 1.0).then(|| (top - base) * 1024.0 / (n - 1.0))
}

pub(super) fn memory(summary: &Summary) -> Vec<String> {
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
    out.extend(idle_groups(summary));
    out
}

/// An idle-scale group outside a sweep: each entry's memory per waiting unit, leanest first,
/// and each kind's over the leanest task's.
pub(super) fn idle_groups(summary: &Summary) -> Vec<String> {
    let m = Metric::RssPerUnit;
    let mut out = Vec::new();
    for f in summary
        .families
        .iter()
        .filter(|f| f.family == Family::Cpu && f.scenario == "idle-scale")
    {
        let mut each: Vec<(&EntrySummary, f64)> = f
            .entries
            .iter()
            .filter_map(|e| e.mean(m).map(|v| (e, v)))
            .collect();
        if each.is_empty() {
            continue;
        }
        each.sort_by(|a, b| a.1.total_cmp(&b.1));
        let list: Vec<String> = each
            .iter()
            .map(|(e, v)| format!("{} {} ({})", crate::words::label(&e.label), kib(*v), unit(e)))
            .collect();
        out.push(format!(
            "{}: memory per waiting unit ({} units, resident memory with all waiting less before the first, over the units; leanest first): {}.",
            f.title(),
            count(units_of(f) as f64),
            list.join(", ")
        ));
        if let Some((te, t)) = least(&f.entries, "task", m).filter(|(_, t)| *t > 0.0) {
            let others: Vec<String> = ["coroutine", "thread", "process"]
                .into_iter()
                .filter_map(|kind| least(&f.entries, kind, m))
                .map(|(e, v)| format!("{} {}", crate::words::label(&e.label), times(v / t, 1)))
                .collect();
            if !others.is_empty() {
                out.push(format!("Over a task ({}): {}.", te.label, others.join(", ")));
            }
        }
    }
    out
}

/// The "8000×" claim against the leanest and the heaviest task and the leanest thread.
pub(super) fn eight_thousand(tasks: &[&Reach], threads: &[&Reach]) -> String {
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
pub(super) fn reach(summary: &Summary, tasks: &[&Reach], threads: &[&Reach]) -> String {
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
pub(super) struct Reach {
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
pub(super) fn refused(s: &Series) -> Option<&EntrySummary> {
    s.points.iter().find(|q| q.ok == 0 && q.failed > 0)
}

/// Where a series stopped (point `q`), and the error that stopped it.
pub(super) fn stopped(s: &Series, q: &EntrySummary) -> String {
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
