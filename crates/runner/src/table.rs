//! The closing table in the terminal: per family, the entries ranked by median wall time.

use std::fmt::Write as _;

use crate::format::{fixed, ratio_ascii};
use crate::metric::Metric;
use crate::summary::Summary;

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
            "  rank  {:width$}  median wall   speed vs baseline  runs",
            "entry"
        );
        for (rank, (e, median)) in rows.iter().enumerate() {
            let speed = e.speedup.map_or("-".into(), |[r, err]| ratio_ascii(r, err));
            let runs = if e.failed > 0 {
                format!("{} (+{} failed)", e.ok, e.failed)
            } else {
                e.ok.to_string()
            };
            let _ = writeln!(
                out,
                "  {:>4}  {:width$}  {:>9} s   {:>17}  {runs}",
                rank + 1,
                e.label,
                fixed(*median, 4),
                speed
            );
        }
        for e in f.entries.iter().filter(|e| !e.has(Metric::Wall)) {
            let _ = writeln!(
                out,
                "     -  {:width$}  no successful run ({} failed)",
                e.label, e.failed
            );
        }
    }
    out
}
