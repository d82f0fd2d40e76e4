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

/// The sweep with each point's wall time per unit of its work, in µs (the mean, interval and
/// runs of the wall time divided by the point's units, which are the same in all its runs),
/// when the work changes from point to point; `None` when every point does the same work, where
/// the wall time compares like with like, and for task-cost sweeps, whose reports carry this
/// very figure already ([`Metric::PerUnit`], wall time ÷ units).
pub fn per_unit(sweep: &SweepSummary) -> Option<SweepSummary> {
    if sweep
        .series
        .iter()
        .flat_map(|s| &s.points)
        .any(|p| p.has(Metric::PerUnit))
    {
        return None;
    }
    let units = |p: &crate::summary::EntrySummary| p.work.as_ref().map(|w| w.units).filter(|u| *u > 0);
    let mut seen: Vec<u64> = sweep
        .series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(units))
        .collect();
    seen.sort_unstable();
    seen.dedup();
    if seen.len() < 2 {
        return None;
    }
    let mut scaled = sweep.clone();
    for p in scaled.series.iter_mut().flat_map(|s| s.points.iter_mut()) {
        let wall = p.metrics.remove(&Metric::Wall);
        if let (Some(st), Some(u)) = (wall, units(p)) {
            p.metrics.insert(Metric::Wall, st.scaled(1e6 / u as f64));
        }
    }
    Some(scaled)
}

/// The file name of a sweep's plot of wall time per unit of work ([`per_unit`]).
pub fn sweep_per_unit_plot(sweep: &SweepSummary) -> String {
    format!("sweep-{}-wall_per_unit_us.svg", slug(&sweep.axis))
}

/// The title and unit suffix of a sweep's wall time per unit of work: `Wall time per request`,
/// ` (µs)`.
pub fn per_unit_name(sweep: &SweepSummary) -> (String, String) {
    let unit = match sweep.family {
        concbench_core::report::Family::Cpu => "unit of work",
        concbench_core::report::Family::Io => "request",
        concbench_core::report::Family::Serve => "round trip",
    };
    (format!("Wall time per {unit}"), " (µs)".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::summarise;
    use crate::testdata;

    #[test]
    fn a_sweep_whose_work_changes_gets_its_wall_time_per_unit() {
        let mut sweep = summarise(&testdata::rate_sweep(), &[]).sweeps.remove(0);
        assert_eq!(per_unit(&sweep), None, "every point does the same work");
        let point = &mut sweep.series[0].points[1];
        point.work.as_mut().unwrap().units = 400;
        let wall = point.stats(Metric::Wall).unwrap().clone();
        let scaled = per_unit(&sweep).expect("the work changes");
        let at = scaled.series[0].points[1].stats(Metric::Wall).unwrap();
        let k = 1e6 / 400.0;
        assert_eq!(
            (at.mean, at.ci95, at.n),
            (wall.mean * k, [wall.ci95[0] * k, wall.ci95[1] * k], wall.n)
        );
        assert_eq!(
            scaled.series[0].points[1].stats(Metric::ReqPerS),
            sweep.series[0].points[1].stats(Metric::ReqPerS),
            "only the wall time is divided"
        );
        assert_eq!(
            per_unit_name(&sweep),
            ("Wall time per request".into(), " (µs)".into())
        );
    }
}
