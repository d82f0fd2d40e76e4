//! A sweep's points, grouped by axis and series, each summarised like an entry.

use super::{EntrySummary, Series, SweepSummary, distinct_work, entry_summary};
use crate::record::{RunRecord, SweepPoint};

/// The sweep point of a run known to be one.
fn point(r: &RunRecord) -> &SweepPoint {
    r.sweep.as_ref().expect("swept runs have a point")
}

/// The sweep points grouped by axis, then by series, each point summarised like an entry.
pub(super) fn sweep_summaries(labels: &[String], swept: &[&RunRecord]) -> Vec<SweepSummary> {
    let mut axes: Vec<String> = Vec::new();
    for label in labels {
        let Some(r) = swept.iter().find(|r| &r.entry == label) else {
            continue;
        };
        let axis = &point(r).axis;
        if !axes.contains(axis) {
            axes.push(axis.clone());
        }
    }
    axes.into_iter()
        .map(|axis| {
            let mine: Vec<&RunRecord> = swept.iter().copied().filter(|r| point(r).axis == axis).collect();
            let mut values: Vec<f64> = mine.iter().map(|r| point(r).value).collect();
            values.sort_by(f64::total_cmp);
            values.dedup();
            let mut series: Vec<Series> = Vec::new();
            for label in labels {
                let runs: Vec<&RunRecord> = mine.iter().copied().filter(|r| &r.entry == label).collect();
                let Some(first) = runs.first() else { continue };
                let at = point(first);
                let summary = entry_summary(label, &runs);
                match series
                    .iter_mut()
                    .find(|s| s.label == at.series && s.key == at.key)
                {
                    Some(s) => s.points.push(summary),
                    None => series.push(Series {
                        label: at.series.clone(),
                        key: at.key.clone(),
                        scenario: first.scenario.clone(),
                        points: vec![summary],
                    }),
                }
            }
            for s in &mut series {
                s.points.sort_by(|a, b| {
                    let v = |e: &EntrySummary| e.sweep.as_ref().map_or(0.0, |p| p.value);
                    v(a).total_cmp(&v(b))
                });
            }
            let same_work = values.iter().all(|v| {
                let at: Vec<&RunRecord> = mine.iter().copied().filter(|r| point(r).value == *v).collect();
                distinct_work(&at) <= 1
            });
            SweepSummary {
                family: mine[0].family,
                axis,
                values,
                same_work,
                series,
            }
        })
        .collect()
}
