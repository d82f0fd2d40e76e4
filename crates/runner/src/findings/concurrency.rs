//! IO concurrency: what in-flight requests buy, and each model's knee against load.

use super::*;

/// The keys that set an IO model's budget of requests in flight.
pub(super) const IN_FLIGHT_KEYS: [&str; 2] = ["io.concurrency", "io.workers"];

/// IO sweeps over the budget: throughput and memory from the fewest to the most in flight.
pub(super) fn concurrency(summary: &Summary) -> Vec<String> {
    summary
        .sweeps
        .iter()
        .filter(|s| s.family == Family::Io)
        .flat_map(|sweep: &SweepSummary| {
            sweep
                .series
                .iter()
                .filter(|s| IN_FLIGHT_KEYS.contains(&s.key.as_str()))
                .filter_map(concurrency_line)
        })
        .collect()
}

/// Sweeps over the offered rate: the rule, then each model's knee.
pub(super) fn knees(summary: &Summary) -> Vec<String> {
    let lines = openloop::knees(summary);
    if lines.is_empty() {
        return lines;
    }
    std::iter::once(openloop::knee_rule(summary))
        .chain(lines)
        .collect()
}

/// One IO series: req/s at the fewest and the most in flight, the best, and peak RSS.
pub(super) fn concurrency_line(s: &Series) -> Option<String> {
    let ok: Vec<(f64, &EntrySummary)> = s
        .points
        .iter()
        .filter(|p| p.ok > 0)
        .filter_map(|p| p.sweep.as_ref().map(|a| (a.value, p)))
        .collect();
    let (first, last) = (ok.first()?, ok.last()?);
    let rate = |p: &EntrySummary| p.mean(Metric::ReqPerS).unwrap_or(f64::NAN);
    let rss = |p: &EntrySummary| p.mean(Metric::RssPeak).unwrap_or(f64::NAN);
    let best = ok.iter().max_by(|a, b| rate(a.1).total_cmp(&rate(b.1)))?;
    let mut line = format!(
        "{}: {} at {} in flight, {} at {} ({}); the most, {}, at {}; peak RSS {} → {}.",
        s.label,
        req_per_s(rate(first.1)),
        count(first.0),
        fixed(rate(last.1), 0),
        count(last.0),
        times(rate(last.1) / rate(first.1), 0),
        req_per_s(rate(best.1)),
        count(best.0),
        mib(rss(first.1)),
        mib(rss(last.1))
    );
    if let Some(q) = s.points.iter().find(|p| p.ok == 0) {
        let at = q.sweep.as_ref().map_or(0.0, |a| a.value);
        let _ = write!(
            line,
            " It could not run at {}{}.",
            count(at),
            q.error
                .as_deref()
                .map_or(String::new(), |e| format!(": {}", code(e)))
        );
    }
    Some(line)
}
