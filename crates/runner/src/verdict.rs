//! "When to use what": sentences derived from a group's numbers. No conclusion is written in
//! advance; each sentence names the entries and figures it rests on. Speeds are paired by round
//! (the median of per-round ratios with its 95 % interval), ranked by [`Ranking`]: faster or
//! slower only outside 1 ± the margin, ties said as ties, never as an order. IO entries are named
//! with their budget (requests in flight), and entries with failed requests say so.

use concbench_core::config::Kind;
use concbench_core::report::Family;

use crate::format::{mib, percent_fixed, req_per_s, seconds, speedup, times};
use crate::metric::Metric;
use crate::ranking::Ranking;
use crate::summary::{EntrySummary, FamilySummary};

/// The verdict sentences for one group; `margin_pct` is the equivalence margin.
pub fn sentences(f: &FamilySummary, margin_pct: f64) -> Vec<String> {
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
    out.extend(budgets(f, &measured));
    if f.scenario == "spawn-only" {
        // The sequential loop starts nothing: a speed or a resource against it says nothing.
        out.push(format!(
            "{} starts no units in spawn-only (it runs each unit as a loop iteration), so nothing is ranked against it; the start-up cost per unit of each kind is compared in the findings below.",
            f.baseline
        ));
        let starters: Vec<&EntrySummary> = measured
            .iter()
            .copied()
            .filter(|e| e.label != f.baseline)
            .collect();
        out.extend(resources(f, &starters));
    } else if crate::openloop::is_open(f) {
        out.extend(crate::openloop::sentences(f));
        out.extend(resources(f, &measured));
    } else {
        out.extend(speed(f, margin_pct));
        out.extend(resources(f, &measured));
    }
    out.extend(failures(f));
    out
}

/// For IO: whether the entries had different budgets, and which.
fn budgets(f: &FamilySummary, measured: &[&EntrySummary]) -> Option<String> {
    let mut seen: Vec<u64> = measured.iter().filter_map(|e| e.in_flight).collect();
    seen.sort_unstable();
    seen.dedup();
    (f.family == Family::Io && seen.len() > 1).then(|| {
        let each: Vec<String> = measured
            .iter()
            .filter_map(|e| Some(format!("{} {}", e.label, e.in_flight?)))
            .collect();
        format!(
            "Budgets differ (requests in flight at most: {}), so these speeds are not like for like and rank budgets as much as models: each entry below is named with its budget, and a group of equal budgets compares the models as alike.",
            each.join(", ")
        )
    })
}

/// The ranking, in words: the faster and the slower in tiers (a tier's entries have overlapping
/// intervals and are tied with each other), the entries tied with the baseline, and those with
/// too few rounds.
fn speed(f: &FamilySummary, margin_pct: f64) -> Vec<String> {
    if let Some((pct, e)) = crate::ranking::loadgen_bound(f) {
        return vec![format!(
            "Not ranked: the load generator was the bound (busy {} of its threads' time against {}, {} or more), so the wall times and round trips measure it as much as the servers.",
            percent_fixed(pct, 0),
            e.label,
            percent_fixed(crate::ranking::LOADGEN_BOUND_PCT, 0)
        )];
    }
    let Some(r) = Ranking::of(f, margin_pct) else {
        return Vec::new();
    };
    let base_name = r.baseline.map_or(f.baseline.clone(), EntrySummary::name);
    let margin = percent_fixed(margin_pct, 0);
    let mut out = Vec::new();
    for (tiers, word) in [(&r.faster, "Faster"), (&r.slower, "Slower")] {
        if !tiers.is_empty() {
            out.push(format!(
                "{word} than {base_name} (the whole paired 95 % interval beyond 1 ± {margin}; median of the per-round ratios), {}: {}.",
                if word == "Faster" { "fastest first" } else { "least slow first" },
                tiers_text(tiers)
            ));
        }
    }
    if !r.tied.is_empty() {
        let list: Vec<String> = r.tied.iter().map(|e| ranked(e)).collect();
        out.push(format!(
            "Tied with {base_name} (the paired interval reaches into 1 ± {margin}): {}. No difference larger than {margin} is shown.",
            list.join("; ")
        ));
    }
    if let Some(n) = r.too_few.first().and_then(|e| e.speedup.as_ref()).map(|s| s.n) {
        let list: Vec<String> = r.too_few.iter().map(|e| ranked(e)).collect();
        out.push(format!(
            "Too few rounds ({n}) for a 95 % interval of a paired speed-up (6 at the least), so not ranked; the ranges over the rounds, with their coverage: {}.",
            list.join("; ")
        ));
    }
    out
}

/// Tiers in order, `A; then B and C, tied` style: a tier of one is its entry, a tier of more
/// says its entries are tied with each other.
fn tiers_text(tiers: &[Vec<&EntrySummary>]) -> String {
    let each: Vec<String> = tiers
        .iter()
        .map(|tier| {
            let list: Vec<String> = tier.iter().map(|e| ranked(e)).collect();
            match list.len() {
                1 => list[0].clone(),
                _ => format!("tied with each other (intervals overlap): {}", list.join(", ")),
            }
        })
        .collect();
    each.join("; then ")
}

/// `label at 0.560 s (median), 1.80× (1.75–1.85)`.
pub(crate) fn ranked(e: &EntrySummary) -> String {
    let wall = e
        .stats(Metric::Wall)
        .map_or(String::new(), |w| format!(" at {} (median)", seconds(w.median)));
    let speed = e
        .speedup
        .as_ref()
        .map_or(String::new(), |s| format!(", {}", speedup(s)));
    format!("{}{wall}{speed}", e.name())
}

/// CPU time, memory and (for IO) throughput: the least and the most, by median (as the tables).
fn resources(f: &FamilySummary, measured: &[&EntrySummary]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(x) = Extremes::distinct(measured, |e| e.median(Metric::CpuSeconds)) {
        out.push(format!(
            "CPU time for the same work: least {} ({} of CPU), most {} ({}, {}).",
            x.low.name(),
            seconds(x.low_value),
            x.high.name(),
            seconds(x.high_value),
            times(x.factor(), 1)
        ));
    }
    out.extend(overhead(f, measured));
    // Summed RSS counts a process tree's shared pages once per process: rank by PSS when every
    // entry has it.
    // Without PSS for every entry, a process model's summed RSS is left out of the ranking.
    let pss = measured.iter().all(|e| e.has(Metric::PssPeak));
    let (memory, what) = match pss {
        true => (Metric::PssPeak, "peak PSS"),
        false => (Metric::RssPeak, "peak"),
    };
    let ranked: Vec<&EntrySummary> = measured
        .iter()
        .copied()
        .filter(|e| pss || e.kind != Some(Kind::Processes))
        .collect();
    if let Some(x) = Extremes::distinct(&ranked, |e| e.median(memory)) {
        out.push(format!(
            "Memory: least {} ({} {what}), most {} ({}, {}).",
            x.low.name(),
            mib(x.low_value),
            x.high.name(),
            mib(x.high_value),
            times(x.factor(), 1)
        ));
    }
    if f.family == Family::Io {
        if let Some(x) = Extremes::distinct(measured, |e| e.median(Metric::ReqPerS)) {
            out.push(format!(
                "Throughput: highest {} ({}{}), lowest {} ({}{}).",
                x.high.name(),
                req_per_s(x.high_value),
                failed_note(x.high),
                x.low.name(),
                req_per_s(x.low_value),
                failed_note(x.low)
            ));
        }
    }
    out
}

/// How much more CPU than the baseline an entry must use for the same work to be flagged.
const OVERHEAD_FACTOR: f64 = 1.25;

/// The entries that used much more CPU time than the baseline for the same work: what they spent
/// beyond the work went to scheduling and coordination.
fn overhead(f: &FamilySummary, measured: &[&EntrySummary]) -> Option<String> {
    let median = |e: &EntrySummary| e.median(Metric::CpuSeconds);
    let base = median(measured.iter().find(|e| e.label == f.baseline)?)?;
    if !f.same_work || base <= 0.0 {
        return None;
    }
    let over: Vec<String> = measured
        .iter()
        .filter(|e| e.label != f.baseline)
        .filter_map(|e| {
            let c = median(e)?;
            (c > OVERHEAD_FACTOR * base)
                .then(|| format!("{} {} ({})", e.name(), times(c / base, 2), seconds(c)))
        })
        .collect();
    (!over.is_empty()).then(|| {
        format!(
            "More CPU than {} for the same work (medians; above {}, the rest is scheduling and coordination, not the work): {} against {}.",
            f.baseline,
            times(OVERHEAD_FACTOR, 2),
            over.join(", "),
            seconds(base)
        )
    })
}

/// `, 12.5 % of its requests failed` when some did.
fn failed_note(e: &EntrySummary) -> String {
    e.failed_pct().map_or(String::new(), |p| {
        format!(", {} of its requests failed", percent_fixed(p, 1))
    })
}

/// Runs that failed, and requests that failed.
fn failures(f: &FamilySummary) -> Vec<String> {
    let runs = f.entries.iter().filter(|e| e.failed > 0).map(|e| {
        format!(
            "{}: {} of {} measured runs failed, hung, were stopped or could not run{}.",
            e.label,
            e.failed,
            e.failed + e.ok,
            e.error.as_ref().map_or(String::new(), |why| format!(" ({why})"))
        )
    });
    let requests = f.entries.iter().filter_map(|e| {
        let pct = e.failed_pct()?;
        let kinds: Vec<String> = Metric::ALL
            .into_iter()
            .filter(|m| m.view() == crate::metric::View::Failures)
            .filter_map(|m| {
                let v = e.mean(m).filter(|v| *v > 0.0)?;
                Some(format!("{} {}", m.title().to_lowercase(), percent_fixed(v, 1)))
            })
            .collect();
        Some(format!(
            "{}: {} of its requests failed ({}); its times and rates are of a run that did not do all the work.",
            e.name(),
            percent_fixed(pct, 1),
            kinds.join(", ")
        ))
    });
    runs.chain(requests).collect()
}

/// The entries with the lowest and the highest value of some figure.
struct Extremes<'a> {
    low: &'a EntrySummary,
    low_value: f64,
    high: &'a EntrySummary,
    high_value: f64,
}

impl<'a> Extremes<'a> {
    /// The lowest and highest of the entries that have a value, when they are different entries.
    fn distinct(entries: &[&'a EntrySummary], value: impl Fn(&EntrySummary) -> Option<f64>) -> Option<Self> {
        let valued: Vec<(&EntrySummary, f64)> =
            entries.iter().filter_map(|e| value(e).map(|v| (*e, v))).collect();
        let low = valued.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
        let high = valued.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
        (low.0.label != high.0.label && high.1 > low.1).then_some(Self {
            low: low.0,
            low_value: low.1,
            high: high.0,
            high_value: high.1,
        })
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
        let s = summarise(records, &testdata::order());
        sentences(&s.families[0], s.margin_pct)
    }

    #[test]
    fn sentences_follow_the_paired_numbers() {
        let text = cpu_sentences(&testdata::matrix_rounds(6)).join("\n");
        // cpu-threads 2: 1.00/0.55, 1.01/0.56, ... 1.05/0.60 per round; n = 6: the range, its
        // ends rounded outward (1.75 and 1.818…).
        assert!(
            text.contains("Faster than cpu-sync (the whole paired 95 % interval beyond 1 ± 2 %; median of the per-round ratios), fastest first: cpu-threads 2 at 0.575 s (median), 1.78× (1.75–1.82)."),
            "{text}"
        );
        // cpu-procs 2: (1 + d) / (1.01 + d), within 1 ± 2 %.
        assert!(
            text.contains("Tied with cpu-sync (the paired interval reaches into 1 ± 2 %): cpu-procs 2 at 1.035 s (median), 0.99× (0.99–1.00)."),
            "{text}"
        );
        let few = cpu_sentences(&testdata::matrix()).join("\n");
        assert!(few.contains("Too few rounds (3) for a 95 % interval"), "{few}");
        assert!(
            few.contains("1.80× (range 1.78–1.82 of 3 rounds, 75 % coverage)"),
            "{few}"
        );
        // cpu-procs 2's 120 MiB is RSS summed over its processes: without PSS it is not ranked.
        assert!(
            text.contains("Memory: least cpu-sync (50.0 MiB peak), most cpu-threads 2 (52.0 MiB, 1.0×)."),
            "{text}"
        );
        let mut records = testdata::matrix_rounds(6);
        for r in records.iter_mut().filter_map(|r| r.report.as_mut()) {
            r.memory.pss_peak_mib = Some(r.memory.rss_peak_mib / 2.0);
        }
        let text = cpu_sentences(&records).join("\n");
        assert!(
            text.contains("Memory: least cpu-sync (25.0 MiB peak PSS), most cpu-procs 2 (60.0 MiB, 2.4×)."),
            "with PSS for every entry, PSS ranks them: {text}"
        );
    }

    #[test]
    fn a_difference_inside_the_margin_is_a_tie_and_the_probe_gates_nothing() {
        let mut records = testdata::matrix_rounds(6);
        for r in records
            .iter_mut()
            .filter(|r| r.entry == "cpu-procs 2" && !r.warmup)
        {
            // Round by round faster, then slower than cpu-sync: the interval holds 1.
            r.report.as_mut().unwrap().wall_s = [0.9, 1.2, 0.95, 1.2, 0.9, 1.1][r.index];
        }
        let text = cpu_sentences(&records).join("\n");
        assert!(
            text.contains("Tied with cpu-sync (the paired interval reaches into 1 ± 2 %): cpu-procs 2"),
            "{text}"
        );
        for r in records.iter_mut().filter(|r| !r.warmup) {
            if r.entry == "cpu-procs 2" {
                r.report.as_mut().unwrap().wall_s = 0.97 + r.index as f64 * 0.01; // 3 % faster
            }
            r.probe_ms = Some([2.0, 2.5, 1.6][r.index % 3]); // the machine drifted ~20 %
        }
        let text = cpu_sentences(&records).join("\n");
        assert!(
            text.contains("cpu-procs 2 at 0.995 s (median), 1.03× (1.02–1.04)"),
            "{text}"
        );
        assert!(
            text.contains("Faster than cpu-sync"),
            "the paired interval decides, not the probe: {text}"
        );
        let s = summarise(&records, &testdata::order());
        let wide = sentences(&s.families[0], 5.0).join("\n");
        assert!(
            wide.contains("Tied with cpu-sync (the paired interval reaches into 1 ± 5 %): cpu-procs 2"),
            "{wide}"
        );
    }

    #[test]
    fn failures_budgets_and_empty_families_are_said() {
        let s = summarise(&testdata::matrix(), &testdata::order());
        let io = sentences(&s.families[1], 2.0).join("\n");
        assert!(io.contains("io-broken: 3 of 3 measured runs failed"), "{io}");
        assert!(io.contains("Throughput: highest io-tokio (50 in flight)"), "{io}");
        assert!(
            io.contains("Budgets differ (requests in flight at most: io-sync 1, io-tokio 50)"),
            "{io}"
        );
        let only_failed: Vec<_> = testdata::matrix()
            .into_iter()
            .filter(|r| r.entry == "io-broken")
            .collect();
        let s = summarise(&only_failed, &testdata::order());
        assert_eq!(
            sentences(&s.families[0], 2.0),
            [
                "No run of this family succeeded, so there is nothing to compare.",
                "io-broken: 3 of 3 measured runs failed, hung, were stopped or could not run (target unreachable)."
            ]
        );
    }

    #[test]
    fn failed_requests_are_named_with_their_kinds() {
        let mut records = testdata::matrix();
        for r in records.iter_mut().filter(|r| r.entry == "io-tokio") {
            let io = r.report.as_mut().unwrap().io.as_mut().unwrap();
            io.responses = 80;
            io.ok = 80;
            io.failed = 20;
            io.errors.insert("connect".into(), 20);
        }
        let s = summarise(&records, &testdata::order());
        let io = sentences(&s.families[1], 2.0).join("\n");
        assert!(
            io.contains("io-tokio (50 in flight): 20.0 % of its requests failed (connect errors 20.0 %)"),
            "{io}"
        );
        assert!(io.contains("20.0 % of its requests failed), lowest"), "{io}");
    }

    #[test]
    fn spawn_only_ranks_nothing_against_the_loop_that_starts_nothing() {
        let s = summarise(&testdata::task_costs(), &[]);
        let spawn = s.families.iter().find(|f| f.scenario == "spawn-only").unwrap();
        let text = sentences(spawn, 2.0).join("\n");
        assert!(text.contains("cpu-sync starts no units in spawn-only"), "{text}");
        assert!(
            !text.contains("than cpu-sync") && !text.contains("Too few rounds"),
            "{text}"
        );
        assert!(!text.contains("least cpu-sync"), "{text}");
    }
}
