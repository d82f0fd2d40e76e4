//! `report.md`, laid out like the Python study's README: per group the experiment and its
//! config, a table and a plot per metric, the verdict; then the sweeps, the task-cost findings
//! and the environment.

use std::fmt::Write as _;

use concbench_core::report::{Env, Family};

use concbench_core::sampler::MIN_SAMPLES;

use crate::export::layout::{
    failure_metrics, forest_plot, group_plot, has_forest, metrics_of, uniform_metrics,
};
use crate::export::sweeps;
use crate::format::{fixed, num, percent_fixed, plain, speedup};
use crate::metric::Metric;
use crate::record::Meta;
use crate::stats::Stats;
use crate::summary::{EntrySummary, FamilySummary, Summary};
use crate::{findings, verdict};

pub use crate::export::prose::scenario_blurb;

/// How to read the report, said only of the kinds of table this report has.
fn how_to_read(summary: &Summary) -> String {
    let mut text = String::new();
    if !summary.families.is_empty() {
        let _ = write!(
            text,
            "How to read it: a speed-up is the median over rounds of the baseline's wall time over the entry's in the same round, with a 95 % interval (order statistics, ends rounded outward); under {} rounds nothing is ranked. Faster or slower: the whole interval beyond 1 ± {} (`runner.margin_pct`), else tied; in order of median, an entry joins a tier when its interval overlaps all in it. Tables give medians; the appendix, full statistics and configs.",
            summary.rules.min_rounds,
            percent_fixed(summary.margin_pct, 0)
        );
    }
    if summary.families.iter().any(|f| f.family == Family::Io) {
        text.push_str(" IO entries carry their budget (requests in flight at most).");
    }
    let serving = summary.families.iter().any(|f| f.family == Family::Serve)
        || summary.sweeps.iter().any(|s| s.family == Family::Serve);
    if serving {
        text.push_str(" Serving: round trips/s cover the round-trip phase; wall times also hold start-up, connecting and `serve.hold_ms`.");
    }
    let text = text.trim_start();
    if text.is_empty() {
        String::new()
    } else {
        format!("{text}\n\n")
    }
}

/// The file's text: the answers first, then each group and sweep, the findings, and the appendix
/// (every metric's statistics, the sampler's notes, the environment, the glossary).
pub fn render(summary: &Summary, meta: &Meta) -> String {
    sections(summary, meta).into_iter().map(|s| s.text).collect()
}

/// A piece of the report: a group's section names its group (an index into
/// `summary.families`), so that the HTML page can draw the group's runs beside it; the answers
/// are a piece of their own, which the page lays out beside their plots.
pub struct Section {
    /// Its Markdown.
    pub text: String,
    /// The group it is the section of, if it is one.
    pub group: Option<usize>,
    /// For the `## Answers` section, the conclusions it says.
    pub answers: Option<Box<crate::conclusions::Conclusions>>,
}

impl Section {
    fn text(text: String) -> Self {
        Self {
            text,
            group: None,
            answers: None,
        }
    }
}

/// The report in the order [`render`] writes it.
pub fn sections(summary: &Summary, meta: &Meta) -> Vec<Section> {
    let mut out = vec![Section::text(format!(
        "# concbench report\n\n{}",
        header(summary, meta)
    ))];
    if !summary.families.is_empty() {
        let conclusions = crate::conclusions::conclude(summary, meta.config.as_deref());
        out.push(Section {
            text: super::answers::markdown(&conclusions),
            group: None,
            answers: Some(Box::new(conclusions)),
        });
    }
    let mut head = how_to_read(summary);
    head.push_str(&noise(summary));
    head.push_str(&super::versus::markdown(summary));
    out.push(Section::text(head));
    for (i, f) in summary.families.iter().enumerate() {
        out.push(Section {
            group: Some(i),
            ..Section::text(group_section(f, summary.margin_pct))
        });
    }
    let mut tail: String = summary.sweeps.iter().map(sweeps::section).collect();
    tail.push_str(&findings::markdown(summary));
    tail.push_str(APPENDIX);
    if let Some(why) = &summary.instructions_unavailable {
        let _ = writeln!(
            tail,
            "Instructions per unit of work are not counted on this machine: {why}.\n"
        );
    }
    for f in &summary.families {
        tail.push_str(&appendix_group(f));
    }
    tail.push_str(&sampler_notes(summary));
    tail.push_str(&environment(summary));
    tail.push_str(&super::prose::glossary(
        meta.drawn_order,
        summary.measured_s.is_some(),
    ));
    out.push(Section::text(tail));
    out
}

/// The heading that starts the appendix (everything below it is detail).
pub const APPENDIX: &str = "## Appendix\n\n";

/// The runs by ending, when they ran, the command and the config.
fn header(summary: &Summary, meta: &Meta) -> String {
    let runs: Vec<String> = summary.runs.iter().map(|(k, v)| format!("{v} {k}")).collect();
    let interrupted = match meta.interrupted {
        true => ", **interrupted before the end**",
        false => "",
    };
    let config = meta
        .config
        .as_ref()
        .map_or(String::new(), |c| format!(", config `{c}`"));
    let stopped = meta.stopped.as_ref().map_or(String::new(), |why| {
        format!(
            "Rounds: `repeats = \"auto\"` stopped because {}.\n\n",
            crate::words::stopped(why)
        )
    });
    let reference = meta.reference.as_ref().map_or(String::new(), |r| {
        format!("Reference: every group that holds `{r}` compares its entries with it (`runner.reference`), the others with their family's sync model, else their first entry.\n\n")
    });
    let warmups = match summary.warmups {
        0 => String::new(),
        1 => "; 1 of them a warm-up, left out of every comparison".into(),
        n => format!("; {n} of them warm-ups, left out of every comparison"),
    };
    let controls: Vec<&crate::summary::control::Control> = summary
        .families
        .iter()
        .filter_map(|f| f.control.as_ref())
        .collect();
    let controls = match controls.is_empty() {
        true => String::new(),
        false => format!(
            "{}\n\n",
            crate::words::control_cost(
                controls.iter().map(|c| c.runs).sum(),
                controls.iter().map(|c| c.cost_s).sum(),
                summary.measured_s.unwrap_or(0.0)
            )
        ),
    };
    format!(
        "Runs: {} ({}{warmups}), from {} to {}{interrupted}. Command: `{}`{config}.\n\n{stopped}{reference}{controls}",
        summary.runs.values().sum::<usize>(),
        runs.join(", "),
        moment(&meta.started_at),
        moment(&meta.finished_at),
        meta.command,
    )
}

/// An RFC 3339 moment to the second, `2026-12-04 18:13:54 UTC`; anything else as it is.
fn moment(at: &str) -> String {
    match (at.get(..10), at.get(11..19), at.ends_with('Z')) {
        (Some(day), Some(time), true) if at.as_bytes().get(10) == Some(&b'T') => format!("{day} {time} UTC"),
        _ => at.to_string(),
    }
}

/// The machine's drift over the run, from the noise probe: a description, not a gate.
fn noise(summary: &Summary) -> String {
    let Some(n) = &summary.noise else {
        return String::new();
    };
    let warning = match n.very_noisy() {
        true => {
            " **This machine was very noisy**: intervals are wide, and a quieter machine would resolve smaller differences."
        }
        false => "",
    };
    format!(
        "Machine noise: a fixed CPU loop before each run took {} ms (median of {} runs{}; robust spread {}, range {}–{} ms).{warning}\n\n",
        num(n.probe_ms.median),
        n.probe_ms.n,
        if summary.warmups > 0 {
            ", warm-ups included"
        } else {
            ""
        },
        percent_fixed(n.robust_cv_pct, 1),
        num(n.probe_ms.min),
        num(n.probe_ms.max),
    )
}

pub(super) fn same_work(same: bool) -> &'static str {
    match same {
        true => "yes (units and checksum)",
        false => "**no**",
    }
}

/// One group: what it ran, one table of medians with the paired speed-ups, the forest plot,
/// the open-loop figures and failures where there are some, the verdict.
fn group_section(f: &FamilySummary, margin_pct: f64) -> String {
    let mut out = format!("## {}\n\n", f.title());
    if !crate::record::is_workload(&f.scenario) {
        let _ = writeln!(out, "{}\n", scenario_blurb(&f.scenario));
    }
    let _ = writeln!(
        out,
        "Baseline: {}. Same work in every run: {}.\n",
        f.baseline,
        same_work(f.same_work)
    );
    if let Some(c) = &f.control {
        let moved = f
            .ranking
            .caveats
            .iter()
            .any(|c| matches!(c, crate::summary::standing::Caveat::ControlMoved { .. }));
        let _ = writeln!(out, "{}\n", crate::words::resolution(c, moved));
    }
    out.push_str(&medians_table(f));
    out.push_str(&super::columns::notes(f));
    if has_forest(f) {
        let _ = writeln!(out, "\n![Paired speed-ups](plots/{})", forest_plot(f));
    }
    out.push('\n');
    if f.family == Family::Io {
        out.push_str(&crate::openloop::section(f));
        out.push_str(&failures_table(f));
    }
    for sentence in verdict::sentences(f, margin_pct) {
        let _ = writeln!(out, "- {sentence}");
    }
    if let Some(u) = crate::conclusions::uneven::of(f, margin_pct) {
        let _ = writeln!(out, "- {}", super::prose::uneven(&u));
    }
    out.push('\n');
    out
}

/// The columns of a group's table of medians that some entry has ([`Metric::RssPerInFlight`]
/// only where every entry holds [`super::columns::MANY_IN_FLIGHT`] requests or more).
const MEDIAN_COLUMNS: [(Metric, &str); 12] = [
    (Metric::Wall, "wall (s)"),
    (Metric::SwitchNs, "per switch (ns)"),
    (Metric::RssPerUnit, "per waiting unit (KiB)"),
    (Metric::CpuSeconds, "CPU time (s)"),
    (Metric::CpuPerRequest, "CPU per request (µs)"),
    (Metric::MovedMib, "sent to workers (MiB)"),
    (Metric::RssPeak, "peak RSS (MiB)"),
    (Metric::RssPerInFlight, "per request in flight (KiB)"),
    (Metric::PssPeak, "peak PSS (MiB)"),
    (Metric::PssEnd, "PSS at the end (MiB)"),
    (Metric::ThreadsPeak, "threads"),
    (Metric::LoadgenBusyPct, "load generator busy (%)"),
];

/// A row per entry: its own keys, runs, budget, the medians of the main metrics, and its
/// paired speed-up with its standing.
fn medians_table(f: &FamilySummary) -> String {
    let io = f.family == Family::Io;
    let many = super::columns::many_in_flight(f);
    let cols: Vec<(Metric, &str)> = MEDIAN_COLUMNS
        .into_iter()
        .filter(|(m, _)| *m != Metric::RssPerInFlight || many)
        .filter(|(m, _)| f.entries.iter().any(|e| e.has(*m)))
        .collect();
    let mut out = String::from("| entry | own keys | runs |");
    if io {
        out.push_str(" in flight |");
    }
    for (_, title) in &cols {
        let _ = write!(out, " {title} |");
    }
    let tail = f.uneven.is_some();
    if tail {
        out.push_str(" p99 over the baseline's (paired) |");
    }
    out.push_str(" speed-up (paired) | standing |\n|---|---|---:|");
    let n = cols.len() + 1 + usize::from(io) + usize::from(tail);
    out.push_str(&"---:|".repeat(n));
    out.push_str("---|\n");
    for e in &f.entries {
        let _ = write!(
            out,
            "| {} | {} | {} |",
            e.label,
            own_keys(e),
            crate::words::runs(e)
        );
        if io {
            let _ = write!(out, " {} |", in_flight(e));
        }
        for (m, _) in &cols {
            let cell = e.stats(*m).map_or("–".into(), |s| match m {
                Metric::ThreadsPeak => plain(s.median),
                _ => num(s.median),
            });
            let _ = write!(out, " {cell} |");
        }
        if tail {
            let _ = write!(out, " {} |", super::columns::p99_cell(f, e));
        }
        let standing = crate::words::standing_in(f, &e.label);
        let (speed, standing) = match &e.speedup {
            _ if e.label == f.baseline => ("1".into(), standing),
            Some(p) => (speedup(p), standing),
            None => ("–".into(), standing),
        };
        let _ = writeln!(out, " {speed} | {standing} |");
    }
    out
}

/// The keys an entry ran with that differ from its group's config line.
fn own_keys(e: &EntrySummary) -> String {
    match e.own_keys.is_empty() {
        true => "–".into(),
        false => e
            .own_keys
            .iter()
            .map(|k| format!("`{}`", k.replacen(" = ", "=", 1)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The full statistics of one group, a table and a plot per metric; a metric with one value for
/// every entry and run is a sentence.
fn appendix_group(f: &FamilySummary) -> String {
    let mut out = format!("### Every metric: {}\n\n", f.title());
    let section = match crate::record::is_workload(&f.scenario) {
        true => f.family.name(),
        false => "scenario",
    };
    let _ = writeln!(
        out,
        "Config (`[{section}]`, as the baseline ran it): {}.\n",
        config_line(&f.config)
    );
    out.push_str("Mean ± standard deviation, median, the 95 % confidence interval of the mean (a bootstrap where Student's would pass a bound), the range, and the outliers flagged by the modified z-score.\n\n");
    for m in metrics_of(f) {
        let _ = writeln!(out, "#### {}\n", m.title());
        out.push_str(&metric_table(f, m));
        let _ = writeln!(out, "\n![{}](plots/{})\n", m.title(), group_plot(f, m));
    }
    out.push_str(&super::counts::table(f));
    let uniform: Vec<String> = uniform_metrics(f)
        .map(|(m, v)| format!("{} {}{}", m.title().to_lowercase(), num(v), m.unit_suffix()))
        .collect();
    if !uniform.is_empty() {
        let _ = writeln!(
            out,
            "The same in every run of every entry: {}.\n",
            uniform.join("; ")
        );
    }
    out
}

/// What the sampler could not resolve, per group.
fn sampler_notes(summary: &Summary) -> String {
    let notes: String = summary
        .families
        .iter()
        .map(|f| {
            let text = unresolved(f);
            match text.is_empty() {
                true => text,
                false => format!("{}:\n\n{text}", f.title()),
            }
        })
        .collect();
    match notes.is_empty() {
        true => String::new(),
        false => format!("### What the sampler could not resolve\n\n{notes}"),
    }
}

/// The machine of the first report, and the runner's own time per run.
fn environment(summary: &Summary) -> String {
    let mut out = String::from("### Environment\n\n");
    match &summary.env {
        Some(e) => out.push_str(&env_table(e)),
        None => out.push_str("No run succeeded, so no report described the machine.\n"),
    }
    if let Some(py) = super::prose::interpreters(&summary.python) {
        let _ = writeln!(out, "\nThe Python entries' interpreters: {py}.");
    }
    if let Some(s) = &summary.runner_ms_per_run {
        let _ = writeln!(
            out,
            "\nThe runner's own time per run (fork and exec, reading and parsing the report, building the record): median {} ms, max {} ms over {} runs.",
            fixed(s.median, 2),
            fixed(s.max, 2),
            s.n
        );
    }
    out
}

fn env_table(e: &Env) -> String {
    format!(
        "| CPU | cores | memory | OS | kernel | host | rustc | commit | profile |\n|---|---:|---:|---|---|---|---|---|---|\n| {} | {} | {} MiB | {} | {} | {} | {} | {} | {} |\n",
        e.cpu_model,
        cores_cell(e),
        e.mem_total_mib,
        e.os,
        e.kernel,
        e.host,
        e.rustc,
        e.git_sha,
        e.profile
    )
}

/// The machine's cores and, where the run recorded it, how many it could use: what `"cores"`
/// in a worker count resolved to.
fn cores_cell(e: &Env) -> String {
    match e.cores_usable {
        Some(usable) => format!("{}, {usable} usable (`\"cores\"` = {usable})", e.cores_logical),
        None => e.cores_logical.to_string(),
    }
}

fn config_line(config: &serde_json::Value) -> String {
    match config.as_object() {
        Some(map) => map
            .iter()
            .map(|(k, v)| format!("`{k}` = {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        None => "not recorded".into(),
    }
}

/// IO failures: per entry the share of its requests answered 2xx, and of those that failed, by
/// kind (means over the runs, % of the requests sent).
fn failures_table(f: &FamilySummary) -> String {
    let failed = f.entries.iter().any(|e| e.failed_pct().is_some());
    if !failed {
        return "Every request of every run answered 2xx.\n\n".into();
    }
    let kinds: Vec<Metric> = failure_metrics(f).collect();
    let mut out = String::from(
        "### Failed requests, by kind (% of the requests sent)\n\n| entry | in flight | answered 2xx | failed |",
    );
    for k in &kinds {
        let _ = write!(out, " {} |", k.title().to_lowercase());
    }
    let _ = writeln!(out, "\n|---|---:|---:|---:|{}", "---:|".repeat(kinds.len()));
    let pct = |e: &EntrySummary, m: Metric| e.mean(m).map_or("–".into(), |v| fixed(v, 2));
    for e in &f.entries {
        let cells: Vec<String> = kinds.iter().map(|k| pct(e, *k)).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            e.label,
            in_flight(e),
            pct(e, Metric::OkPct),
            pct(e, Metric::ErrorPct),
            cells.join(" | ")
        );
    }
    out.push('\n');
    out
}

/// The sampled figures some runs of the group could not resolve, and why, one line per reason
/// naming the entries: they are left out of the tables, plots and verdicts above.
fn unresolved(f: &FamilySummary) -> String {
    let mut reasons: Vec<(&str, Vec<String>)> = Vec::new();
    for e in &f.entries {
        for (why, n) in &e.unresolved {
            let who = if *n == e.ok {
                e.label.clone()
            } else {
                format!("{} ({n} of {} runs)", e.label, e.ok)
            };
            match reasons.iter_mut().find(|(w, _)| *w == why.as_str()) {
                Some((_, list)) => list.push(who),
                None => reasons.push((why, vec![who])),
            }
        }
    }
    if reasons.is_empty() {
        return String::new();
    }
    let lines: Vec<String> = reasons
        .iter()
        .map(|(why, who)| format!("- {why}: {}", who.join(", ")))
        .collect();
    format!(
        "Left out of the tables, plots and verdicts for the entries named (a sampled figure needs {MIN_SAMPLES} samples, and a figure some runs did not resolve is left out for the entry; an entry named without a count missed it in every run):\n\n{}\n\n",
        lines.join("\n")
    )
}

fn in_flight(e: &EntrySummary) -> String {
    e.in_flight.map_or("–".into(), |n| n.to_string())
}

/// A row per entry: its statistics of `m`, its budget for IO, and its speed for the wall time.
fn metric_table(f: &FamilySummary, m: Metric) -> String {
    let wall = m == Metric::Wall;
    let io = f.family == Family::Io;
    let mut out = format!(
        "| entry |{} runs | mean ± sd{} | median | 95 % CI | min – max | outliers |",
        if io { " in flight |" } else { "" },
        m.unit_suffix()
    );
    out.push_str(if wall {
        " speed vs baseline (paired, 95 % interval) |\n"
    } else {
        "\n"
    });
    let columns = 7 + usize::from(io) + usize::from(wall);
    let _ = writeln!(out, "|---|{}", "---:|".repeat(columns - 1));
    for e in &f.entries {
        let budget = if io {
            format!(" {} |", in_flight(e))
        } else {
            String::new()
        };
        let _ = writeln!(out, "{}", metric_row(e, m, &budget));
    }
    out
}

fn metric_row(e: &EntrySummary, m: Metric, budget: &str) -> String {
    let wall = m == Metric::Wall;
    let runs = match e.stats(m) {
        Some(s) if s.n < e.ok => format!("{} ({} resolved)", crate::words::runs(e), s.n),
        _ => crate::words::runs(e),
    };
    let Some(s) = e.stats(m) else {
        return format!(
            "| {} |{budget} {runs} | – | – | – | – | –{} |",
            e.label,
            if wall { " | –" } else { "" }
        );
    };
    let speed = match (wall, &e.speedup) {
        (true, Some(p)) => format!(" | {}", speedup(p)),
        (true, None) => " | –".into(),
        (false, _) => String::new(),
    };
    format!("| {} |{budget} {runs} | {}{speed} |", e.label, cells(s))
}

fn cells(s: &Stats) -> String {
    format!(
        "{} ± {} | {} | {} – {} | {} – {} | {}",
        num(s.mean),
        num(s.sd),
        num(s.median),
        num(s.ci95[0]),
        num(s.ci95[1]),
        num(s.min),
        num(s.max),
        s.outliers.len()
    )
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_group_that_did_different_work_says_so_in_its_section() {
        let mut records = crate::testdata::matrix();
        if let Some(rep) = records[0].report.as_mut() {
            rep.work.checksum = "ffffffffffffffff".into();
        }
        let s = crate::summary::summarise(&records, &crate::testdata::order());
        let differed = super::group_section(&s.families[0], s.margin_pct);
        let same = super::group_section(&s.families[1], s.margin_pct);
        assert!(differed.contains("Same work in every run: **no**."), "{differed}");
        assert!(same.contains("Same work in every run: yes"), "{same}");
    }

    #[test]
    fn how_to_read_speaks_only_of_the_tables_there_are() {
        let matrix = how_to_read(&crate::summary::summarise(&crate::testdata::matrix(), &[]));
        assert!(
            matrix.starts_with("How to read it: a speed-up is the median over rounds"),
            "{matrix}"
        );
        assert!(
            matrix.contains("beyond 1 ± 2 % (`runner.margin_pct`)"),
            "{matrix}"
        );
        assert!(matrix.contains(" IO entries carry their budget"), "{matrix}");
        assert!(!matrix.contains("Serving:"), "{matrix}");
        let sweep = how_to_read(&crate::summary::summarise(&crate::testdata::idle_sweep(), &[]));
        assert!(!sweep.contains("IO entries"), "{sweep}");
    }
    use super::*;
    use crate::export::tests::{everything, meta, snapshot};

    #[test]
    fn markdown_snapshot() {
        snapshot("report.md", &render(&everything(), &meta()));
    }

    #[test]
    fn blurbs_read_their_counts_from_the_workload() {
        assert!(scenario_blurb("blocking-storm").contains("10,000 `sched_yield`"));
        assert!(scenario_blurb("squares").contains("first 1,000,000 squares"));
    }
}
