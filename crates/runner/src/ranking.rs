//! How a group's entries stand against its baseline, computed once: the answers on top of the
//! report, the verdict of each group, the forest plots and the terminal table all render this.
//!
//! An entry is faster or slower only when its paired 95 % interval lies wholly outside 1 ± the
//! margin (`runner.margin_pct`); otherwise it is tied with the baseline. Among the faster (or the
//! slower), entries whose intervals overlap are tied with each other: they form one tier, and a
//! tier is never put in an order.

use crate::metric::Metric;
use crate::stats::Standing;
use crate::summary::{EntrySummary, FamilySummary};

/// A group's entries by their paired speed-up against its baseline.
#[derive(Debug, Clone)]
pub struct Ranking<'a> {
    /// The group.
    pub group: &'a FamilySummary,
    /// The baseline's entry, when it has a wall time.
    pub baseline: Option<&'a EntrySummary>,
    /// The faster entries in tiers, the fastest tier first; within a tier, by median.
    pub faster: Vec<Vec<&'a EntrySummary>>,
    /// The slower entries in tiers, the least slow tier first.
    pub slower: Vec<Vec<&'a EntrySummary>>,
    /// The entries tied with the baseline (interval reaching into 1 ± the margin).
    pub tied: Vec<&'a EntrySummary>,
    /// The entries with too few rounds for a 95 % interval, and with a bound load generator,
    /// none: such a group has no ranking.
    pub too_few: Vec<&'a EntrySummary>,
    /// The margin, %.
    pub margin_pct: f64,
}

/// A load generator busier than this share of its threads' time bounds the round trips, %.
pub const LOADGEN_BOUND_PCT: f64 = 80.0;

/// In a serving group, the busiest load generator (its median share of its threads' time, and
/// the entry it drove) when it was the bound: then the round trips and the wall times measure it
/// as much as the servers, and the group is not ranked.
pub fn loadgen_bound(group: &FamilySummary) -> Option<(f64, &EntrySummary)> {
    busiest_loadgen(group.entries.iter().map(|e| (e, e)))
}

/// Of `entries` (each with what names it), the one whose load generator was busiest, with its
/// median share, when that share reached [`LOADGEN_BOUND_PCT`]: the one rule for a group and for
/// a sweep's point alike.
pub fn busiest_loadgen<'a, T>(entries: impl Iterator<Item = (&'a EntrySummary, T)>) -> Option<(f64, T)> {
    entries
        .filter_map(|(e, name)| Some((e.stats(Metric::LoadgenBusyPct)?.median, name)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(pct, _)| *pct >= LOADGEN_BOUND_PCT)
}

impl<'a> Ranking<'a> {
    /// The ranking without the entry labelled `label` (said on its own elsewhere); a tier it
    /// leaves empty goes.
    pub fn without(&self, label: &str) -> Ranking<'a> {
        let keep = |tier: &Vec<&'a EntrySummary>| -> Vec<&'a EntrySummary> {
            tier.iter().copied().filter(|e| e.label != label).collect()
        };
        let tiers = |t: &[Vec<&'a EntrySummary>]| t.iter().map(keep).filter(|t| !t.is_empty()).collect();
        Ranking {
            faster: tiers(&self.faster),
            slower: tiers(&self.slower),
            tied: keep(&self.tied),
            too_few: keep(&self.too_few),
            ..self.clone()
        }
    }

    /// The ranking of `group` under `margin_pct`; `None` for a group without paired speed-ups
    /// (spawn-only, open loop, or no run that succeeded).
    pub fn of(group: &'a FamilySummary, margin_pct: f64) -> Option<Self> {
        let others: Vec<&EntrySummary> = group
            .entries
            .iter()
            .filter(|e| e.label != group.baseline && e.speedup.is_some() && e.has(Metric::Wall))
            .collect();
        let unrankable = group.scenario == "spawn-only" || crate::openloop::is_open(group);
        if others.is_empty() || unrankable || loadgen_bound(group).is_some() {
            return None;
        }
        let of = |want: Standing| -> Vec<&EntrySummary> {
            let mut v: Vec<&EntrySummary> = others
                .iter()
                .copied()
                .filter(|e| standing(e, margin_pct) == want)
                .collect();
            v.sort_by(|a, b| median(b).total_cmp(&median(a)));
            v
        };
        Some(Self {
            group,
            baseline: group
                .entries
                .iter()
                .find(|e| e.label == group.baseline && e.has(Metric::Wall)),
            faster: tiers(of(Standing::Faster)),
            slower: tiers(of(Standing::Slower)),
            tied: of(Standing::Tie),
            too_few: of(Standing::TooFew),
            margin_pct,
        })
    }

    /// The fastest tier's entries, when some entry is faster than the baseline.
    pub fn best(&self) -> &[&'a EntrySummary] {
        self.faster.first().map_or(&[], Vec::as_slice)
    }

    /// How `e` stands (the baseline itself is tied with itself).
    pub fn standing_of(&self, e: &EntrySummary) -> Standing {
        standing(e, self.margin_pct)
    }
}

/// How `e`'s speed-up stands under `margin_pct` (tied when it has none); the group's ranking
/// may still refuse to rank it ([`loadgen_bound`]).
pub fn standing(e: &EntrySummary, margin_pct: f64) -> Standing {
    e.speedup
        .as_ref()
        .map_or(Standing::Tie, |s| s.standing(margin_pct))
}

fn median(e: &EntrySummary) -> f64 {
    e.speedup.as_ref().map_or(f64::NAN, |s| s.median)
}

/// `sorted` (by median, best first) cut into tiers: an entry joins the tier of the one before
/// it when its interval overlaps the interval of every entry of that tier.
pub fn tiers(sorted: Vec<&EntrySummary>) -> Vec<Vec<&EntrySummary>> {
    let mut out: Vec<Vec<&EntrySummary>> = Vec::new();
    for e in sorted {
        let joins = out.last().is_some_and(|tier| {
            tier.iter().all(|t| {
                let (a, b) = (t.speedup.as_ref(), e.speedup.as_ref());
                a.zip(b).is_some_and(|(a, b)| a.overlaps(b))
            })
        });
        match out.last_mut() {
            Some(tier) if joins => tier.push(e),
            _ => out.push(vec![e]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Paired;
    use crate::summary::summarise;
    use crate::testdata;

    fn with_speedup(group: &mut FamilySummary, label: &str, lo: f64, m: f64, hi: f64) {
        let e = group.entries.iter_mut().find(|e| e.label == label).unwrap();
        e.speedup = Some(Paired {
            median: m,
            ci95: [lo, hi],
            coverage_pct: 97.9,
            n: 10,
            ratios: Vec::new(),
        });
    }

    #[test]
    fn overlapping_intervals_share_a_tier_and_the_margin_makes_ties() {
        let mut s = summarise(&testdata::matrix_rounds(6), &testdata::order());
        let io = &mut s.families[1];
        let labels: Vec<String> = io.entries.iter().map(|e| e.label.clone()).collect();
        assert!(labels.len() >= 3, "{labels:?}");
        with_speedup(io, &labels[1], 1.07, 1.09, 1.12);
        let ranking = Ranking::of(io, 2.0).unwrap();
        assert_eq!(ranking.faster.len(), 1);
        assert_eq!(ranking.best()[0].label, labels[1], "1.09× (1.07–1.12) is ranked");
        let mut s2 = s.clone();
        let io = &mut s2.families[1];
        with_speedup(io, &labels[1], 1.01, 1.03, 1.06);
        let ranking = Ranking::of(io, 2.0).unwrap();
        assert!(
            ranking.tied.iter().any(|e| e.label == labels[1]),
            "reaches into 1 ± 2 %"
        );
    }

    #[test]
    fn tiers_break_only_where_intervals_part() {
        let mut s = summarise(&testdata::matrix_rounds(6), &testdata::order());
        let cpu = &mut s.families[0];
        let labels: Vec<String> = cpu.entries.iter().map(|e| e.label.clone()).collect();
        let mut extra = cpu.entries[1].clone();
        extra.label = "third".into();
        cpu.entries.push(extra);
        with_speedup(cpu, &labels[1], 1.90, 1.96, 2.06);
        with_speedup(cpu, "third", 1.85, 1.87, 1.94);
        let ranking = Ranking::of(cpu, 2.0).unwrap();
        assert_eq!(
            ranking.faster.len(),
            1,
            "1.90–2.06 and 1.85–1.94 overlap: one tier"
        );
        with_speedup(cpu, "third", 1.05, 1.11, 1.15);
        let ranking = Ranking::of(cpu, 2.0).unwrap();
        let tiers: Vec<Vec<&str>> = ranking
            .faster
            .iter()
            .map(|t| t.iter().map(|e| e.label.as_str()).collect())
            .collect();
        assert_eq!(tiers, [vec![labels[1].as_str()], vec!["third"]]);
    }

    #[test]
    fn a_bound_load_generator_ranks_nothing() {
        let mut s = summarise(&testdata::matrix_rounds(6), &testdata::order());
        let group = &mut s.families[0];
        assert!(Ranking::of(group, 2.0).is_some());
        let busy = |pct: f64| crate::stats::Stats::of(&[pct, pct, pct]).unwrap();
        group.entries[1]
            .metrics
            .insert(Metric::LoadgenBusyPct, busy(79.0));
        assert!(Ranking::of(group, 2.0).is_some(), "79 % is not the bound");
        group.entries[2]
            .metrics
            .insert(Metric::LoadgenBusyPct, busy(87.0));
        assert!(Ranking::of(group, 2.0).is_none());
        let (pct, e) = loadgen_bound(group).unwrap();
        assert_eq!((pct, e.label.as_str()), (87.0, "cpu-procs 2"));
        let text = crate::verdict::sentences(group, 2.0).join("\n");
        assert!(
            text.starts_with("Not ranked: the load generator was the bound (busy 87 %"),
            "{text}"
        );
        assert!(!text.contains("Faster than"), "{text}");
    }
}
