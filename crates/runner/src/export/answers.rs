//! The answers in words: one line per question, at most [`MAX_CHARS`] characters, rendered
//! from the typed answers of [`crate::conclusions`]. A line names the answer's word, the fastest
//! tier with its figures and intervals, the budget and the baseline, then what was tied, slower
//! or not ranked, each entry once; where the whole does not fit, the later parts are counted
//! instead of named. The group's section gives every tier in full.

use concbench_core::report::Family;

use crate::conclusions::answers::{Budget, NotAnswered, Ranked, Word};
use crate::conclusions::costs::{Cost, Costs, PythonPair};
use crate::conclusions::runtimes::{Place, RuntimeGroup};
use crate::conclusions::{Answer, Conclusions, Figure, Outcome, Question};
use crate::format::{kib, micros, speedup, thousands, times};
use crate::summary::standing::{Caveat, Unranked};

/// The longest answer, in characters.
pub const MAX_CHARS: usize = 300;

/// The question as the report asks it.
pub fn question(q: Question) -> &'static str {
    match q {
        Question::CpuConcurrency => "Does concurrency help CPU-bound work?",
        Question::IoThreadsOrAsync => "Threads or async for IO-bound work?",
        Question::WhichRuntime => "Which runtime?",
        Question::UnitCosts => "What does a task, a thread or a process cost?",
        Question::RustOverPython => "What does Rust buy a Python program?",
        Question::ManyConnections => "Threads or tasks for many connections?",
    }
}

/// The answer in one line of at most [`MAX_CHARS`] characters.
pub fn line(a: &Answer) -> String {
    let levels = match &a.outcome {
        Outcome::Ranked(r) => ranked(r),
        Outcome::Runtimes { groups } => runtimes(groups),
        Outcome::Costs(c) => costs(c),
        Outcome::Python { pairs } => python(pairs),
        Outcome::NotAnswered { why } => vec![not_answered(why)],
    };
    fit(levels)
}

/// The first of `levels` (most detailed first) that fits, else the last cut at a word.
fn fit(levels: Vec<String>) -> String {
    let fits = |s: &String| s.chars().count() <= MAX_CHARS;
    if let Some(s) = levels.iter().find(|s| fits(s)) {
        return s.clone();
    }
    let last = levels.last().cloned().unwrap_or_default();
    let cut: String = last.chars().take(MAX_CHARS - 1).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", &cut[..at])
}

/// `label 1.80× (1.75–1.85)`; with `budget`, the entry's requests in flight after its label; a
/// speed-up partly drift (above the cores) is marked `*`.
fn figure(f: &Figure, budget: bool) -> String {
    let name = match (budget, f.in_flight) {
        (true, Some(n)) => format!("{} ({n} in flight)", crate::words::label(&f.entry)),
        _ => crate::words::label(&f.entry),
    };
    let mark = if f.above_cores { "*" } else { "" };
    match &f.speedup {
        Some(s) => format!("{name} {}{mark}", speedup(&s.paired())),
        None => name,
    }
}

fn names(v: &[Figure]) -> String {
    v.iter()
        .map(|f| crate::words::label(&f.entry))
        .collect::<Vec<_>>()
        .join(", ")
}

fn figures(v: &[Figure], budget: bool) -> String {
    v.iter().map(|f| figure(f, budget)).collect::<Vec<_>>().join(", ")
}

/// The opening of a ranked answer: its word, the cores or the budget.
fn opening(r: &Ranked) -> String {
    let word = match r.word {
        Word::Yes => "Yes",
        Word::No => "No",
        Word::Threads => "Threads",
        Word::Async => "Async",
        Word::Either => "Either: threads and async tie",
        Word::Neither => "Neither threads nor async",
        Word::Unresolved => "Not resolved",
    };
    let at = match (r.cores, r.budget) {
        (Some(c), _) => format!(" on {c} cores"),
        (_, Some(Budget::InFlight { requests })) => format!(", at {requests} in flight"),
        (_, Some(Budget::Connections { connections })) => {
            format!(", at {} connections", thousands(connections as f64))
        }
        (_, Some(Budget::Differ)) => ", budgets differ".into(),
        _ => String::new(),
    };
    format!("{word}{at}")
}

/// How much of each later part an answer line gives.
#[derive(Clone, Copy)]
enum Detail {
    /// Each entry with its figure.
    Figures,
    /// Each entry by name.
    Names,
    /// The entries counted.
    Counts,
}

/// A ranked answer at decreasing detail.
fn ranked(r: &Ranked) -> Vec<String> {
    let differ = r.budget == Some(Budget::Differ);
    // The figures a line shows: the fastest tier's (all, or its first), the rest's in full detail.
    let shown = |all_best: bool, detail: Detail| -> Vec<&Figure> {
        let best = r.best.iter().take(if all_best { r.best.len() } else { 1 });
        let others = [&r.faster, &r.tied, &r.slower].into_iter().flatten();
        match detail {
            Detail::Figures => best.chain(others).collect(),
            _ => best.collect(),
        }
    };
    let full = |best: &str, all_best: bool, detail: Detail| {
        let mut s = lead(r, best);
        for p in rest(r, detail) {
            s.push_str("; ");
            s.push_str(&p);
        }
        format!("{s}{}.", caveats(r, &shown(all_best, detail)))
    };
    let best_all = figures(&r.best, differ);
    let best_short = match r.best.split_first() {
        Some((first, rest)) if !rest.is_empty() => {
            format!("{} and {} more", figure(first, differ), rest.len())
        }
        _ => best_all.clone(),
    };
    vec![
        full(&best_all, true, Detail::Figures),
        full(&best_all, true, Detail::Names),
        full(&best_all, true, Detail::Counts),
        full(&best_short, false, Detail::Counts),
    ]
}

/// The answer's word and its fastest tier (`best`, already written) against the baseline.
fn lead(r: &Ranked, best: &str) -> String {
    let o = opening(r);
    let b = figure(&r.baseline, r.budget == Some(Budget::Differ));
    let tie = if r.best.len() > 1 {
        ", tied with each other"
    } else {
        ""
    };
    match (&r.one_loop, r.best.is_empty()) {
        (Some(one), empty) => {
            let at = one.speedup.map_or("–".into(), |s| speedup(&s.paired()));
            let mut s = format!("{o}: one loop ({}) ran at {at} of {b}'s speed", one.entry);
            if !empty {
                s.push_str(&format!("; faster than {b}: {best}{tie}"));
            }
            s
        }
        (None, true) if r.word == Word::Unresolved => match &r.too_few_rounds {
            Some(Unranked::TooFewRounds { rounds, needed }) => {
                format!("{o}: {rounds} rounds of the {needed} a ranking needs, against {b}")
            }
            _ => format!("{o}, against {b}"),
        },
        (None, true) => format!("{o}: nothing faster than {b}"),
        (None, false) => format!("{o}: {best} over {b}{tie}"),
    }
}

/// The later tiers, the tied, the slower and the unranked, at `detail`.
fn rest(r: &Ranked, detail: Detail) -> Vec<String> {
    let differ = r.budget == Some(Budget::Differ);
    let mut out = Vec::new();
    for (what, v) in [
        ("then", &r.faster),
        ("tied", &r.tied),
        ("slower", &r.slower),
        ("not ranked", &r.unranked),
    ] {
        match (v.len(), detail) {
            (0, _) => {}
            (_, Detail::Figures) => out.push(format!("{what}: {}", figures(v, differ))),
            (_, Detail::Names) => out.push(format!("{what}: {}", names(v))),
            (n, Detail::Counts) => out.push(match what {
                "then" => format!("{n} more faster"),
                other => format!("{n} {other}"),
            }),
        }
    }
    out
}

/// The caveats a ranked answer carries, each entry named once: a speed-up above the cores is
/// marked `*` where it stands, and failures send the reader to the group.
fn caveats(r: &Ranked, shown: &[&Figure]) -> String {
    let mut out = String::new();
    if shown.iter().any(|f| f.above_cores) {
        let cores = r.cores.map_or("the".to_string(), |c| c.to_string());
        out.push_str(&format!(" (*above {cores} cores: partly drift)"));
    }
    let failed = r
        .caveats
        .iter()
        .any(|c| matches!(c, Caveat::FailedRuns { .. } | Caveat::FailedRequests { .. }));
    if failed {
        out.push_str(" (failures: see the group)");
    }
    for c in &r.caveats {
        match c {
            Caveat::Resolution { pct, .. } => {
                out.push_str(&format!(" (resolves ±{} %)", crate::format::fixed(*pct, 1)));
            }
            Caveat::ControlMoved { .. } => out.push_str(" (A/A control moved: suspect)"),
            _ => {}
        }
    }
    out
}

/// A group's short name in the which-runtime line: `CPU`, `CPU sqrt-sum`, `IO (50 in flight)`.
fn short(g: &RuntimeGroup) -> String {
    let family = match g.family {
        Family::Cpu => "CPU",
        Family::Io => "IO",
        Family::Serve => "serving",
    };
    let scenario = match g.scenario.as_str() {
        "main" => String::new(),
        s => format!(" {s}"),
    };
    let named = g.named.as_ref().map_or(String::new(), |n| format!(" ({n})"));
    format!("{family}{scenario}{named}")
}

fn runtimes(groups: &[RuntimeGroup]) -> Vec<String> {
    let each = |detail: usize, shown: usize| -> String {
        let mut lines: Vec<String> = groups
            .iter()
            .take(shown)
            .map(|g| runtime_group(g, detail))
            .collect();
        if groups.len() > shown {
            lines.push(format!("{} more groups in their sections", groups.len() - shown));
        }
        // Figures are shown of every tier (0), of the first (1), or of none.
        let marked = groups.iter().take(shown).any(|g| {
            let tiers = match detail {
                0 => g.tiers.len(),
                1 => 1,
                _ => 0,
            };
            g.tiers
                .iter()
                .take(tiers)
                .flat_map(|t| &t.entries)
                .any(|f| f.above_cores)
        });
        let legend = if marked {
            " (*above the cores: partly drift)"
        } else {
            ""
        };
        format!("{}{legend}.", lines.join("; "))
    };
    let all = groups.len();
    let mut levels: Vec<String> = (0..4).map(|d| each(d, all)).collect();
    levels.extend((1..all).rev().map(|shown| each(3, shown)));
    levels
}

/// One group's runtimes: every tier with figures (0), the first with figures and the rest named
/// (1), the first named and the rest counted (2), the first tier's names only (3).
fn runtime_group(g: &RuntimeGroup, detail: usize) -> String {
    if g.tiers.is_empty() {
        let why = g.refused.as_ref().map_or("not ranked".to_string(), |r| {
            format!("not ranked, {}", crate::words::refusal(r))
        });
        let cpu: Vec<String> = g
            .cpu_over_baseline
            .iter()
            .map(|s| format!("{} {}", s.entry, speedup(&s.ratio)))
            .collect();
        return match (cpu.is_empty(), detail) {
            (false, 0 | 1) => format!("{}: {why}; CPU over {}: {}", short(g), g.baseline, cpu.join(", ")),
            _ => format!("{}: not ranked", short(g)),
        };
    }
    // A faster or slower tier: its runtimes, one tier when several; the tied: against the
    // baseline, whose interval each reaches (they need not overlap each other).
    // Each place is said once, before its first tier: "faster: a > b > tied with X: c".
    let tier = |k: usize, with: bool| {
        let t = &g.tiers[k];
        let list = match with {
            true => figures(&t.entries, false),
            false => names(&t.entries),
        };
        let one = if t.entries.len() > 1 && t.place != Place::Tied {
            " (one tier)"
        } else {
            ""
        };
        let lead = k == 0 || g.tiers[k - 1].place != t.place;
        match (t.place, lead) {
            (_, false) => format!("{list}{one}"),
            (Place::Tied, true) => format!("tied with {}: {list}", crate::words::label(&g.baseline)),
            (Place::Slower, true) => format!("slower: {list}{one}"),
            (Place::Faster, true) => format!("faster: {list}{one}"),
        }
    };
    let n = g.tiers.len();
    let behind: usize = g.tiers[1..].iter().map(|t| t.entries.len()).sum();
    let body = match detail {
        0 => (0..n).map(|k| tier(k, true)).collect::<Vec<_>>().join(" > "),
        1 => (0..n).map(|k| tier(k, k == 0)).collect::<Vec<_>>().join(" > "),
        2 if behind > 0 => format!("{} > {behind} more", tier(0, false)),
        _ => tier(0, false),
    };
    format!("{}: {body}", short(g))
}

fn cost_list(v: &[Cost], unit: fn(f64) -> String, entries: bool) -> String {
    v.iter()
        .map(|c| match entries {
            true => format!("{} {} ({})", c.unit, unit(c.value), c.entry),
            false => format!("{} {}", c.unit, unit(c.value)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn nanos(v: f64) -> String {
    match v >= 10_000.0 {
        true => micros(v / 1000.0),
        false => format!("{} ns", thousands(v.round())),
    }
}

fn costs(c: &Costs) -> Vec<String> {
    let each = |entries: bool| -> String {
        let mut parts = Vec::new();
        if !c.start_up_us.is_empty() {
            parts.push(format!("start-up {}", cost_list(&c.start_up_us, micros, entries)));
        }
        if !c.switch_ns.is_empty() {
            let at = c
                .switch_group
                .as_ref()
                .map_or(String::new(), |g| format!(" ({g})"));
            parts.push(format!("switch{at} {}", cost_list(&c.switch_ns, nanos, entries)));
        }
        if !c.idle_kib.is_empty() {
            parts.push(format!(
                "memory while waiting {}",
                cost_list(&c.idle_kib, kib, entries)
            ));
        }
        format!("Per unit, cheapest of each kind (medians): {}.", parts.join("; "))
    };
    vec![each(true), each(false)]
}

fn python(pairs: &[PythonPair]) -> Vec<String> {
    let each = |p: &PythonPair, intervals: bool| {
        let time = match intervals {
            true => speedup(&p.time.paired()),
            false => times(p.time.median, 1),
        };
        let memory = p.memory.map_or(String::new(), |m| {
            format!(" and {} its memory", times(m.median, 1))
        });
        format!(
            "{}: {} takes {time} the time of {}{memory}",
            capitalised(&p.group),
            p.python,
            p.rust
        )
    };
    let level = |intervals: bool, n: usize| {
        let said: Vec<String> = pairs.iter().take(n).map(|p| each(p, intervals)).collect();
        let more = match pairs.len().saturating_sub(n) {
            0 => String::new(),
            k => format!("; {k} more groups in the section"),
        };
        format!("{}{more}.", said.join("; "))
    };
    vec![
        level(true, pairs.len()),
        level(false, pairs.len()),
        level(false, 2),
        level(false, 1),
    ]
}

/// `text` with its first letter in capitals.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

fn not_answered(why: &NotAnswered) -> String {
    let answers = |config: &Option<String>| {
        config
            .as_ref()
            .map_or(String::new(), |c| format!("; `{c}` answers it"))
    };
    match why {
        NotAnswered::NotMeasured { config } => {
            format!("Not measured by this run: `{config}` measures it.")
        }
        NotAnswered::NotRanked { refusal, config } => format!(
            "Not answered: {}{}.",
            crate::words::refusal(refusal),
            answers(config)
        ),
        NotAnswered::MissingSide { missing, config } => format!(
            "Not answered: the group has no {} to set against the others{}.",
            match missing.as_str() {
                "threads" => "thread-based entry (OS threads or a thread pool)",
                _ => "async entry (tasks on a runtime)",
            },
            answers(config)
        ),
    }
}

/// A Markdown anchor for `heading`, as GitHub makes them.
pub fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The headings of the sections an answer rests on, each with its name in the link.
pub fn sections(c: &Conclusions, a: &Answer) -> Vec<(String, String)> {
    let title = |id: &str| c.groups.iter().find(|g| g.id == id).map(|g| g.title.clone());
    match (&a.outcome, &a.group) {
        (Outcome::Python { .. }, _) => {
            let t = crate::summary::versus::TITLE.to_string();
            vec![(t.clone(), t)]
        }
        (Outcome::Costs(_), _) => {
            let t = "Findings: the questions, answered from these numbers".to_string();
            vec![(t.clone(), t)]
        }
        (Outcome::Runtimes { groups }, _) => groups
            .iter()
            .filter_map(|g| Some((short(g), title(&g.group)?)))
            .collect(),
        (_, Some(id)) => title(id).map(|t| (t.clone(), t)).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The `## Answers` section.
pub fn markdown(c: &Conclusions) -> String {
    let mut out = String::from("## Answers\n\n");
    for a in &c.answers {
        let links: Vec<String> = sections(c, a)
            .iter()
            .map(|(name, heading)| format!("[{name}](#{})", anchor(heading)))
            .collect();
        let link = match links.is_empty() {
            true => String::new(),
            false => format!(" ({})", links.join(", ")),
        };
        out.push_str(&format!("- **{}** {}{link}\n", question(a.question), line(a)));
    }
    out.push('\n');
    out
}

/// The answers for the terminal, after the tables.
pub fn terminal(c: &Conclusions) -> String {
    let mut out = String::from("answers:\n");
    for a in &c.answers {
        out.push_str(&format!("  {} {}\n", question(a.question), line(a)));
    }
    out
}
