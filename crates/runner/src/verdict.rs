//! "When to use what": sentences derived from a group's numbers. No conclusion is written in
//! advance; each sentence names the entries and figures it rests on. Speeds are paired by round
//! (the median of per-round ratios with its 95 % interval), ranked by [`Ranking`]: faster or
//! slower only outside 1 ± the margin, ties said as ties, never as an order. IO entries are named
//! with their budget (requests in flight), and entries with failed requests say so.

use concbench_core::report::Family;

use crate::format::{mib, percent_fixed, req_per_s, seconds, speedup, thousands, times};
use crate::metric::Metric;
use crate::ranking::Ranking;
use crate::summary::standing::Refusal;
use crate::summary::{EntrySummary, FamilySummary, PeakMemory};

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
            "{} starts no units in spawn-only (it runs each unit as a loop iteration), so nothing is ranked against it and the figures below leave it out; the start-up cost per unit of each kind is compared in the findings.",
            crate::words::label(&f.baseline)
        ));
        let starters: Vec<&EntrySummary> = measured
            .iter()
            .copied()
            .filter(|e| e.label != f.baseline)
            .collect();
        out.extend(resources(f, &starters));
    } else if f.is_open_loop() {
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
    if let Some(Refusal::LoadgenBound {
        entry,
        busy_high_pct,
        bound_pct,
    }) = &f.ranking.refused
    {
        return vec![format!(
            "Not ranked: the load generator was the bound (busy up to {} against {entry}, the upper end of its 95 % interval; bound {}): its times measure it as much as the servers.",
            percent_fixed(*busy_high_pct, 0),
            percent_fixed(*bound_pct, 0)
        )];
    }
    if let Some(Refusal::DifferentWork) = &f.ranking.refused {
        return vec!["Not ranked: the runs did different work.".into()];
    }
    let Some(r) = Ranking::of(f) else {
        return Vec::new();
    };
    let base_name = r.baseline.map_or(f.baseline.clone(), |b| called(f, b));
    let margin = percent_fixed(margin_pct, 0);
    let mut out = Vec::new();
    for (tiers, word, order) in [
        (&r.faster, "Faster", "fastest first"),
        (&r.slower, "Slower", "least slow first"),
    ] {
        if !tiers.is_empty() {
            out.push(format!(
                "{word} than {base_name}, {order}: {}.",
                tiers_text(f, tiers)
            ));
        }
    }
    if !r.tied.is_empty() {
        let list: Vec<String> = r.tied.iter().map(|e| ranked(f, e)).collect();
        out.push(format!(
            "Tied with {base_name} (interval reaching into 1 ± {margin}): {}.",
            list.join(", ")
        ));
    }
    if !r.unranked.is_empty() {
        // One clause per reason, in the order the reasons first come.
        let mut reasons: Vec<(&crate::summary::standing::Unranked, Vec<String>)> = Vec::new();
        for (e, why) in &r.unranked {
            match reasons.iter_mut().find(|(w, _)| *w == why) {
                Some((_, list)) => list.push(ranked(f, e)),
                None => reasons.push((why, vec![ranked(f, e)])),
            }
        }
        let clauses: Vec<String> = reasons
            .iter()
            .map(|(why, list)| format!("{}: {}", crate::words::unranked(why), list.join(", ")))
            .collect();
        out.push(format!("Not ranked, {}.", clauses.join("; ")));
    }
    out
}

/// Tiers in order, `A; then B and C, tied` style: a tier of one is its entry, a tier of more
/// says its entries are tied with each other.
fn tiers_text(f: &FamilySummary, tiers: &[Vec<&EntrySummary>]) -> String {
    let each: Vec<String> = tiers
        .iter()
        .map(|tier| {
            let list: Vec<String> = tier.iter().map(|e| ranked(f, e)).collect();
            match list.len() {
                1 => list[0].clone(),
                _ => format!("{} (one tier)", list.join(", ")),
            }
        })
        .collect();
    each.join("; then ")
}

/// `label 1.80× (1.75–1.85)` (the table beside gives its median wall time).
fn ranked(f: &FamilySummary, e: &EntrySummary) -> String {
    let speed = e
        .speedup
        .as_ref()
        .map_or(String::new(), |s| format!(" {}", speedup(s)));
    let drift = f.ranking.above_cores(&e.label).map_or(String::new(), |cores| {
        format!(" (above {cores} cores: partly drift)")
    });
    format!("{}{speed}{drift}", called(f, e))
}

/// `e` as the group's sentences name it: with its budget only where the budgets differ.
fn called(f: &FamilySummary, e: &EntrySummary) -> String {
    match crate::summary::standing::equal_budget(f) {
        Some(_) => crate::words::label(&e.label),
        None => crate::words::label(&crate::words::named(e)),
    }
}

/// CPU time, memory and (for IO) throughput: the least and the most, by median (as the tables).
fn resources(f: &FamilySummary, measured: &[&EntrySummary]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(x) = Extremes::distinct(measured, |e| e.median(Metric::CpuSeconds)) {
        out.push(format!(
            "CPU time: least {} ({} of CPU), most {} ({}, {}).",
            called(f, x.low),
            seconds(x.low_value),
            called(f, x.high),
            seconds(x.high_value),
            times(x.factor(), 1)
        ));
    }
    out.extend(memory(f, measured));
    // In an open loop the schedule sets the throughput: nothing to say.
    if f.family == Family::Io && !f.is_open_loop() {
        if let Some(x) = Extremes::distinct(measured, |e| e.median(Metric::ReqPerS)) {
            out.push(format!(
                "Throughput: highest {} ({}{}), lowest {} ({}{}).",
                called(f, x.high),
                req_per_s(x.high_value),
                failed_note(x.high),
                called(f, x.low),
                req_per_s(x.low_value),
                failed_note(x.low)
            ));
        }
    }
    out
}

/// Memory: the least and the most ([`FamilySummary::peak_memory`]), and the trees with no
/// figure, each said once.
fn memory(f: &FamilySummary, measured: &[&EntrySummary]) -> Vec<String> {
    let mut out = Vec::new();
    // A PSS as the work ended is not a peak: it is said apart, never set against peaks.
    let memory = |e: &EntrySummary| match f.peak_memory(e) {
        PeakMemory::Rss(v) | PeakMemory::Pss(v) => Some(v),
        _ => None,
    };
    let kind = |e: &EntrySummary| match f.peak_memory(e) {
        PeakMemory::Pss(_) => "peak PSS",
        _ => "peak RSS",
    };
    let at_end: Vec<String> = measured
        .iter()
        .filter_map(|e| match f.peak_memory(e) {
            PeakMemory::PssAtEnd(v) => Some(format!("{} {}", called(f, e), mib(v))),
            _ => None,
        })
        .collect();
    if !at_end.is_empty() {
        out.push(format!(
            "PSS at the end, no peak sampled (kept apart from the peaks): {}.",
            at_end.join(", ")
        ));
    }
    if let Some(x) = Extremes::distinct(measured, memory) {
        out.push(format!(
            "Memory: least {} ({} {}), most {} ({} {}{}).",
            called(f, x.low),
            mib(x.low_value),
            kind(x.low),
            called(f, x.high),
            mib(x.high_value),
            kind(x.high),
            // A ratio only of like figures: PSS over RSS would mix two measures.
            match kind(x.low) == kind(x.high) {
                true => format!(", {}", times(x.factor(), 1)),
                false => String::new(),
            }
        ));
    }
    out.extend(memory_unpeaked(f, measured));
    out
}

/// The trees with no peak to compare: none sampled, or runs too short to catch one.
fn memory_unpeaked(f: &FamilySummary, measured: &[&EntrySummary]) -> Vec<String> {
    let mut out = Vec::new();
    let none: Vec<String> = measured
        .iter()
        .filter(|e| f.peak_memory(e) == PeakMemory::NoPss)
        .map(|e| called(f, e))
        .collect();
    if !none.is_empty() {
        out.push(format!(
            "No memory figure for {}: a process tree is compared by its peak PSS, and its runs have none (the sampler's notes say why).",
            none.join(", ")
        ));
    }
    let short: Vec<(&EntrySummary, f64)> = measured
        .iter()
        .filter_map(|e| match f.peak_memory(e) {
            PeakMemory::TooShort { needed_ms, .. } => Some((*e, needed_ms)),
            _ => None,
        })
        .collect();
    if let Some(&(_, needed_ms)) = short.first() {
        let names: Vec<String> = short.iter().map(|(e, _)| called(f, e)).collect();
        out.push(format!(
            "Memory of {} not compared: runs under {} ms are too short to catch a process tree's peak PSS.",
            names.join(", "),
            thousands(needed_ms)
        ));
    }
    out
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
            called(f, e),
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
        let records = testdata::matrix_rounds(6);
        let s = summarise(&records, &testdata::order());
        let cpu = &s.families[0];
        assert!(matches!(
            cpu.standing_of("cpu-threads 2"),
            crate::summary::standing::EntryStanding::Faster { .. }
        ));
        assert_eq!(
            cpu.standing_of("cpu-procs 2"),
            crate::summary::standing::EntryStanding::Tied
        );
        let text = cpu_sentences(&records).join("\n");
        // cpu-threads 2: 1.00/0.55, 1.01/0.56, ... 1.05/0.60 per round; n = 6: the range, its
        // ends rounded outward (1.75 and 1.818…). The sentence carries the paired figure.
        assert!(text.contains("cpu-threads 2 1.78× (1.75–1.82)"), "{text}");
        // cpu-procs 2: (1 + d) / (1.01 + d), within 1 ± 2 %.
        assert!(text.contains("cpu-procs 2 0.99× (0.99–1.00)"), "{text}");
        let few = cpu_sentences(&testdata::matrix()).join("\n");
        assert!(
            few.contains("cpu-threads 2 1.80× (range 1.78–1.82 of 3 rounds, 75 % coverage)"),
            "{few}"
        );
        // cpu-procs 2's 120 MiB is RSS summed over its processes: without PSS it is not ranked.
        assert!(
            text.contains(
                "Memory: least cpu-sync (50.0 MiB peak RSS), most cpu-threads 2 (52.0 MiB peak RSS, 1.0×)."
            ),
            "{text}"
        );
        assert!(text.contains("No memory figure for cpu-procs 2"), "{text}");
        let mut records = testdata::matrix_rounds(6);
        for r in records.iter_mut().filter_map(|r| r.report.as_mut()) {
            r.memory.pss_peak_mib = Some(r.memory.rss_peak_mib / 2.0);
        }
        let text = cpu_sentences(&records).join("\n");
        assert!(
            text.contains(
                "Memory: least cpu-sync (50.0 MiB peak RSS), most cpu-procs 2 (60.0 MiB peak PSS)."
            ),
            "a single process by its exact peak RSS, a tree by its PSS, no ratio across the two: {text}"
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
        let standing = |records: &[crate::record::RunRecord]| {
            summarise(records, &testdata::order()).families[0].standing_of("cpu-procs 2")
        };
        assert_eq!(standing(&records), crate::summary::standing::EntryStanding::Tied);
        for r in records.iter_mut().filter(|r| !r.warmup) {
            if r.entry == "cpu-procs 2" {
                r.report.as_mut().unwrap().wall_s = 0.97 + r.index as f64 * 0.01; // 3 % faster
            }
            r.probe_ms = Some([2.0, 2.5, 1.6][r.index % 3]); // the machine drifted ~20 %
        }
        assert!(
            matches!(
                standing(&records),
                crate::summary::standing::EntryStanding::Faster { .. }
            ),
            "the paired interval decides, not the probe"
        );
        let text = cpu_sentences(&records).join("\n");
        assert!(text.contains("cpu-procs 2 1.03× (1.02–1.04)"), "{text}");
        let settings = crate::summary::Settings {
            reference: None,
            margin_pct: Some(5.0),
        };
        let s = crate::summary::summarise_with(&records, &testdata::order(), &settings);
        assert_eq!(
            s.families[0].standing_of("cpu-procs 2"),
            crate::summary::standing::EntryStanding::Tied,
            "the margin is an input of the standing"
        );
        let wide = sentences(&s.families[0], 5.0).join("\n");
        assert!(
            wide.contains("1 ± 5 %"),
            "the sentence states the margin used: {wide}"
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
