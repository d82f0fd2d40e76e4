//! The closing table in the terminal: per group, the entries by median wall time, with the
//! paired speed-up and the standing decided for it, the budget of IO entries, and a mark on every
//! entry with failures; then the answers.

use std::fmt::Write as _;

use crate::format::{fixed, percent_fixed, speedup_ascii};
use crate::metric::Metric;
use crate::summary::{EntrySummary, Summary};

/// The table as text.
pub fn render(summary: &Summary) -> String {
    let mut out = String::new();
    for f in &summary.families {
        let _ = writeln!(out, "{} (baseline {}):", f.id(), f.baseline);
        let mut rows: Vec<_> = f
            .entries
            .iter()
            .filter_map(|e| e.stats(Metric::Wall).map(|s| (e, s.median)))
            .collect();
        rows.sort_by(|a, b| a.1.total_cmp(&b.1));
        let width = rows.iter().map(|(e, _)| e.label.len()).max().unwrap_or(5).max(5);
        let _ = writeln!(
            out,
            "  {:width$}  median wall   speed vs baseline [95% CI]  {:14}  in flight  runs",
            "entry", "standing"
        );
        for (e, median) in &rows {
            let speed = e.speedup.as_ref().map_or("-".into(), speedup_ascii);
            let in_flight = e.in_flight.map_or("-".into(), |n| n.to_string());
            let _ = writeln!(
                out,
                "  {:width$}  {:>9} s   {:>24}  {:14}  {:>9}  {}{}",
                e.label,
                fixed(*median, 4),
                speed,
                crate::words::standing_short(&f.standing_of(&e.label)),
                in_flight,
                crate::words::runs(e),
                failures(e)
            );
        }
        for e in f.entries.iter().filter(|e| !e.has(Metric::Wall)) {
            let _ = writeln!(
                out,
                "  {:width$}  no successful run ({} failed)",
                e.label, e.failed
            );
        }
    }
    out
}

/// `  ! 12.5% of requests failed` for an entry with failed requests.
fn failures(e: &EntrySummary) -> String {
    e.failed_pct().map_or(String::new(), |p| {
        format!("  ! {} of requests failed", percent_fixed(p, 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::summarise;
    use crate::testdata;

    #[test]
    fn entries_with_failed_requests_are_marked() {
        let mut records = testdata::matrix();
        for r in records.iter_mut().filter(|r| r.entry == "io-tokio") {
            let io = r.report.as_mut().unwrap().io.as_mut().unwrap();
            (io.ok, io.failed) = (75, 25);
        }
        let text = render(&summarise(&records, &testdata::order()));
        let line = text.lines().find(|l| l.contains("io-tokio")).unwrap();
        assert!(line.ends_with("3  ! 25.0 % of requests failed"), "{text}");
        assert!(line.contains(" 50 "), "the budget: {line}");
        assert!(text.contains("io-broken  no successful run (3 failed)"), "{text}");
        let sync = text
            .lines()
            .find(|l| l.trim_start().starts_with("io-sync"))
            .unwrap();
        assert!(sync.contains(" baseline "), "{sync}");
    }
}
