//! What a run concluded, as values: for every group, each entry's standing with the figure it
//! rests on and the group's caveats; for every question of the study, the answer. Computed once
//! from the summary ([`conclude`]); the report, the page, the terminal and `conclusions.json`
//! render it, and nothing reads their words back.
//!
//! `conclusions.json` is pinned by `schema/conclusions.schema.json`, generated from these types
//! ([`schema`]); [`SCHEMA_VERSION`] moves when a field changes meaning.

pub mod answers;
pub mod costs;
pub mod runtimes;
pub mod uneven;

use concbench_core::report::Family;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::metric::Metric;
use crate::stats::Paired;
use crate::summary::standing::{Caveat, EntryStanding, Refusal, Rules};
use crate::summary::{EntrySummary, FamilySummary, Summary};

pub use answers::{Answer, Outcome, Question};

/// The version of `conclusions.json`'s shape.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything a run concluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Conclusions {
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// The rules the standings were decided by.
    pub rules: Rules,
    /// The study's questions, answered in its order.
    pub answers: Vec<Answer>,
    /// Each group's standings, in report order.
    pub groups: Vec<GroupConclusion>,
}

/// One group's standings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GroupConclusion {
    /// The group's id (file names, anchors): `cpu`, `io-equal-budget-50-in-flight`.
    pub id: String,
    /// Its heading in the report.
    pub title: String,
    /// The family.
    pub family: Family,
    /// `main`, a kernel or a task-cost scenario.
    pub scenario: String,
    /// The entry every speed-up is relative to.
    pub baseline: String,
    /// Why the group is not ranked, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refusal>,
    /// Each entry, in matrix order.
    pub entries: Vec<EntryConclusion>,
    /// What a reader must know beside the standings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<Caveat>,
    /// Under uneven load: work stealing or thread-per-core, on wall time and p99.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uneven: Option<uneven::UnevenConclusion>,
}

/// One entry's standing and the figures it rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EntryConclusion {
    /// Its figure: the entry, its paired speed-up.
    #[serde(flatten)]
    pub figure: Figure,
    /// Its standing.
    pub standing: EntryStanding,
    /// Its median wall time, s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_s: Option<f64>,
    /// Measured runs that succeeded.
    pub runs: usize,
}

/// An entry and its paired speed-up over the group's baseline (the baseline's wall time over
/// the entry's, per round: above 1 is faster).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Figure {
    /// The entry's label.
    pub entry: String,
    /// IO: the requests it could have in flight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<u64>,
    /// The paired speed-up, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speedup: Option<Ratio>,
    /// CPU: its median speed-up over one loop lies above the usable cores, so it is partly
    /// drift ([`Caveat::AboveCores`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub above_cores: bool,
}

/// A median of paired ratios with its distribution-free interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Ratio {
    /// The median over the rounds.
    pub median: f64,
    /// The interval's lower end.
    pub low: f64,
    /// The interval's upper end.
    pub high: f64,
    /// The rounds (ratios) it rests on.
    pub rounds: usize,
    /// The interval's coverage, %: 95 or more from 6 rounds.
    pub coverage_pct: f64,
}

impl Ratio {
    /// The ratio `p` states.
    pub fn of(p: &Paired) -> Self {
        Self {
            median: p.median,
            low: p.ci95[0],
            high: p.ci95[1],
            rounds: p.n,
            coverage_pct: p.coverage_pct,
        }
    }

    /// As the formatter takes it.
    pub fn paired(&self) -> Paired {
        Paired {
            median: self.median,
            ci95: [self.low, self.high],
            coverage_pct: self.coverage_pct,
            n: self.rounds,
            ratios: Vec::new(),
        }
    }
}

impl Figure {
    /// The figure of `e`, an entry of `f`.
    pub fn of(f: &FamilySummary, e: &EntrySummary) -> Self {
        let above_cores = f.ranking.above_cores(&e.label).is_some();
        Self {
            entry: e.label.clone(),
            in_flight: e.in_flight,
            speedup: e.speedup.as_ref().map(Ratio::of),
            above_cores,
        }
    }
}

/// What `summary` concludes, under the rules it was made with; `config` is the config file the
/// run was started with (an unanswered question never sends the reader back to it).
pub fn conclude(summary: &Summary, config: Option<&str>) -> Conclusions {
    Conclusions {
        schema_version: SCHEMA_VERSION,
        rules: summary.rules,
        answers: answers::answers(summary, config),
        groups: summary
            .families
            .iter()
            .map(|f| group(f, summary.rules.margin_pct))
            .collect(),
    }
}

fn group(f: &FamilySummary, margin_pct: f64) -> GroupConclusion {
    GroupConclusion {
        id: f.id(),
        title: f.title(),
        family: f.family,
        scenario: f.scenario.clone(),
        baseline: f.baseline.clone(),
        refused: f.ranking.refused.clone(),
        entries: f
            .entries
            .iter()
            .map(|e| EntryConclusion {
                figure: Figure::of(f, e),
                standing: f.standing_of(&e.label),
                wall_s: e.median(Metric::Wall),
                runs: e.ok,
            })
            .collect(),
        caveats: f.ranking.caveats.clone(),
        uneven: uneven::of(f, margin_pct),
    }
}

/// The JSON schema of [`Conclusions`], as committed in `schema/conclusions.schema.json`.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Conclusions)).expect("a schema always serializes")
}

/// `conclusions.json`: the conclusions of `summary`, pretty-printed.
pub fn render(summary: &Summary, config: Option<&str>) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(&conclude(summary, config))? + "\n")
}

#[cfg(test)]
mod tests;
