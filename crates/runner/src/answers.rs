//! The study's questions, answered at the top of the report: does concurrency help CPU work,
//! threads or async for IO, which runtime, what a task, a thread or a process costs, and threads
//! or tasks for many connections. Each answer renders a conclusion computed elsewhere once (the
//! group's [`Ranking`], the findings' start-up costs), with its figures, intervals and budget,
//! and links the section it comes from; a question the run cannot answer names the config that
//! does.

use concbench_core::python;
use concbench_core::report::Family;

use crate::format::{percent_fixed, speedup};
use crate::metric::Metric;
use crate::ranking::{Ranking, loadgen_bound, tiers};
use crate::stats::Standing;
use crate::summary::versus::{Against, TITLE as PYTHON_TITLE};
use crate::summary::{EntrySummary, FamilySummary, Summary};

/// One answered question.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The question.
    pub question: &'static str,
    /// The answer, with its figures.
    pub text: String,
    /// The heading of the section it rests on, when the report has one.
    pub section: Option<String>,
}

/// The answers this run supports, in the study's order.
pub fn answers(summary: &Summary) -> Vec<Answer> {
    let m = summary.margin_pct;
    let main = |family: Family| {
        summary
            .families
            .iter()
            .find(|f| f.family == family && f.scenario == "main" && f.group.is_none())
    };
    let equal_io =
        summary.families.iter().filter(rust_only).find(|f| {
            f.family == Family::Io && f.group.as_deref().is_some_and(|g| g.contains("equal budget"))
        });
    let mut out = Vec::new();
    if let Some(cpu) = main(Family::Cpu) {
        out.push(answer(
            "Does concurrency help CPU-bound work?",
            cpu,
            cpu_text(summary, cpu, m),
        ));
    }
    if let Some(io) = equal_io.or(main(Family::Io)) {
        out.push(answer("Threads or async for IO-bound work?", io, io_text(io, m)));
    }
    // The main groups, then the other kernels' and every serving group (at another worker
    // count, say): each where it ranks two runtimes or more.
    let kernels = summary.families.iter().filter(rust_only).filter(|f| {
        f.family == Family::Cpu && f.scenario != "main" && crate::record::is_workload(&f.scenario)
    });
    let serving = summary
        .families
        .iter()
        .filter(rust_only)
        .filter(|f| f.family == Family::Serve && f.group.is_some());
    let runtimes: Vec<(&FamilySummary, String)> = [main(Family::Cpu)]
        .into_iter()
        .flatten()
        .chain(kernels)
        .chain(equal_io.or(main(Family::Io)))
        .chain(main(Family::Serve))
        .chain(serving)
        .filter_map(|f| Some((f, runtimes_text(f)?)))
        .collect();
    if let Some((first, _)) = runtimes.first() {
        let text: Vec<String> = runtimes.iter().map(|(_, t)| t.clone()).collect();
        out.push(answer("Which runtime?", first, text.join(" ")));
    }
    out.push(unit_costs(summary));
    out.extend(python_answer(summary));
    if let Some(serve) = main(Family::Serve) {
        out.push(answer(
            "Threads or tasks for many connections?",
            serve,
            serve_text(serve, m),
        ));
    }
    out
}

/// The Rust answers rest on the Rust models' groups; a group with Python entries is answered
/// under "Rust against Python".
fn rust_only(f: &&FamilySummary) -> bool {
    !f.entries.iter().any(|e| python::is_python(&e.model))
}

/// Each Rust model against its Python counterpart: its time and its memory, paired.
fn python_answer(summary: &Summary) -> Option<Answer> {
    // One sentence per group with its first pair, Python's time and memory over Rust's; the
    // section lists every pair.
    let mut groups: Vec<(&str, String)> = Vec::new();
    for v in summary.versus.iter().filter(|v| v.against == Against::Rust) {
        let Some(wall) = &v.wall else { continue };
        let memory = v
            .memory
            .as_ref()
            .map_or(String::new(), |m| format!(" and {} its memory", speedup(m)));
        let pair = format!(
            "{} takes {} the time of {}{memory}",
            v.python,
            speedup(wall),
            v.other
        );
        let name = v.named.as_deref().unwrap_or(&v.group);
        if !groups.iter().any(|(g, _)| *g == name) {
            groups.push((name, pair));
        }
    }
    let sentences: Vec<String> = groups
        .iter()
        .map(|(g, pair)| format!("{}: {pair}.", capitalised(g)))
        .collect();
    (!sentences.is_empty()).then(|| Answer {
        question: "What does Rust buy a Python program?",
        text: format!("{} Every pair, with CPU time and memory:", sentences.join(" ")),
        section: Some(PYTHON_TITLE.into()),
    })
}

/// `text` with its first letter in capitals.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

fn answer(question: &'static str, f: &FamilySummary, text: String) -> Answer {
    Answer {
        question,
        text,
        section: Some(f.title()),
    }
}

/// `a 1.96× (1.90–2.07), b 1.87× (…)`.
fn listed(entries: &[&EntrySummary]) -> String {
    let each: Vec<String> = entries
        .iter()
        .filter_map(|e| Some(format!("{} {}", e.name(), speedup(e.speedup.as_ref()?))))
        .collect();
    each.join(", ")
}

/// The best tier, the ties and the slower of a ranking, against `base`.
fn standings(r: &Ranking, base: &str) -> String {
    let mut parts = Vec::new();
    if let Some(best) = r.faster.first() {
        let tied = if best.len() > 1 {
            " (tied with each other)"
        } else {
            ""
        };
        parts.push(format!("fastest {}{tied} over {base}", listed(best)));
    }
    let rest: Vec<&EntrySummary> = r.faster.iter().skip(1).flatten().copied().collect();
    if !rest.is_empty() {
        parts.push(format!("then {}", listed(&rest)));
    }
    if !r.tied.is_empty() {
        parts.push(format!("tied with it: {}", listed(&r.tied)));
    }
    let slower: Vec<&EntrySummary> = r.slower.iter().flatten().copied().collect();
    if !slower.is_empty() {
        parts.push(format!("slower: {}", listed(&slower)));
    }
    if !r.too_few.is_empty() {
        parts.push(format!("too few rounds to rank: {}", listed(&r.too_few)));
    }
    parts.join("; ")
}

fn cpu_text(summary: &Summary, f: &FamilySummary, margin: f64) -> String {
    let cores = summary
        .env
        .as_ref()
        .map_or(String::new(), |e| match e.cores_usable {
            Some(usable) if usable != e.cores_logical => format!(" on {usable} of {} cores", e.cores_logical),
            _ => format!(" on {} cores", e.cores_logical),
        });
    let Some(r) = Ranking::of(f, margin) else {
        return "No paired speed-up to answer from.".into();
    };
    // A reference other than one loop (`runner.reference`): the answer is one loop's standing
    // against it, the rest as ranked.
    let base_is_sync = f
        .entries
        .iter()
        .any(|e| e.label == f.baseline && e.model == "cpu-sync");
    let sync = f
        .entries
        .iter()
        .find(|e| e.model == "cpu-sync" && e.speedup.is_some());
    if let (false, Some(one_loop)) = (base_is_sync, sync) {
        let verdict = match crate::ranking::standing(one_loop, margin) {
            Standing::Slower => format!("Yes{cores}"),
            Standing::Faster | Standing::Tie => format!("No{cores}"),
            Standing::TooFew => "Not resolved".into(),
        };
        let paired = one_loop.speedup.as_ref().map_or(String::new(), speedup);
        return format!(
            "{verdict}: one loop (cpu-sync) ran at {paired} of {}'s speed, this run's reference; against it: {}.",
            f.baseline,
            standings(&r.without(&one_loop.label), &f.baseline)
        );
    }
    let resolved = !(r.faster.is_empty() && r.slower.is_empty() && r.tied.is_empty());
    let verdict = match (r.faster.is_empty(), resolved) {
        (_, false) => "Not resolved".to_string(),
        (true, true) => format!(
            "No{cores}: nothing beat {} beyond ±{}",
            f.baseline,
            percent_fixed(margin, 0)
        ),
        (false, true) => format!("Yes{cores}"),
    };
    format!("{verdict}: {}.", standings(&r, &f.baseline))
}

fn io_text(f: &FamilySummary, margin: f64) -> String {
    let Some(r) = Ranking::of(f, margin) else {
        return "No paired speed-up to answer from.".into();
    };
    let base = r.baseline.map_or(f.baseline.clone(), EntrySummary::name);
    let budget = match &f.group {
        Some(g) => format!("At one budget ({g}), against {base}"),
        None => format!(
            "Budgets differ in this group (an equal-budget group answers like for like); against {base}"
        ),
    };
    format!("{budget}: {}.", standings(&r, &base))
}

/// Whether `e` is one async runtime of its family: a cpu-async variant, or an IO or serving model
/// named after its runtime.
fn is_runtime(e: &EntrySummary) -> bool {
    e.model == "cpu-async"
        || [
            "tokio",
            "smol",
            "async-std",
            "rayon",
            "compio",
            "monoio",
            "may",
            "hybrid",
        ]
        .iter()
        .any(|rt| e.model.ends_with(rt))
}

/// The runtimes of `f` by paired speed-up against the group's baseline, in tiers; none for a
/// group the ranking refuses (its load generator was the bound).
fn runtimes_text(f: &FamilySummary) -> Option<String> {
    if let Some((pct, _)) = loadgen_bound(f) {
        return bound_runtimes(f, pct);
    }
    let mut rts: Vec<&EntrySummary> = f
        .entries
        .iter()
        .filter(|e| is_runtime(e) && e.speedup.is_some() && e.label != f.baseline)
        .collect();
    if rts.len() < 2 {
        return None;
    }
    let median = |e: &EntrySummary| e.speedup.as_ref().map_or(f64::NAN, |s| s.median);
    rts.sort_by(|a, b| median(b).total_cmp(&median(a)));
    let each: Vec<String> = tiers(rts)
        .iter()
        .map(|tier| match tier.len() {
            1 => listed(tier),
            _ => format!("{} (tied: intervals overlap)", listed(tier)),
        })
        .collect();
    Some(format!(
        "{} (over {}): {}.",
        f.title(),
        f.baseline,
        each.join(" > ")
    ))
}

/// A serving group the load generator bounded: not ranked by speed, but each runtime's CPU time
/// for the same echoes over the baseline's (medians), which the bound does not hide.
fn bound_runtimes(f: &FamilySummary, pct: f64) -> Option<String> {
    let base = f.entries.iter().find(|e| e.label == f.baseline)?;
    let base_cpu = base.stats(Metric::CpuSeconds)?.median;
    let each: Vec<String> = f
        .entries
        .iter()
        .filter(|e| e.label != f.baseline && is_runtime(e))
        .filter_map(|e| {
            let cpu = e.stats(Metric::CpuSeconds)?.median;
            Some(format!("{} {:.2}×", e.name(), cpu / base_cpu))
        })
        .collect();
    (!each.is_empty()).then(|| {
        format!(
            "{}: not ranked by speed (the load generator was the bound, busy {}); CPU time for the same echoes over {}'s (medians): {}.",
            f.title(),
            percent_fixed(pct, 0),
            f.baseline,
            each.join(", ")
        )
    })
}

/// The start-up costs, from the findings (one place for that conclusion), or the config that
/// measures them.
fn unit_costs(summary: &Summary) -> Answer {
    let question = "What does a task, a thread or a process cost?";
    let start = crate::findings::start_up(summary).into_iter().next();
    // Each switch group's list of costs (one core, two cores).
    let switches = crate::findings::switches(summary)
        .into_iter()
        .filter(|line| line.starts_with("Task costs: switch"));
    let idle = crate::findings::idle_groups(summary).into_iter().take(1);
    let lines: Vec<String> = start.into_iter().chain(switches).chain(idle).collect();
    match (!lines.is_empty()).then(|| lines.join(" ")) {
        Some(line) => Answer {
            question,
            text: line,
            section: Some("Findings: the questions, answered from these numbers".into()),
        },
        None => Answer {
            question,
            text: "Not measured by this run: `configs/suite.toml` measures it (start-up, waits, blocking calls and CPU bursts per task, thread and process; `just bench-suite`).".into(),
            section: None,
        },
    }
}

fn serve_text(f: &FamilySummary, margin: f64) -> String {
    let busy = f
        .entries
        .iter()
        .filter_map(|e| Some((e, e.stats(Metric::LoadgenBusyPct)?.median)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let connections = f.config.get("connections").and_then(|v| v.as_u64());
    let at = connections.map_or(String::new(), |c| format!("At {c} connections, "));
    if let Some((pct, e)) = loadgen_bound(f) {
        return format!(
            "{at}not answered: the load generator was the bound (busy {} of its threads' time against {}), so the servers are not ranked here; `configs/serve-ceiling.toml` measures the ceiling.",
            percent_fixed(pct, 0),
            e.label
        );
    }
    let Some(r) = Ranking::of(f, margin) else {
        return "No paired speed-up to answer from.".into();
    };
    let load = busy.map_or(String::new(), |(_, p)| {
        format!(" (load generator at most {} busy)", percent_fixed(p, 0))
    });
    format!(
        "{at}against {}{load}: {}.",
        f.baseline,
        standings(&r, &f.baseline)
    )
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

/// The `## Answers` section.
pub fn markdown(summary: &Summary) -> String {
    let mut out = String::from("## Answers\n\n");
    for a in answers(summary) {
        let link = a
            .section
            .map_or(String::new(), |s| format!(" ([{s}](#{}))", anchor(&s)));
        out.push_str(&format!("- **{}** {}{link}\n", a.question, a.text));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::summarise;
    use crate::testdata;

    /// The answers, the verdict and the findings of a run, as one text each.
    fn rendered(records: &[crate::record::RunRecord]) -> (String, String, String) {
        let s = summarise(records, &[]);
        let spawn = s.families.iter().find(|f| f.scenario == "spawn-only").unwrap();
        (
            markdown(&s),
            crate::verdict::sentences(spawn, s.margin_pct).join("\n"),
            crate::findings::markdown(&s),
        )
    }

    #[test]
    fn one_runs_figure_moves_the_answer_and_the_findings_not_the_medians_verdict() {
        let records = testdata::task_costs();
        let before = rendered(&records);
        assert!(before.0.contains("OS thread 101 µs (threads)"), "{}", before.0);
        let mut changed = records.clone();
        let run = changed
            .iter_mut()
            .find(|r| r.entry == "threads" && r.scenario == "spawn-only" && !r.warmup)
            .unwrap();
        // One run took 1 s: its wall time and its time per unit (of 100 units) say so.
        let report = run.report.as_mut().unwrap();
        report.wall_s = 1.0;
        report.units.as_mut().unwrap().per_unit_us = 10_000.0;
        let after = rendered(&changed);
        assert_ne!(before.0, after.0, "the answer");
        // The verdict's least and most read the medians, as the tables do: one slow run of
        // three does not make an entry the most costly.
        assert_eq!(before.1, after.1, "the verdict");
        assert_ne!(before.2, after.2, "the findings");
    }

    #[test]
    fn an_unmeasured_question_names_the_config_that_answers_it() {
        let s = summarise(&testdata::matrix_rounds(6), &testdata::order());
        let text = markdown(&s);
        assert!(
            text.contains("Not measured by this run: `configs/suite.toml`"),
            "{text}"
        );
        assert!(
            text.contains("**Does concurrency help CPU-bound work?** Yes on 2 cores: fastest cpu-threads 2 1.78× (1.75–1.82) over cpu-sync; tied with it: cpu-procs 2 0.99× (0.99–1.00). ([CPU-bound: char-encoding](#cpu-bound-char-encoding))"),
            "{text}"
        );
        assert_eq!(
            anchor("IO-bound: HTTP (equal budget: 50 in flight)"),
            "io-bound-http-equal-budget-50-in-flight"
        );
    }

    #[test]
    fn a_reference_other_than_one_loop_answers_from_one_loops_standing() {
        let records = testdata::matrix_rounds(6);
        let s = crate::summary::summarise_against(&records, &testdata::order(), Some("cpu-threads"));
        let text = markdown(&s);
        assert!(
            text.contains("**Does concurrency help CPU-bound work?** Yes on 2 cores: one loop (cpu-sync) ran at 0.56× (0.55–0.58) of cpu-threads 2's speed, this run's reference"),
            "{text}"
        );
        let cpu = text.lines().find(|l| l.contains("CPU-bound work?")).unwrap();
        assert_eq!(cpu.matches("cpu-sync").count(), 1, "one loop is said once: {cpu}");
    }

    #[test]
    fn switches_and_idle_memory_answer_what_a_unit_costs() {
        let mut records = testdata::switch();
        for i in 0..3 {
            for (entry, model, unit, kib) in [
                ("tokio idle", "cpu-async", "task", 0.5),
                ("may idle", "cpu-may", "coroutine", 8.5),
                ("thread idle", "cpu-threads", "thread", 9.5),
            ] {
                let mut r =
                    testdata::unit_run(entry, model, None, unit, "idle-scale", 1000, 0.1, 10.0, Some(kib));
                r.index = i;
                records.push(r);
            }
        }
        let s = summarise(&records, &[]);
        let cost = answers(&s)
            .into_iter()
            .find(|a| a.question.starts_with("What does a task"))
            .unwrap();
        assert!(cost.text.contains("tokio 202 ns (task)"), "{}", cost.text);
        assert!(
            cost.text.contains(
                "tokio idle 0.50 KiB (task), may idle 8.50 KiB (coroutine), thread idle 9.50 KiB (thread)"
            ),
            "{}",
            cost.text
        );
        let text = crate::findings::markdown(&s);
        assert!(text.contains("may idle 17.0×, thread idle 19.0×"), "{text}");
    }
}
