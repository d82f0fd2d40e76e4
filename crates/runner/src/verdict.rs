//! "When to use what": sentences derived from a family's numbers. No conclusion is written in
//! advance; each sentence names the entries and figures it rests on.

use crate::summary::{EntrySummary, FamilySummary};

/// CPU seconds a run used: process CPU (% of one core) × wall time.
fn cpu_seconds(e: &EntrySummary) -> Option<f64> {
    Some(e.mean("process_cpu_pct")? / 100.0 * e.mean("wall_s")?)
}

/// Seconds: three decimals, or three significant digits below 0.1 s.
fn secs(v: f64) -> String {
    if v.abs() >= 0.1 {
        format!("{v:.3} s")
    } else {
        format!("{} s", crate::export::num(v))
    }
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
        out.push("No run of this family succeeded, so there is nothing to compare.".into());
        out.extend(failures(f));
        return out;
    }
    if !f.same_work {
        out.push("Warning: the runs of this family did not all do the same work (units or checksum differ), so their times are not comparable.".into());
    }
    let base = f.entries.iter().find(|e| e.label == f.baseline);
    let wall = |e: &EntrySummary| e.mean("wall_s").unwrap_or(f64::NAN);
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
            format!(", {} the speed of {}", crate::export::ratio(r, err), f.baseline)
        })
    };
    out.push(format!(
        "Fastest: {} at {} mean wall time{}.",
        fastest.label,
        secs(fastest.mean("wall_s").unwrap()),
        if fastest.label == f.baseline {
            String::new()
        } else {
            speed(fastest)
        }
    ));
    if slowest.label != fastest.label {
        out.push(format!(
            "Slowest: {} at {}{}.",
            slowest.label,
            secs(slowest.mean("wall_s").unwrap()),
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
            "CPU time for the same work: least {} ({} of CPU), most {} ({}, {:.1}×).",
            s.0,
            secs(s.1),
            s.2,
            secs(s.3),
            s.3 / s.1.max(1e-9)
        ));
    }
    if let Some(s) = extremes(&measured, |e| e.mean("rss_peak_mib")) {
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
        if let Some(s) = extremes(&measured, |e| e.mean("req_per_s")) {
            out.push(format!(
                "Throughput: highest {} ({:.0} req/s), lowest {} ({:.0} req/s).",
                s.2, s.3, s.0, s.1
            ));
        }
    }
    out.extend(failures(f));
    out
}

fn failures(f: &FamilySummary) -> impl Iterator<Item = String> + '_ {
    f.entries.iter().filter(|e| e.failed > 0).map(|e| {
        format!(
            "{}: {} of {} measured runs failed, hung or were stopped.",
            e.label,
            e.failed,
            e.failed + e.ok
        )
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::summarise;
    use crate::testdata;

    fn cpu_sentences(records: &[crate::record::RunRecord]) -> Vec<String> {
        sentences(&summarise(records, &testdata::order()).families[0])
    }

    #[test]
    fn sentences_follow_the_numbers() {
        let text = cpu_sentences(&testdata::matrix()).join("\n");
        assert!(text.contains("Fastest: cpu-threads 2 at 0.560 s"), "{text}");
        assert!(text.contains("1.80× ± 0.04 the speed of cpu-sync"), "{text}");
        assert!(
            text.contains("No difference from cpu-sync is shown for cpu-procs 2"),
            "{text}"
        );
        assert!(
            text.contains("Memory: least cpu-sync (50.0 MiB peak), most cpu-procs 2 (120.0 MiB, 2.4×)"),
            "{text}"
        );
    }

    #[test]
    fn sentences_change_when_the_data_change() {
        let mut records = testdata::matrix();
        for r in records
            .iter_mut()
            .filter(|r| r.entry == "cpu-procs 2" && !r.warmup)
        {
            let rep = r.report.as_mut().unwrap();
            rep.wall_s = 0.2 + r.index as f64 * 0.01;
            rep.memory.rss_peak_mib = 10.0;
        }
        let text = cpu_sentences(&records).join("\n");
        assert!(text.contains("Fastest: cpu-procs 2 at 0.210 s"), "{text}");
        assert!(!text.contains("No difference from cpu-sync"), "{text}");
        assert!(
            text.contains("Memory: least cpu-procs 2 (10.0 MiB peak)"),
            "{text}"
        );
    }

    #[test]
    fn failures_and_empty_families_are_said() {
        let s = summarise(&testdata::matrix(), &testdata::order());
        let io = sentences(&s.families[1]).join("\n");
        assert!(io.contains("io-broken: 3 of 3 measured runs failed"), "{io}");
        assert!(io.contains("Throughput: highest io-tokio"), "{io}");
        let only_failed: Vec<_> = testdata::matrix()
            .into_iter()
            .filter(|r| r.entry == "io-broken")
            .collect();
        let s = summarise(&only_failed, &testdata::order());
        assert_eq!(
            sentences(&s.families[0]),
            [
                "No run of this family succeeded, so there is nothing to compare.",
                "io-broken: 3 of 3 measured runs failed, hung or were stopped."
            ]
        );
    }
}
