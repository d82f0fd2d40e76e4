//! One entry's figures from its runs: every metric's statistics, what the sampler could not
//! resolve, and why a failed run failed.

use std::collections::BTreeMap;

use concbench_core::config::Kind;
use concbench_core::report::Report;

use super::EntrySummary;
use crate::metric::Metric;
use crate::record::RunRecord;
use crate::stats::Stats;

pub(super) fn entry_summary(label: &str, runs: &[&RunRecord]) -> EntrySummary {
    let reports: Vec<&Report> = runs.iter().filter_map(|r| r.report.as_ref()).collect();
    // A figure that some runs resolved and others did not is left out: the runs that resolved
    // it are the longer ones, so their figure is not the entry's.
    let metrics = Metric::ALL
        .into_iter()
        .filter_map(|m| {
            let values: Vec<f64> = reports.iter().filter_map(|r| m.read(r)).collect();
            (values.len() == reports.len())
                .then(|| Stats::of_bounded(&values, m.bounds()))
                .flatten()
                .map(|s| (m, s))
        })
        .collect();
    let mut unresolved = BTreeMap::new();
    for reason in reports.iter().flat_map(|r| &r.sampler.unresolved) {
        *unresolved.entry(general(reason)).or_insert(0) += 1;
    }
    let units = reports.first().and_then(|r| r.units.as_ref());
    let unit = units.map(|u| u.unit.clone());
    EntrySummary {
        future_bytes: units.and_then(|u| u.future_bytes),
        kind: unit
            .as_deref()
            .and_then(Kind::of_unit)
            .or_else(|| Kind::of_model(&runs[0].model)),
        in_flight: reports
            .first()
            .and_then(|r| r.io.as_ref())
            .map(|io| io.in_flight_max)
            .filter(|n| *n > 0),
        loadgens: reports.first().and_then(|r| r.serve.as_ref()).map(|s| s.loadgens),
        connections: reports
            .first()
            .and_then(|r| r.serve.as_ref())
            .map(|s| s.connections),
        unresolved,
        label: label.into(),
        model: runs[0].model.clone(),
        variant: reports.first().and_then(|r| r.variant.clone()),
        legacy: reports.first().is_some_and(|r| r.legacy),
        unit,
        ok: reports.len(),
        failed: runs.len() - reports.len(),
        metrics,
        speedup: None,
        cpu_ratio: None,
        p99_ratio: None,
        work: reports.first().map(|r| r.work.clone()),
        own_keys: Vec::new(),
        sweep: runs[0].sweep.clone(),
        error: runs
            .iter()
            .find_map(|r| r.stderr_tail.as_deref())
            .and_then(error_line),
    }
}

/// A sampler's reason without its run's own count: `threads.peak: 4 fast-tier samples, fewer
/// than 10` becomes `threads.peak: fewer than 10 fast-tier samples`.
fn general(reason: &str) -> String {
    let Some((figures, why)) = reason.split_once(": ") else {
        return reason.to_string();
    };
    // "4 fast-tier samples, fewer than 10": the count varies by run, the bound does not.
    let tier = ["fast-tier", "slow-tier"]
        .into_iter()
        .find(|t| why.contains(t) && why.contains("fewer than"));
    let least = why.rsplit(' ').next().unwrap_or("");
    match tier {
        Some(tier) => format!("{figures}: fewer than {least} {tier} samples"),
        None => reason.to_string(),
    }
}

/// The error a failed run printed: its `Error:` line, else its last line.
fn error_line(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let line = lines
        .iter()
        .find_map(|l| l.strip_prefix("Error:").or_else(|| l.strip_prefix("error:")))
        .or(lines.last().copied())?;
    Some(line.trim().to_string())
}
