//! A group's standings as tiers: the view the answers, the verdicts, the forest plots and the
//! terminal table render. It decides nothing: every standing was decided once, when the summary
//! was made ([`crate::summary::standing`]).

use crate::metric::Metric;
use crate::summary::standing::{EntryStanding, Refusal, Unranked};
use crate::summary::{EntrySummary, FamilySummary};

pub use crate::summary::standing::LOADGEN_BOUND_PCT;

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
    /// The entries not ranked on their own (too few rounds, drift), with why.
    pub unranked: Vec<(&'a EntrySummary, Unranked)>,
}

/// In a serving group, the load generator that bounded it (the upper end of its busy share's
/// interval, and the entry it drove), when it did: then the group is not ranked.
pub fn loadgen_bound(group: &FamilySummary) -> Option<(f64, &EntrySummary)> {
    match &group.ranking.refused {
        Some(Refusal::LoadgenBound {
            entry, busy_high_pct, ..
        }) => Some((*busy_high_pct, group.entries.iter().find(|e| &e.label == entry)?)),
        _ => None,
    }
}

impl<'a> Ranking<'a> {
    /// The ranking without the entry labelled `label` (said on its own elsewhere); a tier it
    /// leaves empty goes.
    pub fn without(&self, label: &str) -> Ranking<'a> {
        self.only(|e| e.label != label)
    }

    /// The ranking of the entries `keep` holds; a tier it leaves empty goes.
    pub fn only(&self, keep: impl Fn(&EntrySummary) -> bool) -> Ranking<'a> {
        let tier = |t: &Vec<&'a EntrySummary>| -> Vec<&'a EntrySummary> {
            t.iter().copied().filter(|e| keep(e)).collect()
        };
        let tiers = |t: &[Vec<&'a EntrySummary>]| t.iter().map(tier).filter(|t| !t.is_empty()).collect();
        Ranking {
            faster: tiers(&self.faster),
            slower: tiers(&self.slower),
            tied: tier(&self.tied),
            unranked: self.unranked.iter().filter(|(e, _)| keep(e)).cloned().collect(),
            ..self.clone()
        }
    }

    /// The ranking of `group`; `None` for a group that is not ranked ([`Refusal`]).
    pub fn of(group: &'a FamilySummary) -> Option<Self> {
        if group.ranking.refused.is_some() {
            return None;
        }
        let median = |e: &EntrySummary| e.speedup.as_ref().map_or(f64::NAN, |s| s.median);
        let mut placed: Vec<(&EntrySummary, &EntryStanding)> = group
            .entries
            .iter()
            .filter_map(|e| Some((e, group.ranking.of(&e.label)?)))
            .collect();
        placed.sort_by(|a, b| median(b.0).total_cmp(&median(a.0)));
        let mut faster: Vec<Vec<&EntrySummary>> = Vec::new();
        let mut slower: Vec<Vec<&EntrySummary>> = Vec::new();
        let mut out = Self {
            group,
            baseline: group
                .entries
                .iter()
                .find(|e| e.label == group.baseline && e.has(Metric::Wall)),
            faster: Vec::new(),
            slower: Vec::new(),
            tied: Vec::new(),
            unranked: Vec::new(),
        };
        for (e, standing) in placed {
            match standing {
                EntryStanding::Faster { tier } => put(&mut faster, *tier, e),
                EntryStanding::Slower { tier } => put(&mut slower, *tier, e),
                EntryStanding::Tied => out.tied.push(e),
                EntryStanding::NotRanked { why } => out.unranked.push((e, why.clone())),
                EntryStanding::Baseline => {}
            }
        }
        out.faster = faster;
        out.slower = slower;
        Some(out)
    }

    /// The fastest tier's entries, when some entry is faster than the baseline.
    pub fn best(&self) -> &[&'a EntrySummary] {
        self.faster.first().map_or(&[], Vec::as_slice)
    }

    /// Whether anything was ranked: some entry faster, slower or tied.
    pub fn resolved(&self) -> bool {
        !(self.faster.is_empty() && self.slower.is_empty() && self.tied.is_empty())
    }
}

/// `e` into tier `tier` (from 1) of `tiers`.
fn put<'a>(tiers: &mut Vec<Vec<&'a EntrySummary>>, tier: usize, e: &'a EntrySummary) {
    while tiers.len() < tier {
        tiers.push(Vec::new());
    }
    tiers[tier.max(1) - 1].push(e);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Paired;
    use crate::summary::standing::{Rules, rank};
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
        group.ranking = rank(group, &Rules::default());
    }

    #[test]
    fn overlapping_intervals_share_a_tier_and_the_margin_makes_ties() {
        let mut s = summarise(&testdata::matrix_rounds(6), &testdata::order());
        let io = &mut s.families[1];
        let labels: Vec<String> = io.entries.iter().map(|e| e.label.clone()).collect();
        assert!(labels.len() >= 3, "{labels:?}");
        with_speedup(io, &labels[1], 1.07, 1.09, 1.12);
        let ranking = Ranking::of(io).unwrap();
        assert_eq!(ranking.faster.len(), 1);
        assert_eq!(ranking.best()[0].label, labels[1], "1.09× (1.07–1.12) is ranked");
        with_speedup(io, &labels[1], 1.01, 1.03, 1.06);
        let ranking = Ranking::of(io).unwrap();
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
        let ranking = Ranking::of(cpu).unwrap();
        assert_eq!(
            ranking.faster.len(),
            1,
            "1.90–2.06 and 1.85–1.94 overlap: one tier"
        );
        with_speedup(cpu, "third", 1.05, 1.11, 1.15);
        let ranking = Ranking::of(cpu).unwrap();
        let tiers: Vec<Vec<&str>> = ranking
            .faster
            .iter()
            .map(|t| t.iter().map(|e| e.label.as_str()).collect())
            .collect();
        assert_eq!(tiers, [vec![labels[1].as_str()], vec!["third"]]);
        assert_eq!(cpu.standing_of("third"), EntryStanding::Faster { tier: 2 });
    }

    #[test]
    fn a_load_generator_that_reached_the_bound_in_some_run_ranks_nothing() {
        let mut s = summarise(&testdata::matrix_rounds(6), &testdata::order());
        let group = &mut s.families[0];
        assert!(Ranking::of(group).is_some());
        let busy = |pcts: &[f64]| crate::stats::Stats::of(pcts).unwrap();
        group.entries[1]
            .metrics
            .insert(Metric::LoadgenBusyPct, busy(&[70.0, 72.0, 79.0]));
        group.ranking = rank(group, &Rules::default());
        assert!(
            Ranking::of(group).is_some(),
            "79 % at the most is below the bound"
        );
        // A median of 79.3 % with half the runs at 80 % or more: the interval's upper end
        // (with 8 runs, the largest) decides, not the median.
        let knife = [78.0, 78.5, 79.0, 79.2, 79.4, 80.1, 80.5, 81.0];
        group.entries[2]
            .metrics
            .insert(Metric::LoadgenBusyPct, busy(&knife));
        group.ranking = rank(group, &Rules::default());
        assert!(Ranking::of(group).is_none());
        assert_eq!(
            group.ranking.refused,
            Some(Refusal::LoadgenBound {
                entry: "cpu-procs 2".into(),
                busy_high_pct: 81.0,
                bound_pct: 80.0
            })
        );
        let (pct, e) = loadgen_bound(group).unwrap();
        assert_eq!((pct, e.label.as_str()), (81.0, "cpu-procs 2"));
        assert_eq!(
            group.standing_of("cpu-threads 2"),
            EntryStanding::NotRanked { why: Unranked::Group }
        );
    }
}
