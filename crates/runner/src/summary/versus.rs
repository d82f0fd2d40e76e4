//! Rust against Python: in every group that holds Python entries (`py-*`), each Python entry
//! against its Rust counterpart in the same group (`concbench_core::python::COUNTERPARTS`), and
//! each against the group's Python sync entry (the study's own question, asked of Python).
//! Every ratio is paired by round, as the speed-ups are: in each round where both ran, one's
//! figure over the other's; the median and its distribution-free interval.

use concbench_core::python;
use concbench_core::report::{Family, PythonEnv};
use serde::{Deserialize, Serialize};

use super::{FamilySummary, paired_ratio};
use crate::metric::Metric;
use crate::record::RunRecord;
use crate::stats::{Paired, Standing};

/// The report's section of these pairs (its heading, and the answers' link to it).
pub const TITLE: &str = "Rust against Python";

/// What a Python entry is set against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Against {
    /// Its Rust counterpart.
    Rust,
    /// The group's Python sync entry (`py-cpu-sync`, `py-io-sync`).
    PythonSync,
}

/// One pair of entries of a group, paired by round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Versus {
    /// The group's title (its section's heading).
    pub group: String,
    /// The group's name as the config gives it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named: Option<String>,
    /// The family.
    pub family: Family,
    /// What `python` is set against.
    pub against: Against,
    /// The Python entry's label.
    pub python: String,
    /// The other entry's label: the Rust counterpart, or the Python sync entry.
    pub other: String,
    /// Per round, the Python entry's wall time over the other's: above 1, the other is faster.
    pub wall: Option<Paired>,
    /// How `wall` stands under the summary's rules (`Faster`: Python is slower), decided with
    /// every group's standings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standing: Option<Standing>,
    /// The group is not ranked (its refusal is the group's), so neither is the pair.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub group_refused: bool,
    /// Per round, the Python entry's peak RSS over the other's.
    pub memory: Option<Paired>,
    /// Medians, the other's then the Python entry's: wall time (s).
    pub wall_s: [Option<f64>; 2],
    /// CPU time (s).
    pub cpu_s: [Option<f64>; 2],
    /// Peak memory (MiB): RSS, or PSS where [`Versus::pss`].
    pub rss_mib: [Option<f64>; 2],
    /// A process tree is in the pair and both have a PSS: memory is compared by peak PSS
    /// (RSS summed over a tree counts shared pages once per process).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pss: bool,
}

/// The pairs of the groups in `groups`, from the measured `runs`.
pub fn pairs(groups: &[FamilySummary], runs: &[&RunRecord]) -> Vec<Versus> {
    let mut out = Vec::new();
    for g in groups {
        let mine: Vec<&RunRecord> = runs
            .iter()
            .copied()
            .filter(|r| r.family == g.family && r.scenario == g.scenario && r.group == g.group)
            .collect();
        let py_sync = format!("{}{}-sync", python::PREFIX, g.family);
        for e in g.entries.iter().filter(|e| python::is_python(&e.model)) {
            let rust = python::counterpart(&e.model).and_then(|model| only(g, model));
            if let Some(rust) = rust {
                out.push(versus(g, &mine, Against::Rust, &e.label, rust));
            }
            if e.model != py_sync {
                if let Some(sync) = only(g, &py_sync) {
                    out.push(versus(g, &mine, Against::PythonSync, &e.label, sync));
                }
            }
        }
    }
    out
}

/// The label of the one entry of `model` in `g` (none when it has none or several).
fn only<'a>(g: &'a FamilySummary, model: &str) -> Option<&'a str> {
    let mut of = g.entries.iter().filter(|e| e.model == model);
    match (of.next(), of.next()) {
        (Some(e), None) => Some(&e.label),
        _ => None,
    }
}

fn versus(g: &FamilySummary, runs: &[&RunRecord], against: Against, python: &str, other: &str) -> Versus {
    // The medians are the entries' own, as the group's table shows them.
    let medians = |m: Metric| {
        [other, python].map(|label| {
            g.entries
                .iter()
                .find(|e| e.label == label)
                .and_then(|e| e.median(m))
        })
    };
    let entry = |label: &str| g.entries.iter().find(|e| e.label == label);
    let tree = [python, other]
        .iter()
        .any(|l| entry(l).is_some_and(|e| e.kind == Some(concbench_core::config::Kind::Processes)));
    // Memory as every comparison reads it (`FamilySummary::peak_memory`): a pair with a process
    // tree is compared by PSS where both sides' runs caught it, else not at all.
    let caught = |l: &&str| {
        entry(l).is_some_and(|e| {
            matches!(
                g.peak_memory(e),
                super::PeakMemory::Pss(_) | super::PeakMemory::Rss(_)
            )
        })
    };
    let pss = tree && [python, other].iter().all(caught);
    let memory = if pss { Metric::PssPeak } else { Metric::RssPeak };
    Versus {
        group: g.title(),
        named: g.group.clone(),
        family: g.family,
        against,
        python: python.into(),
        other: other.into(),
        wall: paired_ratio(runs, python, other, Metric::Wall),
        standing: None,
        group_refused: false,
        memory: paired_ratio(runs, python, other, memory).filter(|_| pss || !tree),
        wall_s: medians(Metric::Wall),
        cpu_s: medians(Metric::CpuSeconds),
        rss_mib: medians(memory),
        pss,
    }
}

/// The Python interpreters the run's Python entries ran on, each once, by version (the same
/// interpreter in two environments is one: its executable is left out).
pub fn interpreters(runs: &[&RunRecord]) -> Vec<PythonEnv> {
    let mut seen: Vec<PythonEnv> = Vec::new();
    for py in runs.iter().filter_map(|r| r.report.as_ref()?.env.python.as_ref()) {
        let one = PythonEnv {
            executable: String::new(),
            ..py.clone()
        };
        if !seen.contains(&one) {
            seen.push(one);
        }
    }
    seen.sort_by_key(|py| version_key(&py.version));
    seen
}

/// A version's numbers in order, for sorting: `3.13.0` is `[3, 13, 0]`; a part that is not a
/// number (`0rc1`) sorts after every number.
pub fn version_key(version: &str) -> Vec<u32> {
    version
        .split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}
