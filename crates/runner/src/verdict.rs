//! "When to use what": sentences derived from a family's numbers. No conclusion is written in
//! advance; each sentence names the entries and figures it rests on.

use crate::summary::{EntrySummary, FamilySummary};

fn mean(e: &EntrySummary, key: &str) -> Option<f64> {
    e.metrics.get(key).map(|s| s.mean)
}

/// CPU seconds a run used: process CPU (% of one core) × wall time.
fn cpu_seconds(e: &EntrySummary) -> Option<f64> {
    Some(mean(e, "process_cpu_pct")? / 100.0 * mean(e, "wall_s")?)
}

/// The verdict sentences for one family.
pub fn sentences(f: &FamilySummary) -> Vec<String> {
    let measured: Vec<&EntrySummary> = f
        .entries
        .iter()
        .filter(|e| e.metrics.contains_key("wall_s"))
        .collect();
    let mut out = Vec::new();
    if measured.is_empty() {
        return vec!["No run of this family succeeded, so there is nothing to compare.".into()];
    }
    if !f.same_work {
        out.push("Warning: the runs of this family did not all do the same work (units or checksum differ), so their times are not comparable.".into());
    }
    let base = f.entries.iter().find(|e| e.label == f.baseline);
    let wall = |e: &EntrySummary| mean(e, "wall_s").unwrap_or(f64::NAN);
    let fastest = *measured
        .iter()
        .min_by(|a, b| wall(a).total_cmp(&wall(b)))
        .expect("not empty");
    let slowest = *measured
        .iter()
        .max_by(|a, b| wall(a).total_cmp(&wall(b)))
        .expect("not empty");
    let speed = |e: &EntrySummary| {
        e.speedup.map_or(String::new(), |[r, err]| {
            format!(", {r:.2}× ± {err:.2} the speed of {}", f.baseline)
        })
    };
    out.push(format!(
        "Fastest: {} at {:.3} s mean wall time{}.",
        fastest.label,
        mean(fastest, "wall_s").unwrap(),
        if fastest.label == f.baseline {
            String::new()
        } else {
            speed(fastest)
        }
    ));
    if slowest.label != fastest.label {
        out.push(format!(
            "Slowest: {} at {:.3} s{}.",
            slowest.label,
            mean(slowest, "wall_s").unwrap(),
            if slowest.label == f.baseline {
                String::new()
            } else {
                speed(slowest)
            }
        ));
    }
    if let Some(base) = base.and_then(|b| b.metrics.get("wall_s")) {
        let tied: Vec<&str> = measured
            .iter()
            .filter(|e| e.label != f.baseline && e.metrics["wall_s"].overlaps(base))
            .map(|e| e.label.as_str())
            .collect();
        if !tied.is_empty() {
            out.push(format!(
                "No difference from {} is shown for {} (their 95 % confidence intervals of the mean overlap): on this work they buy nothing.",
                f.baseline,
                tied.join(", ")
            ));
        }
    }
    if let Some(s) = extremes(&measured, cpu_seconds) {
        out.push(format!(
            "CPU time for the same work: least {} ({:.3} s of CPU), most {} ({:.3} s, {:.1}×).",
            s.0,
            s.1,
            s.2,
            s.3,
            s.3 / s.1.max(1e-9)
        ));
    }
    if let Some(s) = extremes(&measured, |e| mean(e, "rss_peak_mib")) {
        out.push(format!(
            "Memory: least {} ({:.1} MiB peak), most {} ({:.1} MiB, {:.1}×).",
            s.0,
            s.1,
            s.2,
            s.3,
            s.3 / s.1.max(1e-9)
        ));
    }
    if f.family == "io" {
        if let Some(s) = extremes(&measured, |e| mean(e, "req_per_s")) {
            out.push(format!(
                "Throughput: highest {} ({:.0} req/s), lowest {} ({:.0} req/s).",
                s.2, s.3, s.0, s.1
            ));
        }
    }
    for e in f.entries.iter().filter(|e| e.failed > 0) {
        out.push(format!(
            "{}: {} of {} measured runs failed, hung or were stopped.",
            e.label,
            e.failed,
            e.failed + e.ok
        ));
    }
    out
}

/// The entries with the lowest and the highest value: (low label, low, high label, high).
fn extremes(
    entries: &[&EntrySummary],
    value: impl Fn(&EntrySummary) -> Option<f64>,
) -> Option<(String, f64, String, f64)> {
    let valued: Vec<(&EntrySummary, f64)> =
        entries.iter().filter_map(|e| value(e).map(|v| (*e, v))).collect();
    let low = valued.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let high = valued.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    (low.0.label != high.0.label).then(|| (low.0.label.clone(), low.1, high.0.label.clone(), high.1))
}
