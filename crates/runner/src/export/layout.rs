//! What the exports show and where: the metrics of a group or a sweep that some run measured,
//! and the file name of each plot (the report links the same names the plots are written to).

use crate::metric::{Metric, View};
use crate::summary::{FamilySummary, SweepSummary, slug};

/// The metrics of a group that some entry has, that have a table of their own, and that are
/// not one value in every run of every entry.
pub fn metrics_of(group: &FamilySummary) -> impl Iterator<Item = Metric> + '_ {
    Metric::ALL.into_iter().filter(move |m| {
        m.view() == View::Table
            && m.applies_to(group.family)
            && group.entries.iter().any(|e| e.has(*m))
            && uniform(group, *m).is_none()
    })
}

/// The metrics with one value in every run of every entry that has them (a table of them says
/// nothing a sentence does not), with that value.
pub fn uniform_metrics(group: &FamilySummary) -> impl Iterator<Item = (Metric, f64)> + '_ {
    Metric::ALL.into_iter().filter_map(move |m| {
        (m.view() == View::Table && m.applies_to(group.family))
            .then(|| uniform(group, m))
            .flatten()
            .map(|v| (m, v))
    })
}

/// The one value of `m` in every run of every entry of a group of at least two entries.
fn uniform(group: &FamilySummary, m: Metric) -> Option<f64> {
    let stats: Vec<_> = group.entries.iter().filter_map(|e| e.stats(m)).collect();
    let first = stats.first()?;
    (stats.len() > 1 && stats.iter().all(|s| s.min == first.min && s.max == first.min)).then_some(first.min)
}

/// Whether a group has a forest plot: some entry has a paired speed-up, and the group is not
/// spawn-only (whose loop starts nothing, so no speed is drawn against it).
pub fn has_forest(group: &FamilySummary) -> bool {
    group.scenario != "spawn-only" && group.entries.iter().any(|e| e.speedup.is_some())
}

/// The file name of a group's forest plot of paired speed-ups.
pub fn forest_plot(group: &FamilySummary) -> String {
    format!("{}-speedup.svg", group.id())
}

/// The failure metrics (the columns of the failures table) of an IO group that some entry has
/// (`dropped` only open loop).
pub fn failure_metrics(group: &FamilySummary) -> impl Iterator<Item = Metric> + '_ {
    Metric::ALL
        .into_iter()
        .filter(move |m| m.view() == View::Failures && group.entries.iter().any(|e| e.has(*m)))
}

/// The metrics of a sweep that some point has, except the peak thread count.
pub fn sweep_metrics(sweep: &SweepSummary) -> impl Iterator<Item = Metric> + '_ {
    Metric::ALL.into_iter().filter(move |m| {
        *m != Metric::ThreadsPeak
            && m.view() == View::Table
            && sweep.series.iter().any(|s| s.points.iter().any(|p| p.has(*m)))
    })
}

/// The file name of a group's plot of `metric`.
pub fn group_plot(group: &FamilySummary, metric: Metric) -> String {
    format!("{}-{}.svg", group.id(), metric.key())
}

/// The file name of a sweep's plot of `metric`.
pub fn sweep_plot(sweep: &SweepSummary, metric: Metric) -> String {
    format!("sweep-{}-{}.svg", slug(&sweep.axis), metric.key())
}
