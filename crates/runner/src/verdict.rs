//! "When to use what": sentences derived from a family's numbers. No conclusion is written in
//! advance; each sentence names the entries and figures it rests on.

use concbench_core::report::Family;

use crate::format::{mib, ratio, req_per_s, seconds, times};
use crate::metric::Metric;
use crate::summary::{EntrySummary, FamilySummary};

/// CPU seconds a run used: process CPU (% of one core) × wall time.
fn cpu_seconds(e: &EntrySummary) -> Option<f64> {
    Some(e.mean(Metric::ProcessCpu)? / 100.0 * e.mean(Metric::Wall)?)
}

/// The verdict sentences for one family.
pub fn sentences(f: &FamilySummary) -> Vec<String> {
    let measured: Vec<&EntrySummary> = f.entries.iter().filter(|e| e.has(Metric::Wall)).collect();
    let mut out = Vec::new();
    if measured.is_empty() {
        out.push("No run of this family succeeded, so there is nothing to compare.".into());
        out.extend(failures(f));
        return out;
    }
    if !f.same_work {
        out.push("Warning: the runs of this family did not all do the same work (units or checksum differ), so their times are not comparable.".into());
    }
    out.extend(speed(f, &measured));
    out.extend(ties(f, &measured));
    out.extend(resources(f, &measured));
    out.extend(failures(f));
    out
}

/// The fastest and the slowest entry, with their speed relative to the baseline.
fn speed(f: &FamilySummary, measured: &[&EntrySummary]) -> Vec<String> {
    let walls = Extremes::of(measured, |e| e.mean(Metric::Wall)).expect("measured entries have a wall time");
    let relative = |e: &EntrySummary| match e.speedup {
        Some([r, err]) if e.label != f.baseline => {
            format!(", {} the speed of {}", ratio(r, err), f.baseline)
        }
        _ => String::new(),
    };
    let mut out = vec![format!(
        "Fastest: {} at {} mean wall time{}.",
        walls.low.label,
        seconds(walls.low_value),
        relative(walls.low)
    )];
    if walls.high.label != walls.low.label {
        out.push(format!(
            "Slowest: {} at {}{}.",
            walls.high.label,
            seconds(walls.high_value),
            relative(walls.high)
        ));
    }
    out
}

/// The entries whose wall-time interval overlaps the baseline's.
fn ties(f: &FamilySummary, measured: &[&EntrySummary]) -> Option<String> {
    let base = f
        .entries
        .iter()
        .find(|e| e.label == f.baseline)?
        .stats(Metric::Wall)?;
    let tied: Vec<&str> = measured
        .iter()
        .filter(|e| e.label != f.baseline && e.stats(Metric::Wall).is_some_and(|w| w.overlaps(base)))
        .map(|e| e.label.as_str())
        .collect();
    (!tied.is_empty()).then(|| {
        format!(
            "No difference from {} is shown for {} (their 95 % confidence intervals of the mean overlap): on this work they buy nothing.",
            f.baseline,
            tied.join(", ")
        )
    })
}

/// CPU time, memory and (for IO) throughput: the least and the most.
fn resources(f: &FamilySummary, measured: &[&EntrySummary]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(x) = Extremes::distinct(measured, cpu_seconds) {
        out.push(format!(
            "CPU time for the same work: least {} ({} of CPU), most {} ({}, {}).",
            x.low.label,
            seconds(x.low_value),
            x.high.label,
            seconds(x.high_value),
            times(x.factor(), 1)
        ));
    }
    if let Some(x) = Extremes::distinct(measured, |e| e.mean(Metric::RssPeak)) {
        out.push(format!(
            "Memory: least {} ({} peak), most {} ({}, {}).",
            x.low.label,
            mib(x.low_value),
            x.high.label,
            mib(x.high_value),
            times(x.factor(), 1)
        ));
    }
    if f.family == Family::Io {
        if let Some(x) = Extremes::distinct(measured, |e| e.mean(Metric::ReqPerS)) {
            out.push(format!(
                "Throughput: highest {} ({}), lowest {} ({}).",
                x.high.label,
                req_per_s(x.high_value),
                x.low.label,
                req_per_s(x.low_value)
            ));
        }
    }
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

/// The entries with the lowest and the highest value of some figure.
struct Extremes<'a> {
    low: &'a EntrySummary,
    low_value: f64,
    high: &'a EntrySummary,
    high_value: f64,
}

impl<'a> Extremes<'a> {
    /// The lowest and highest of the entries that have a value (`None`: none has).
    fn of(entries: &[&'a EntrySummary], value: impl Fn(&EntrySummary) -> Option<f64>) -> Option<Self> {
        let valued: Vec<(&EntrySummary, f64)> =
            entries.iter().filter_map(|e| value(e).map(|v| (*e, v))).collect();
        let low = valued.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
        let high = valued.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
        Some(Self {
            low: low.0,
            low_value: low.1,
            high: high.0,
            high_value: high.1,
        })
    }

    /// [`Extremes::of`], when the lowest and the highest are different entries.
    fn distinct(entries: &[&'a EntrySummary], value: impl Fn(&EntrySummary) -> Option<f64>) -> Option<Self> {
        Self::of(entries, value).filter(|x| x.low.label != x.high.label)
    }

    /// The highest over the lowest.
    fn factor(&self) -> f64 {
        self.high_value / self.low_value.max(1e-9)
    }
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
