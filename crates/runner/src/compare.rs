//! `runner compare OLD NEW`: did a change, a kernel upgrade or another machine make the entries
//! faster or slower, and is the difference real? Entries are matched by group, scenario, sweep
//! point and label; for every metric the change is NEW's median over OLD's, with a 95 % interval
//! from a bootstrap of that ratio (each side's runs resampled with replacement, 2,000 times, a
//! fixed seed), and a verdict. Runs that did different work are refused unless `--force`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use concbench_core::config::{Config, Family};
use concbench_core::report::Env;
use serde_json::Value;

use crate::export::forest;
use crate::format::{fixed, num, percent_fixed};
use crate::metric::{Direction, Metric, View};
use crate::record::{self, Meta};
use crate::stats::median;
use crate::summary::{self, EntrySummary, Summary};

/// The plot of the wall times' ratios, in NEW's `plots/`.
const PLOT: &str = "compare-wall_s.svg";

/// What `runner compare` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The earlier run's folder.
    pub old: PathBuf,
    /// The later run's folder.
    pub new: PathBuf,
    /// Compare even when the runs did different work.
    pub force: bool,
    /// Fail (exit 1) when a wall time got slower by more than this many percent beyond its
    /// interval.
    pub threshold: Option<f64>,
}

/// How a metric moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Better beyond its interval (faster, for the wall time).
    Better,
    /// Worse beyond its interval (slower, for the wall time).
    Worse,
    /// The interval reaches into 1 ± the margin.
    NoDifference,
}

impl Verdict {
    fn text(self, metric: Metric) -> &'static str {
        match (self, metric) {
            (Verdict::Better, Metric::Wall) => "faster",
            (Verdict::Worse, Metric::Wall) => "slower",
            (Verdict::Better, _) => "better",
            (Verdict::Worse, _) => "worse",
            (Verdict::NoDifference, _) => "no difference shown",
        }
    }
}

/// One metric of one matched entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The entry's group (its id, e.g. `cpu` or `io-equal-budget-50-in-flight`).
    pub group: String,
    /// The entry's label.
    pub label: String,
    /// The metric.
    pub metric: Metric,
    /// OLD's median.
    pub old: f64,
    /// NEW's median.
    pub new: f64,
    /// NEW's median over OLD's.
    pub ratio: f64,
    /// The ratio's 95 % bootstrap interval.
    pub ci95: [f64; 2],
    /// What the interval says.
    pub verdict: Verdict,
}

/// A compared pair of runs.
#[derive(Debug)]
pub struct Comparison {
    /// Every metric of every matched entry.
    pub changes: Vec<Change>,
    /// A change counts only when its whole interval lies beyond 1 ± this, % (NEW's
    /// `runner.margin_pct`).
    pub margin_pct: f64,
    /// Entries in only one of the runs.
    pub unmatched: Vec<String>,
    /// Work-defining keys and checksums that differ (empty when the work is the same).
    pub differences: Vec<String>,
    /// The two runs' machines and commits, and whether the machines differ.
    pub machines: [Option<Env>; 2],
    /// The two runs' metadata.
    pub metas: [Meta; 2],
}

/// Loads both folders, compares them, writes `compare.md` into NEW, prints the terminal table;
/// the exit code: 0, or 1 when `--threshold` is passed.
pub fn run(opts: &Options) -> anyhow::Result<bool> {
    let comparison = compare(&load(&opts.old)?, &load(&opts.new)?);
    if !comparison.differences.is_empty() && !opts.force {
        bail!(
            "the runs did different work, so their figures are not comparable (use --force to compare them anyway): {}",
            comparison.differences.join("; ")
        );
    }
    let file = opts.new.join("compare.md");
    std::fs::create_dir_all(opts.new.join("plots")).context("creating plots/")?;
    let forest = forest::Forest {
        title: "Wall time, NEW ÷ OLD, with 95 % intervals",
        desc: "NEW ÷ OLD, log scale (below 1: smaller in NEW)",
        margin_pct: None,
    };
    forest::ratios(
        &opts.new.join("plots").join(PLOT),
        &forest,
        &wall_rows(&comparison),
    )?;
    std::fs::write(&file, markdown(&comparison, opts))
        .with_context(|| format!("writing {}", file.display()))?;
    print!("{}", terminal(&comparison));
    println!("written: {}", file.display());
    let over = opts
        .threshold
        .map(|t| over_threshold(&comparison, t))
        .unwrap_or_default();
    for c in &over {
        eprintln!(
            "slower beyond the threshold: {} {} ({}×, 95 % interval {}–{})",
            c.group,
            c.label,
            fixed(c.ratio, 3),
            fixed(c.ci95[0], 3),
            fixed(c.ci95[1], 3)
        );
    }
    Ok(over.is_empty())
}

/// One run folder: its summary and metadata.
pub struct Run {
    pub(crate) summary: Summary,
    pub(crate) meta: Meta,
    /// The work-defining config of each group (its id): the `[cpu]`, `[io]` and `[scenario]`
    /// sections of its first report, flattened to `section.key`.
    pub(crate) config: BTreeMap<String, BTreeMap<String, Value>>,
}

/// Reads a run folder written by `runner`.
pub fn load(dir: &Path) -> anyhow::Result<Run> {
    let records = record::read(&dir.join("runs.jsonl"))
        .with_context(|| format!("reading the run in {}", dir.display()))?;
    let meta = Meta::read(dir);
    let summary = summary::summarise_with(&records, &[], &summary::Settings::of(&meta));
    let mut config = BTreeMap::new();
    for r in records.iter().filter(|r| !r.warmup) {
        let Some(report) = &r.report else { continue };
        let group = match r.sweep {
            Some(_) => r.entry.clone(), // a sweep point is compared point by point
            None => summary::group_id(r.family, &r.scenario, r.group.as_deref()),
        };
        config
            .entry(group)
            .or_insert_with(|| work_config(&report.config, r.family, &r.scenario));
    }
    Ok(Run {
        summary,
        meta,
        config,
    })
}

/// The settings that define the work of a run of `family` on `scenario`, `section.key` to
/// value, as core's config declares them (not how a model does it: workers, runtimes, chunk
/// sizes and budgets are what a comparison is for). A config that does not read back gives
/// one entry saying so, so that it never passes for the same work.
pub(crate) fn work_config(config: &Value, family: Family, scenario: &str) -> BTreeMap<String, Value> {
    match Config::from_recorded(config) {
        Ok(c) => c
            .work(family, record::is_workload(scenario))
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        Err(e) => BTreeMap::from([("config".to_string(), Value::String(e))]),
    }
}

/// The entries of a run by (group id, label).
fn entries(summary: &Summary) -> BTreeMap<(String, String), &EntrySummary> {
    let mut out = BTreeMap::new();
    for f in &summary.families {
        for e in &f.entries {
            out.insert((f.id(), e.label.clone()), e);
        }
    }
    for sweep in &summary.sweeps {
        for s in &sweep.series {
            for p in &s.points {
                out.insert((format!("sweep {}", sweep.axis), p.label.clone()), p);
            }
        }
    }
    out
}

/// Compares two loaded runs.
pub fn compare(old: &Run, new: &Run) -> Comparison {
    let (a, b) = (entries(&old.summary), entries(&new.summary));
    // NEW's margin, under the rule every standing of the suite uses.
    let margin_pct = new.summary.margin_pct;
    let mut changes = Vec::new();
    let mut differences = config_differences(old, new);
    for (key, e_old) in &a {
        let Some(e_new) = b.get(key) else { continue };
        if let (Some(w_old), Some(w_new)) = (&e_old.work, &e_new.work) {
            if w_old != w_new {
                differences.push(format!(
                    "{} {}: work {} units, checksum {} against {} units, checksum {}",
                    key.0, key.1, w_old.units, w_old.checksum, w_new.units, w_new.checksum
                ));
            }
        }
        for metric in Metric::ALL.into_iter().filter(|m| m.view() == View::Table) {
            if let Some(c) = change(key, metric, (e_old, e_new), margin_pct) {
                changes.push(c);
            }
        }
    }
    let unmatched = a
        .keys()
        .filter(|k| !b.contains_key(*k))
        .map(|k| format!("{} {} (only in OLD)", k.0, k.1))
        .chain(
            b.keys()
                .filter(|k| !a.contains_key(*k))
                .map(|k| format!("{} {} (only in NEW)", k.0, k.1)),
        )
        .collect();
    Comparison {
        changes,
        margin_pct,
        unmatched,
        differences,
        machines: [old.summary.env.clone(), new.summary.env.clone()],
        metas: [old.meta.clone(), new.meta.clone()],
    }
}

/// The work-defining keys whose values differ between the runs, per group both ran.
fn config_differences(old: &Run, new: &Run) -> Vec<String> {
    let mut out = Vec::new();
    for (group, a) in &old.config {
        let Some(b) = new.config.get(group) else { continue };
        let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for key in keys {
            if a.get(key) != b.get(key) {
                let show = |v: Option<&Value>| v.map_or("unset".to_string(), Value::to_string);
                out.push(format!(
                    "{group}: {key} = {} against {}",
                    show(a.get(key)),
                    show(b.get(key))
                ));
            }
        }
    }
    out
}

/// The change of `metric` for one matched entry, when both runs measured it.
fn change(
    key: &(String, String),
    metric: Metric,
    (old, new): (&EntrySummary, &EntrySummary),
    margin_pct: f64,
) -> Option<Change> {
    let (a, b) = (&old.stats(metric)?.values, &new.stats(metric)?.values);
    let (m_old, m_new) = (median(a), median(b));
    if a.is_empty() || b.is_empty() || m_old <= 0.0 || m_new < 0.0 {
        return None;
    }
    let ci95 = crate::stats::unpaired_ratio(a, b);
    let ratio = m_new / m_old;
    let side = crate::stats::against_margin(ci95, margin_pct);
    let (up, down) = (side.is_gt(), side.is_lt());
    let verdict = match (metric.direction(), up, down) {
        (Direction::LowerIsBetter, true, _) | (Direction::HigherIsBetter, _, true) => Verdict::Worse,
        (Direction::LowerIsBetter, _, true) | (Direction::HigherIsBetter, true, _) => Verdict::Better,
        _ => Verdict::NoDifference,
    };
    Some(Change {
        group: key.0.clone(),
        label: key.1.clone(),
        metric,
        old: m_old,
        new: m_new,
        ratio,
        ci95,
        verdict,
    })
}

/// The wall time of every matched entry, for the plot.
fn wall_rows(c: &Comparison) -> Vec<forest::RatioRow> {
    c.changes
        .iter()
        .filter(|ch| ch.metric == Metric::Wall)
        .map(|ch| forest::RatioRow {
            label: format!("{} {}", ch.group, ch.label),
            ratio: ch.ratio,
            ci95: ch.ci95,
            tone: match (ch.ci95[0] > 1.0, ch.ci95[1] < 1.0) {
                (true, _) => forest::Tone::Worse,
                (_, true) => forest::Tone::Better,
                _ => forest::Tone::Tie,
            },
        })
        .collect()
}

/// Wall times slower by more than `threshold` % beyond their interval.
fn over_threshold(c: &Comparison, threshold: f64) -> Vec<&Change> {
    c.changes
        .iter()
        .filter(|ch| ch.metric == Metric::Wall && ch.ci95[0] > 1.0 + threshold / 100.0)
        .collect()
}

/// A machine in one line.
fn machine(env: &Option<Env>) -> String {
    env.as_ref().map_or("unknown (no run succeeded)".into(), |e| {
        format!(
            "{}, {} cores, {} MiB, {} {}, {}, commit {}",
            e.cpu_model, e.cores_logical, e.mem_total_mib, e.os, e.kernel, e.rustc, e.git_sha
        )
    })
}

/// Whether the two runs ran on different machines (CPU, cores, memory or kernel).
fn machines_differ(c: &Comparison) -> bool {
    match (&c.machines[0], &c.machines[1]) {
        (Some(a), Some(b)) => {
            (&a.cpu_model, a.cores_logical, a.mem_total_mib, &a.kernel)
                != (&b.cpu_model, b.cores_logical, b.mem_total_mib, &b.kernel)
        }
        _ => false,
    }
}

/// `compare.md`.
fn markdown(c: &Comparison, opts: &Options) -> String {
    let mut out = String::from("# concbench comparison\n\n");
    out.push_str(&header(c, opts));
    let _ = writeln!(out, "![Wall time, NEW ÷ OLD](plots/{PLOT})\n");
    out.push_str(&change_table(c));
    if !c.unmatched.is_empty() {
        let _ = writeln!(
            out,
            "\nNot compared (in one run only): {}.",
            c.unmatched.join(", ")
        );
    }
    if let Some(t) = opts.threshold {
        let over: Vec<String> = over_threshold(c, t)
            .iter()
            .map(|ch| format!("{} {}", ch.group, ch.label))
            .collect();
        let _ = writeln!(
            out,
            "\nThreshold: wall times slower by more than {} beyond their interval: {}.",
            percent_fixed(t, 1),
            if over.is_empty() {
                "none".to_string()
            } else {
                over.join(", ")
            }
        );
    }
    out
}

/// The two runs, their machines and commits, and what makes the comparison weaker.
fn header(c: &Comparison, opts: &Options) -> String {
    let mut out = String::new();
    for (i, (side, dir)) in [("OLD", &opts.old), ("NEW", &opts.new)].into_iter().enumerate() {
        let (env, started) = (&c.machines[i], &c.metas[i].started_at);
        let _ = writeln!(
            out,
            "- {side}: `{}`, {}, from {started}",
            dir.display(),
            machine(env)
        );
    }
    out.push('\n');
    if machines_differ(c) {
        out.push_str("**The machines differ: a change below may be the machine's, not the code's.**\n\n");
    }
    if !c.differences.is_empty() {
        let _ = writeln!(
            out,
            "**Compared with --force although the work differs:** {}.\n",
            c.differences.join("; ")
        );
    }
    let _ = writeln!(
        out,
        "Each row: the median of NEW's runs over OLD's (below 1 is smaller), its 95 % interval from a bootstrap of that ratio (2,000 resamples of each side's runs; the runs are not paired across folders), and the verdict for the metric's direction: better or worse only when the whole interval lies beyond 1 ± {} (NEW's `runner.margin_pct`, the rule of every standing), else no difference shown.\n",
        percent_fixed(c.margin_pct, 0)
    );
    out
}

/// A row per metric of every matched entry.
fn change_table(c: &Comparison) -> String {
    let mut out = String::from(
        "| group | entry | metric | OLD median | NEW median | NEW ÷ OLD (95 % interval) | verdict |\n|---|---|---|---:|---:|---:|---|\n",
    );
    for ch in &c.changes {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {}× ({}–{}) | {} |",
            ch.group,
            ch.label,
            ch.metric.key(),
            num(ch.old),
            num(ch.new),
            fixed(ch.ratio, 3),
            fixed(ch.ci95[0], 3),
            fixed(ch.ci95[1], 3),
            ch.verdict.text(ch.metric)
        );
    }
    out
}

/// The terminal table: the wall time of every matched entry.
fn terminal(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "OLD: {}", machine(&c.machines[0]));
    let _ = writeln!(out, "NEW: {}", machine(&c.machines[1]));
    if machines_differ(c) {
        out.push_str("!!! THE MACHINES DIFFER: a change may be the machine's, not the code's !!!\n");
    }
    let walls: Vec<&Change> = c.changes.iter().filter(|ch| ch.metric == Metric::Wall).collect();
    let width = walls
        .iter()
        .map(|ch| ch.group.len() + ch.label.len() + 1)
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "  {:width$}  OLD wall     NEW wall     NEW/OLD [95% CI]        verdict",
        "entry"
    );
    for ch in walls {
        let name = format!("{} {}", ch.group, ch.label);
        let ratio = format!(
            "{}x [{}, {}]",
            fixed(ch.ratio, 3),
            fixed(ch.ci95[0], 3),
            fixed(ch.ci95[1], 3)
        );
        let _ = writeln!(
            out,
            "  {name:width$}  {:>9} s  {:>9} s  {ratio:>22}  {}",
            fixed(ch.old, 4),
            fixed(ch.new, 4),
            ch.verdict.text(Metric::Wall)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata;

    fn run_of(records: &[crate::record::RunRecord]) -> Run {
        let summary = summary::summarise(records, &testdata::order());
        let mut config = BTreeMap::new();
        for f in &summary.families {
            config.insert(
                f.id(),
                work_config(
                    &records.iter().find_map(|r| r.report.as_ref()).unwrap().config,
                    f.family,
                    &f.scenario,
                ),
            );
        }
        Run {
            summary,
            meta: Meta::default(),
            config,
        }
    }

    #[test]
    fn a_slower_entry_is_slower_and_the_others_show_no_difference() {
        let old = testdata::matrix_rounds(8);
        let mut new = testdata::matrix_rounds(8);
        for r in new.iter_mut().filter(|r| r.entry == "cpu-threads 2") {
            r.report.as_mut().unwrap().wall_s *= 1.5;
        }
        let c = compare(&run_of(&old), &run_of(&new));
        assert!(c.differences.is_empty(), "{:?}", c.differences);
        let wall = |label: &str| {
            c.changes
                .iter()
                .find(|ch| ch.label == label && ch.metric == Metric::Wall)
                .unwrap()
                .clone()
        };
        let threads = wall("cpu-threads 2");
        assert_eq!(threads.verdict, Verdict::Worse);
        assert!(
            (threads.ratio - 1.5).abs() < 1e-9 && threads.ci95[0] > 1.3,
            "{threads:?}"
        );
        assert_eq!(wall("cpu-sync").verdict, Verdict::NoDifference);
        assert_eq!(over_threshold(&c, 20.0).len(), 1);
        assert!(over_threshold(&c, 60.0).is_empty());
        assert!(terminal(&c).contains("cpu cpu-threads 2"));
    }

    #[test]
    fn a_change_inside_the_margin_is_no_difference() {
        let old = testdata::matrix_rounds(8);
        let verdict = |factor: f64, margin_pct: f64| {
            let mut new = testdata::matrix_rounds(8);
            for r in new.iter_mut().filter(|r| r.entry == "cpu-threads 2") {
                r.report.as_mut().unwrap().wall_s *= factor;
            }
            let mut new = run_of(&new);
            new.summary.margin_pct = margin_pct;
            let c = compare(&run_of(&old), &new);
            assert_eq!(c.margin_pct, margin_pct);
            let ch = c
                .changes
                .iter()
                .find(|ch| ch.label == "cpu-threads 2" && ch.metric == Metric::Wall);
            ch.unwrap().verdict
        };
        // 50 % slower in every run: the interval lies beyond 1 ± 2 %, and reaches into 1 ± 60 %.
        assert_eq!(verdict(1.5, 2.0), Verdict::Worse);
        assert_eq!(verdict(1.5, 60.0), Verdict::NoDifference, "NEW's margin decides");
        assert_eq!(verdict(1.0, 2.0), Verdict::NoDifference);
    }

    #[test]
    fn different_work_names_the_keys_and_checksums() {
        let old = testdata::matrix_rounds(6);
        let mut new = testdata::matrix_rounds(6);
        for r in new.iter_mut() {
            if let Some(rep) = r.report.as_mut() {
                rep.config["cpu"]["urls"] = serde_json::json!(2000);
                if r.entry == "cpu-sync" {
                    rep.work.checksum = "00000000000000bb".into();
                }
            }
        }
        let c = compare(&run_of(&old), &run_of(&new));
        let text = c.differences.join("\n");
        assert!(text.contains("cpu: cpu.urls = 1000 against 2000"), "{text}");
        assert!(
            text.contains("cpu cpu-sync: work 100 units, checksum 00000000000000aa against"),
            "{text}"
        );
    }
}
