//! What a unit costs (start-up, a switch, memory while waiting: the cheapest entry of each kind,
//! by median) and what Rust buys a Python program (each group's first pair).

use concbench_core::report::Family;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Ratio;
use super::answers::{Answer, Outcome, Question, not_measured};
use crate::metric::Metric;
use crate::summary::Summary;
use crate::summary::versus::Against;

/// What a unit costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Costs {
    /// spawn-only: wall time per unit, µs, the cheapest entry of each kind.
    pub start_up_us: Vec<Cost>,
    /// switch: wall time per hand-off, ns, the cheapest entry of each kind, in the first switch
    /// group.
    pub switch_ns: Vec<Cost>,
    /// That group's name, when the config gives it one (`one core`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switch_group: Option<String>,
    /// idle-scale: resident memory per waiting unit, KiB, the leanest entry of each kind.
    pub idle_kib: Vec<Cost>,
}

/// The cost of one kind of unit: the median of its cheapest entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Cost {
    /// The unit: `task`, `thread`, `pool`, `process`, `coroutine`.
    pub unit: String,
    /// The entry.
    pub entry: String,
    /// The group's id.
    pub group: String,
    /// The median.
    pub value: f64,
}

/// A Python entry against its Rust counterpart, paired by round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PythonPair {
    /// The group (its name, else its heading).
    pub group: String,
    /// The Python entry.
    pub python: String,
    /// The Rust entry.
    pub rust: String,
    /// Python's wall time over Rust's.
    pub time: Ratio,
    /// Python's peak memory over Rust's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Ratio>,
}

/// The costs per unit of the task-cost groups, or the config that measures them.
pub(super) fn unit_costs(summary: &Summary) -> Answer {
    let costs = Costs {
        start_up_us: cheapest(summary, "spawn-only", Metric::PerUnit),
        switch_ns: cheapest(summary, "switch", Metric::SwitchNs),
        switch_group: summary
            .families
            .iter()
            .find(|f| f.family == Family::Cpu && f.scenario == "switch")
            .and_then(|f| f.group.clone()),
        idle_kib: cheapest(summary, "idle-scale", Metric::RssPerUnit),
    };
    let empty = costs.start_up_us.is_empty() && costs.switch_ns.is_empty() && costs.idle_kib.is_empty();
    match empty {
        true => not_measured(Question::UnitCosts),
        false => Answer {
            question: Question::UnitCosts,
            group: None,
            outcome: Outcome::Costs(costs),
        },
    }
}

/// In the first CPU group of `scenario`, the entry with the least median `metric` of each unit,
/// the cheapest first. One group, so that every kind is measured alike (the switch on one core
/// and on two are different questions; the findings give both).
fn cheapest(summary: &Summary, scenario: &str, metric: Metric) -> Vec<Cost> {
    let Some(f) = summary
        .families
        .iter()
        .find(|f| f.family == Family::Cpu && f.scenario == scenario)
    else {
        return Vec::new();
    };
    let mut out: Vec<Cost> = Vec::new();
    for e in &f.entries {
        let (Some(unit), Some(value)) = (e.unit.as_deref(), e.median(metric)) else {
            continue;
        };
        if unit == "sequential" {
            continue;
        }
        let cost = Cost {
            unit: unit.into(),
            entry: e.label.clone(),
            group: f.id(),
            value,
        };
        match out.iter_mut().find(|c| c.unit == unit) {
            Some(c) if c.value > value => *c = cost,
            Some(_) => {}
            None => out.push(cost),
        }
    }
    out.sort_by(|a, b| a.value.total_cmp(&b.value));
    out
}

/// Each group's first Python entry against its Rust counterpart.
pub(super) fn python_answer(summary: &Summary) -> Option<Answer> {
    let mut pairs: Vec<PythonPair> = Vec::new();
    for v in summary.versus.iter().filter(|v| v.against == Against::Rust) {
        let Some(wall) = v.wall.as_ref().filter(|_| !v.group_refused) else {
            continue;
        };
        let group = v.named.clone().unwrap_or_else(|| v.group.clone());
        if pairs.iter().any(|p| p.group == group) {
            continue;
        }
        pairs.push(PythonPair {
            group,
            python: v.python.clone(),
            rust: v.other.clone(),
            time: Ratio::of(wall),
            memory: v.memory.as_ref().map(Ratio::of),
        });
    }
    (!pairs.is_empty()).then_some(Answer {
        question: Question::RustOverPython,
        group: None,
        outcome: Outcome::Python { pairs },
    })
}
