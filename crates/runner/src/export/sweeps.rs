//! A sweep's section of `report.md`: a table per metric over the swept values, per unit where
//! the units move with the value, and the points that failed.

use std::fmt::Write as _;

use concbench_core::report::Family;

use crate::export::layout::{per_unit, per_unit_name, sweep_metrics, sweep_per_unit_plot, sweep_plot};
use crate::export::markdown::same_work;
use crate::format::{code, num, plain};
use crate::metric::Metric;
use crate::summary::{Series, SweepSummary};

/// A sweep: per metric a table (a row per series, a column per value) and a line plot; then
/// the points that could not run, with their error.
pub(super) fn section(sweep: &SweepSummary) -> String {
    let mut out = format!("## Sweep: {}\n\n", sweep.axis);
    let keys: Vec<String> = sweep
        .series
        .iter()
        .map(|s| format!("{} sweeps `{}`", s.label, s.key))
        .collect();
    let _ = writeln!(
        out,
        "{}. Each cell is the mean ± the half-width of its 95 % confidence interval. Same work in every series at each value: {}.\n",
        keys.join("; "),
        same_work(sweep.same_work)
    );
    let unit = match sweep.family {
        Family::Cpu => "a kernel's items, or a task-cost scenario's units",
        Family::Io => "requests",
        Family::Serve => "round trips",
    };
    let _ = writeln!(
        out,
        "Units of work per run ({unit}) at each value: {}.\n",
        work_per_value(sweep).join(", ")
    );
    for m in sweep_metrics(sweep) {
        let _ = writeln!(out, "### {}{}\n", m.title(), m.unit_suffix());
        out.push_str(&sweep_table(sweep, m));
        let _ = writeln!(out, "\n![{}](plots/{})\n", m.title(), sweep_plot(sweep, m));
        if let (Metric::Wall, Some(scaled)) = (m, per_unit(sweep)) {
            out.push_str(&per_unit_section(sweep, &scaled));
        }
    }
    let failed = failed_points(sweep);
    if !failed.is_empty() {
        let _ = writeln!(out, "Points that could not run:\n\n{}\n", failed.join("\n"));
    }
    out
}

/// The wall time per unit of work of a sweep whose work changes from point to point: the
/// like-with-like view of its wall times.
fn per_unit_section(sweep: &SweepSummary, scaled: &SweepSummary) -> String {
    let (title, unit) = per_unit_name(sweep);
    let mut out = format!(
        "### {title}{unit}\n\nThe work changes from point to point, so the wall times above are not like with like: here each is divided by its point's units of work.\n\n"
    );
    out.push_str(&sweep_table(scaled, Metric::Wall));
    let _ = writeln!(out, "\n![{title}](plots/{})\n", sweep_per_unit_plot(sweep));
    out
}

/// `value → units` for each value some series ran.
fn work_per_value(sweep: &SweepSummary) -> Vec<String> {
    sweep
        .values
        .iter()
        .filter_map(|v| {
            let units = sweep.series.iter().find_map(|s| s.at(*v)?.work.as_ref())?.units;
            Some(format!("{} → {units}", plain(*v)))
        })
        .collect()
}

/// A row per series, a column per value.
fn sweep_table(sweep: &SweepSummary, m: Metric) -> String {
    let values: Vec<String> = sweep.values.iter().map(|v| plain(*v)).collect();
    let mut out = format!("| series | {} |\n", values.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(values.len()));
    for s in &sweep.series {
        let cells: Vec<String> = sweep.values.iter().map(|v| sweep_cell(s, *v, m)).collect();
        let _ = writeln!(out, "| {} | {} |", s.label, cells.join(" | "));
    }
    out
}

/// The mean ± the CI's half-width at `value`, or why there is none.
fn sweep_cell(s: &Series, value: f64, m: Metric) -> String {
    match s.at(value) {
        None => "".into(),
        Some(p) => match p.stats(m) {
            Some(st) => format!("{} ± {}", num(st.mean), num((st.ci95[1] - st.ci95[0]) / 2.0)),
            None if p.ok == 0 => "could not run".into(),
            None => "–".into(),
        },
    }
}

/// A line for each sweep point with a failed run, with its error.
fn failed_points(sweep: &SweepSummary) -> Vec<String> {
    sweep
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|p| p.failed > 0)
        .map(|p| {
            format!(
                "- {}: {} of {} runs did not succeed{}",
                p.label,
                p.failed,
                p.failed + p.ok,
                p.error
                    .as_ref()
                    .map_or(String::new(), |e| format!(": {}", code(e)))
            )
        })
        .collect()
}
