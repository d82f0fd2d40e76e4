//! Which runtime: in every Rust group where two runtimes or more have a speed-up, the runtimes
//! in the group's own tiers (decided once, with the group's standings).

use concbench_core::report::Family;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Figure;
use super::answers::{Answer, Outcome, Question, is_async, not_measured, rust_only};
use crate::ranking::Ranking;
use crate::stats::Paired;
use crate::summary::standing::Refusal;
use crate::summary::{EntrySummary, FamilySummary, Summary};

/// One group's runtimes in tiers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RuntimeGroup {
    /// The group's id.
    pub group: String,
    /// Its family.
    pub family: Family,
    /// `main` or a kernel.
    pub scenario: String,
    /// The group's name, when the config gives it one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named: Option<String>,
    /// Its baseline.
    pub baseline: String,
    /// The runtimes in tiers, the fastest first: each faster tier, then those tied with the
    /// baseline, then each slower tier.
    pub tiers: Vec<Tier>,
    /// Why the group is not ranked, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refusal>,
    /// A group not ranked on speed (its load generator the bound, or an open loop, whose
    /// schedule sets the wall time): each runtime's CPU time for the same work over the
    /// baseline's, paired by round, the least first; what the bound does not hide.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpu_over_baseline: Vec<Share>,
}

/// Runtimes that stand together against the group's baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tier {
    /// Where they stand.
    pub place: Place,
    /// The runtimes, by median, the fastest first.
    pub entries: Vec<Figure>,
}

/// Where a tier stands against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// Faster, its entries' intervals overlapping each other.
    Faster,
    /// Tied with the baseline (not with each other: each interval reaches into 1 ± the margin).
    Tied,
    /// Slower, its entries' intervals overlapping each other.
    Slower,
}

/// An entry's figure over another's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Share {
    /// The entry.
    pub entry: String,
    /// Its figure over the other's in each round where both ran: the median and its interval
    /// (the ratios themselves left out).
    pub ratio: Paired,
}

/// Whether `e` is one async runtime or work-stealing pool of its family.
fn is_runtime(e: &EntrySummary) -> bool {
    is_async(e) || e.model == "cpu-rayon"
}

/// Which runtime: every Rust group where two runtimes or more have a speed-up, each in the
/// group's own tiers.
pub(super) fn answer(summary: &Summary) -> Answer {
    let groups: Vec<RuntimeGroup> = summary
        .families
        .iter()
        .filter(rust_only)
        .filter(|f| crate::record::is_workload(&f.scenario))
        .filter_map(runtime_group)
        .collect();
    match groups.is_empty() {
        true => not_measured(Question::WhichRuntime),
        false => Answer {
            question: Question::WhichRuntime,
            group: None,
            outcome: Outcome::Runtimes { groups },
        },
    }
}

fn runtime_group(f: &FamilySummary) -> Option<RuntimeGroup> {
    let rts: Vec<&EntrySummary> = f
        .entries
        .iter()
        .filter(|e| is_runtime(e) && e.label != f.baseline && e.speedup.is_some())
        .collect();
    if rts.len() < 2 {
        return None;
    }
    let mut out = RuntimeGroup {
        group: f.id(),
        family: f.family,
        scenario: f.scenario.clone(),
        named: f.group.clone(),
        baseline: f.baseline.clone(),
        tiers: Vec::new(),
        refused: f.ranking.refused.clone(),
        cpu_over_baseline: Vec::new(),
    };
    let Some(r) = Ranking::of(f) else {
        out.cpu_over_baseline = cpu_over_baseline(&rts);
        return Some(out);
    };
    let r = r.only(is_runtime);
    let tier = |place: Place, t: &[&EntrySummary]| Tier {
        place,
        entries: t.iter().map(|e| Figure::of(f, e)).collect(),
    };
    out.tiers = r
        .faster
        .iter()
        .map(|t| tier(Place::Faster, t))
        .chain((!r.tied.is_empty()).then(|| tier(Place::Tied, &r.tied)))
        .chain(r.slower.iter().map(|t| tier(Place::Slower, t)))
        .collect();
    Some(out)
}

/// Each runtime's CPU time over the baseline's, paired by round ([`EntrySummary::cpu_ratio`]),
/// the least first: for the same work, the ratio of CPU per unit.
fn cpu_over_baseline(rts: &[&EntrySummary]) -> Vec<Share> {
    let mut out: Vec<Share> = rts
        .iter()
        .filter_map(|e| {
            Some(Share {
                entry: e.label.clone(),
                ratio: e.cpu_ratio.clone()?,
            })
        })
        .collect();
    out.sort_by(|a, b| a.ratio.median.total_cmp(&b.ratio.median));
    out
}
