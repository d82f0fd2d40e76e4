//! How each entry of a group stands against the group's baseline, decided once when the summary
//! is made, with the rules ([`Rules`]: the margin, the rounds a ranking needs, the load
//! generator's bound, the usable cores) as inputs. Every output reads the decision
//! ([`GroupRanking`]); none makes its own.
//!
//! An entry is faster or slower only when its paired 95 % interval lies wholly outside 1 ± the
//! margin; otherwise it is tied with the baseline. Among the faster (or the slower), entries
//! whose intervals overlap are tied with each other: they share a tier, and a tier is never put
//! in an order. A group is not ranked at all when its entries did different work, when its load
//! generator reached the bound in some run, or when its baseline starts nothing (spawn-only).

use concbench_core::config::Kind;
use concbench_core::report::Family;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::metric::Metric;
use crate::stats::{Paired, Standing};
use crate::summary::{EntrySummary, FamilySummary};

/// The rounds a paired interval needs before anything is ranked on it: with fewer, the order
/// statistics cannot give 95 % coverage.
pub const MIN_ROUNDS: usize = 6;

/// A load generator busier than this share of its threads' time bounds the round trips, %.
pub const LOADGEN_BOUND_PCT: f64 = 80.0;

/// What a standing is decided by.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Rules {
    /// The equivalence margin, %: faster or slower only beyond 1 ± this.
    pub margin_pct: f64,
    /// The rounds a ranking needs.
    pub min_rounds: usize,
    /// The load generator's busy share at which a serving group is not ranked, %.
    pub loadgen_bound_pct: f64,
    /// The cores the runs could use: a CPU speed-up over one loop cannot exceed it.
    pub cores: Option<u64>,
}

impl Rules {
    /// The rules under `margin_pct` on a machine with `cores` usable cores.
    pub fn new(margin_pct: f64, cores: Option<u64>) -> Self {
        Self {
            margin_pct,
            min_rounds: MIN_ROUNDS,
            loadgen_bound_pct: LOADGEN_BOUND_PCT,
            cores,
        }
    }
}

impl Default for Rules {
    fn default() -> Self {
        Self::new(crate::record::DEFAULT_MARGIN_PCT, None)
    }
}

/// How one entry stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum EntryStanding {
    /// The group's baseline.
    Baseline,
    /// Faster than the baseline, in tier `tier` (1: the fastest).
    Faster {
        /// The tier, from 1.
        tier: usize,
    },
    /// Slower than the baseline, in tier `tier` (1: the least slow).
    Slower {
        /// The tier, from 1.
        tier: usize,
    },
    /// Tied with the baseline: the interval reaches into 1 ± the margin.
    Tied,
    /// Not ranked, and why.
    NotRanked {
        /// Why.
        why: Unranked,
    },
}

impl EntryStanding {
    /// The standing without its tier.
    pub fn standing(&self) -> Option<Standing> {
        match self {
            EntryStanding::Faster { .. } => Some(Standing::Faster),
            EntryStanding::Slower { .. } => Some(Standing::Slower),
            EntryStanding::Tied | EntryStanding::Baseline => Some(Standing::Tie),
            EntryStanding::NotRanked { .. } => None,
        }
    }
}

/// Why one entry is not ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Unranked {
    /// No paired speed-up: no run succeeded, or none shared a round with the baseline.
    NoSpeedup,
    /// Fewer rounds than a 95 % interval needs.
    TooFewRounds {
        /// The rounds it had.
        rounds: usize,
        /// The rounds it needs.
        needed: usize,
    },
    /// CPU work over one loop whose whole interval lies above the usable cores: the machine
    /// drifted, the figure is not a result.
    Drift {
        /// The usable cores.
        cores: u64,
        /// The interval's lower end.
        low: f64,
    },
    /// The group is not ranked ([`GroupRanking::refused`]).
    Group,
}

/// Why a whole group is not ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    /// No run of the group succeeded.
    NothingMeasured,
    /// The group has no entry but its baseline.
    NoOtherEntry,
    /// The runs did different work (units or checksum), so their times are not comparable.
    DifferentWork,
    /// spawn-only: the baseline starts nothing, so a speed against it means nothing.
    BaselineStartsNothing,
    /// An open-loop group: compared by what each kept up with, not by speed.
    OpenLoop,
    /// The load generator reached the bound in some run.
    LoadgenBound {
        /// The entry it drove.
        entry: String,
        /// The upper end of the 95 % interval of its median busy share, %.
        busy_high_pct: f64,
        /// The bound, %.
        bound_pct: f64,
    },
}

/// What a reader must know beside a group's standings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "caveat", rename_all = "snake_case")]
pub enum Caveat {
    /// IO entries with different budgets (requests in flight): their speeds rank budgets as
    /// much as models.
    BudgetsDiffer {
        /// Each entry's budget.
        budgets: Vec<Budget>,
    },
    /// A CPU speed-up over one loop whose median lies above the usable cores (its interval
    /// reaches below): partly drift.
    AboveCores {
        /// The entry.
        entry: String,
        /// The usable cores.
        cores: u64,
        /// Its median speed-up.
        median: f64,
    },
    /// Some of an entry's runs failed.
    FailedRuns {
        /// The entry.
        entry: String,
        /// Runs that failed.
        failed: usize,
        /// Measured runs in all.
        of: usize,
    },
    /// Some of an entry's requests failed.
    FailedRequests {
        /// The entry.
        entry: String,
        /// The share that failed (mean over the runs), %.
        pct: f64,
    },
    /// What the group can resolve: its A/A control's paired interval against the baseline
    /// reaches this far from 1, %.
    Resolution {
        /// The farther end of the control's interval from 1, %.
        pct: f64,
        /// The rounds the control paired with the baseline.
        rounds: usize,
    },
    /// The A/A control came out faster or slower than its twin, the baseline: the group's
    /// standings rest partly on the machine's drift.
    ControlMoved {
        /// The baseline's wall time over the control's, median.
        median: f64,
        /// Its 95 % interval.
        ci95: [f64; 2],
    },
}

/// One entry's requests in flight at most.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Budget {
    /// The entry.
    pub entry: String,
    /// Requests in flight at most.
    pub in_flight: u64,
}

/// A group's standings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct GroupRanking {
    /// Why the group is not ranked, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refusal>,
    /// Each entry's standing, in matrix order.
    pub entries: Vec<Placed>,
    /// What a reader must know beside them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<Caveat>,
    /// The rules they were decided by.
    #[serde(default)]
    pub rules: Rules,
}

impl GroupRanking {
    /// The usable cores, when `entry`'s median speed-up lies above them ([`Caveat::AboveCores`]).
    pub fn above_cores(&self, entry: &str) -> Option<u64> {
        self.caveats.iter().find_map(|c| match c {
            Caveat::AboveCores { entry: e, cores, .. } if e == entry => Some(*cores),
            _ => None,
        })
    }
}

/// One entry and its standing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Placed {
    /// The entry's label.
    pub entry: String,
    /// Its standing.
    #[serde(flatten)]
    pub standing: EntryStanding,
}

impl GroupRanking {
    /// The standing of the entry labelled `label`.
    pub fn of(&self, label: &str) -> Option<&EntryStanding> {
        self.entries
            .iter()
            .find(|p| p.entry == label)
            .map(|p| &p.standing)
    }
}

/// Decides the standing of every entry of `f` under `rules`.
pub fn rank(f: &FamilySummary, rules: &Rules) -> GroupRanking {
    let refused = refusal(f, rules);
    let mut entries: Vec<Placed> = f
        .entries
        .iter()
        .map(|e| Placed {
            entry: e.label.clone(),
            standing: match (&refused, e.label == f.baseline) {
                (_, true) => EntryStanding::Baseline,
                (Some(_), false) => EntryStanding::NotRanked { why: Unranked::Group },
                (None, false) => alone(f, e, rules),
            },
        })
        .collect();
    for want in [Standing::Faster, Standing::Slower] {
        set_tiers(f, &mut entries, want);
    }
    GroupRanking {
        caveats: caveats(f, rules, &entries),
        refused,
        entries,
        rules: *rules,
    }
}

/// Why `f` cannot be ranked at all, if it cannot.
fn refusal(f: &FamilySummary, rules: &Rules) -> Option<Refusal> {
    let measured = |e: &&EntrySummary| e.has(Metric::Wall);
    if !f.entries.iter().any(|e| measured(&e)) {
        return Some(Refusal::NothingMeasured);
    }
    if !f.entries.iter().filter(measured).any(|e| e.label != f.baseline) {
        return Some(Refusal::NoOtherEntry);
    }
    if !f.same_work {
        return Some(Refusal::DifferentWork);
    }
    if f.scenario == "spawn-only" {
        return Some(Refusal::BaselineStartsNothing);
    }
    if f.is_open_loop() {
        return Some(Refusal::OpenLoop);
    }
    busiest_loadgen(f.entries.iter().map(|e| (e, e.label.clone())), rules).map(|(pct, entry)| {
        Refusal::LoadgenBound {
            entry,
            busy_high_pct: pct,
            bound_pct: rules.loadgen_bound_pct,
        }
    })
}

/// Of `entries` (each with what names it), the one whose load generator was busiest (the upper
/// end of the 95 % interval of its median busy share, the range with fewer than 6 runs), when
/// that reached the bound: the one rule for a group and for a sweep's point alike.
pub fn busiest_loadgen<'a, T>(
    entries: impl Iterator<Item = (&'a EntrySummary, T)>,
    rules: &Rules,
) -> Option<(f64, T)> {
    entries
        .filter_map(|(e, name)| Some((busy_high(e)?, name)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(pct, _)| *pct >= rules.loadgen_bound_pct)
}

/// The upper end of the interval of `e`'s load generator's median busy share, %.
pub fn busy_high(e: &EntrySummary) -> Option<f64> {
    let busy = e.stats(Metric::LoadgenBusyPct)?;
    Paired::of(&busy.values).map_or(Some(busy.max), |p| Some(p.ci95[1]))
}

/// `e`'s standing by its own interval, before tiers.
fn alone(f: &FamilySummary, e: &EntrySummary, rules: &Rules) -> EntryStanding {
    let Some(p) = e.speedup.as_ref() else {
        return EntryStanding::NotRanked {
            why: Unranked::NoSpeedup,
        };
    };
    if p.n < rules.min_rounds || p.coverage_pct < 95.0 {
        let why = Unranked::TooFewRounds {
            rounds: p.n,
            needed: rules.min_rounds,
        };
        return EntryStanding::NotRanked { why };
    }
    if let Some(cores) = over_one_loop(f, rules).filter(|c| p.ci95[0] > *c as f64) {
        let why = Unranked::Drift {
            cores,
            low: p.ci95[0],
        };
        return EntryStanding::NotRanked { why };
    }
    match p.standing(rules.margin_pct) {
        Standing::Faster => EntryStanding::Faster { tier: 0 },
        Standing::Slower => EntryStanding::Slower { tier: 0 },
        Standing::Tie => EntryStanding::Tied,
        Standing::TooFew => EntryStanding::NotRanked {
            why: Unranked::TooFewRounds {
                rounds: p.n,
                needed: rules.min_rounds,
            },
        },
    }
}

/// The usable cores, when `f` is CPU work against one loop (a speed-up cannot exceed them).
fn over_one_loop(f: &FamilySummary, rules: &Rules) -> Option<u64> {
    let base = f.entries.iter().find(|e| e.label == f.baseline)?;
    let cpu_work = f.family == Family::Cpu && crate::record::is_workload(&f.scenario);
    (cpu_work && base.kind == Some(Kind::Sync)).then_some(rules.cores?)
}

/// Numbers the tiers of the entries standing `want`: by median, best first (least slow first
/// for the slower); an entry joins the tier before it when its interval overlaps the interval
/// of every entry of that tier.
fn set_tiers(f: &FamilySummary, entries: &mut [Placed], want: Standing) {
    let of = |label: &str| f.entries.iter().find(|e| e.label == label);
    let mut ranked: Vec<(usize, &Paired)> = entries
        .iter()
        .enumerate()
        .filter(|(_, p)| p.standing.standing() == Some(want) && p.standing != EntryStanding::Baseline)
        .filter_map(|(i, p)| Some((i, of(&p.entry)?.speedup.as_ref()?)))
        .collect();
    ranked.sort_by(|a, b| b.1.median.total_cmp(&a.1.median));
    let mut tier: Vec<&Paired> = Vec::new();
    let mut number = 0;
    for (i, p) in ranked {
        if tier.is_empty() || !tier.iter().all(|t| t.overlaps(p)) {
            tier.clear();
            number += 1;
        }
        tier.push(p);
        entries[i].standing = match want {
            Standing::Faster => EntryStanding::Faster { tier: number },
            _ => EntryStanding::Slower { tier: number },
        };
    }
}

/// The caveats of `f`'s standings.
fn caveats(f: &FamilySummary, rules: &Rules, entries: &[Placed]) -> Vec<Caveat> {
    let mut out = Vec::new();
    let budgets = budgets(f);
    let mut seen: Vec<u64> = budgets.iter().map(|b| b.in_flight).collect();
    seen.sort_unstable();
    seen.dedup();
    if f.family == Family::Io && seen.len() > 1 {
        out.push(Caveat::BudgetsDiffer { budgets });
    }
    if let Some(cores) = over_one_loop(f, rules) {
        for e in &f.entries {
            let ranked = entries
                .iter()
                .any(|p| p.entry == e.label && p.standing.standing().is_some());
            match e.speedup.as_ref() {
                Some(p) if ranked && p.median > cores as f64 => out.push(Caveat::AboveCores {
                    entry: e.label.clone(),
                    cores,
                    median: p.median,
                }),
                _ => {}
            }
        }
    }
    for e in f.entries.iter().filter(|e| e.failed > 0) {
        out.push(Caveat::FailedRuns {
            entry: e.label.clone(),
            failed: e.failed,
            of: e.failed + e.ok,
        });
    }
    for e in &f.entries {
        if let Some(pct) = e.failed_pct() {
            out.push(Caveat::FailedRequests {
                entry: e.label.clone(),
                pct,
            });
        }
    }
    if let Some(c) = &f.control {
        out.push(Caveat::Resolution {
            pct: c.resolution_pct,
            rounds: c.paired.n,
        });
        if matches!(
            c.paired.standing(rules.margin_pct),
            Standing::Faster | Standing::Slower
        ) {
            out.push(Caveat::ControlMoved {
                median: c.paired.median,
                ci95: c.paired.ci95,
            });
        }
    }
    out
}

/// Each measured entry's budget, where it has one.
pub fn budgets(f: &FamilySummary) -> Vec<Budget> {
    f.entries
        .iter()
        .filter(|e| e.has(Metric::Wall))
        .filter_map(|e| {
            Some(Budget {
                entry: e.label.clone(),
                in_flight: e.in_flight?,
            })
        })
        .collect()
}

/// The one budget every measured entry of `f` shares, when they share one.
pub fn equal_budget(f: &FamilySummary) -> Option<u64> {
    let b = budgets(f);
    let first = b.first()?.in_flight;
    (b.iter().all(|x| x.in_flight == first)
        && b.len() == f.entries.iter().filter(|e| e.has(Metric::Wall)).count())
    .then_some(first)
}

/// Whether `a`'s `metric` lies below `b`'s in `f` beyond the group's margin: the bootstrap
/// interval of the ratio of their medians (unpaired, as `runner compare` reads two folders) wholly
/// below 1 − the margin. How two entries that are not the baseline are set against each other.
pub fn clearly_below(f: &FamilySummary, a: &EntrySummary, b: &EntrySummary, metric: Metric) -> bool {
    let (Some(x), Some(y)) = (a.stats(metric), b.stats(metric)) else {
        return false;
    };
    let ci = crate::stats::unpaired_ratio(&y.values, &x.values);
    crate::stats::against_margin(ci, f.ranking.rules.margin_pct).is_lt()
}
