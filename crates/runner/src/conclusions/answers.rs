//! The study's questions, answered as values: does concurrency help CPU work, threads or async
//! for IO, which runtime, what a task, a thread or a process costs, what Rust buys a Python
//! program, and threads or tasks for many connections. Each answer reads the standings decided
//! once ([`crate::summary::standing`]) and the medians of the summary; a question the run cannot answer
//! says why and names the config that does.

use concbench_core::config::Kind;
use concbench_core::python;
use concbench_core::report::Family;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::costs::{Costs, PythonPair};
use super::runtimes::RuntimeGroup;
use super::{Figure, costs, runtimes};
use crate::metric::Metric;
use crate::ranking::Ranking;
use crate::summary::standing::{Caveat, EntryStanding, Refusal, Unranked};
use crate::summary::{EntrySummary, FamilySummary, Summary};

/// A question of the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Question {
    /// Does concurrency help CPU-bound work?
    CpuConcurrency,
    /// Threads or async for IO-bound work?
    IoThreadsOrAsync,
    /// Which runtime?
    WhichRuntime,
    /// What does a task, a thread or a process cost?
    UnitCosts,
    /// What does Rust buy a Python program?
    RustOverPython,
    /// Threads or tasks for many connections?
    ManyConnections,
}

impl Question {
    /// The config that answers it.
    pub fn config(self) -> &'static str {
        match self {
            Question::CpuConcurrency | Question::IoThreadsOrAsync => "configs/default.toml",
            Question::WhichRuntime => "configs/runtimes.toml",
            Question::UnitCosts => "configs/suite.toml",
            Question::RustOverPython => "configs/python.toml",
            Question::ManyConnections => "configs/serve.toml",
        }
    }
}

/// One answered question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Answer {
    /// The question.
    pub question: Question,
    /// The id of the group it rests on, when one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// What was concluded.
    pub outcome: Outcome,
}

/// What was concluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// A group's entries against its baseline.
    Ranked(Box<Ranked>),
    /// The runtimes of several groups, each group's in tiers.
    Runtimes {
        /// Each group where two runtimes or more have a speed-up.
        groups: Vec<RuntimeGroup>,
    },
    /// What a unit costs, the cheapest entry of each kind.
    Costs(Costs),
    /// Python entries against their Rust counterparts.
    Python {
        /// The first pair of each group.
        pairs: Vec<PythonPair>,
    },
    /// Not answered by this run.
    NotAnswered {
        /// Why, and what answers it.
        why: NotAnswered,
    },
}

/// The answer's word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Word {
    /// Concurrency helped: some entry was faster than one loop.
    Yes,
    /// It did not: nothing beat one loop beyond the margin.
    No,
    /// The fastest tier holds thread-based entries only.
    Threads,
    /// The fastest tier holds async entries only.
    Async,
    /// The fastest tier holds both.
    Either,
    /// The fastest tier holds neither (one loop, or processes).
    Neither,
    /// Nothing was ranked.
    Unresolved,
}

/// A group's entries against its baseline, as an answer gives them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Ranked {
    /// The answer's word.
    pub word: Word,
    /// The baseline.
    pub baseline: Figure,
    /// CPU with a reference other than one loop: one loop's own speed-up against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_loop: Option<Figure>,
    /// The cores the runs could use (CPU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cores: Option<u64>,
    /// The budget every entry shared, when they shared one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,
    /// The fastest tier (entries faster than the baseline whose intervals overlap).
    pub best: Vec<Figure>,
    /// The other faster tiers' entries, fastest first.
    pub faster: Vec<Figure>,
    /// The entries tied with the baseline.
    pub tied: Vec<Figure>,
    /// The slower entries, least slow first.
    pub slower: Vec<Figure>,
    /// The entries not ranked on their own.
    pub unranked: Vec<Figure>,
    /// When entries went unranked for want of rounds: the rounds they had and needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub too_few_rounds: Option<Unranked>,
    /// The group's caveats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<Caveat>,
}

/// What every entry of a group may use at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "budget", rename_all = "snake_case")]
pub enum Budget {
    /// IO: requests in flight at most, the same for every entry.
    InFlight {
        /// Requests.
        requests: u64,
    },
    /// IO: the entries had different budgets.
    Differ,
    /// Serving: connections the load generator opened.
    Connections {
        /// Connections.
        connections: u64,
    },
}

/// Why a question is not answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NotAnswered {
    /// No group of the run measures it.
    NotMeasured {
        /// The config that does.
        config: String,
    },
    /// The group that would answer is not ranked.
    NotRanked {
        /// Why.
        refusal: Refusal,
        /// The config that answers it, when not this run's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        config: Option<String>,
    },
    /// The group does not hold both sides of the question.
    MissingSide {
        /// The side it lacks: `threads` or `async`.
        missing: String,
        /// The config that holds both.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        config: Option<String>,
    },
}

/// The answers this run supports, in the study's order; `config` is the run's own config file.
pub fn answers(summary: &Summary, config: Option<&str>) -> Vec<Answer> {
    let other = |c: &str| (config != Some(c)).then(|| c.to_string());
    let main = |family: Family| {
        summary
            .families
            .iter()
            .filter(rust_only)
            .find(|f| f.family == family && f.scenario == "main" && f.group.is_none())
    };
    let cpu = main(Family::Cpu).map(|f| answer(Question::CpuConcurrency, f, cpu_outcome(summary, f)));
    // Any IO group answers, if only to say which side it lacks.
    let any_io = || {
        summary
            .families
            .iter()
            .filter(rust_only)
            .find(|f| f.family == Family::Io && crate::record::is_workload(&f.scenario))
    };
    let io = io_group(summary).or(main(Family::Io)).or_else(any_io).map(|f| {
        let q = Question::IoThreadsOrAsync;
        answer(q, f, sides_outcome(summary, f, other(q.config())))
    });
    let serve = main(Family::Serve).map(|f| {
        let config = other(Question::ManyConnections.config());
        answer(Question::ManyConnections, f, sides_outcome(summary, f, config))
    });
    vec![
        cpu.unwrap_or_else(|| not_measured(Question::CpuConcurrency)),
        io.unwrap_or_else(|| not_measured(Question::IoThreadsOrAsync)),
        runtimes::answer(summary),
        costs::unit_costs(summary),
        costs::python_answer(summary).unwrap_or_else(|| not_measured(Question::RustOverPython)),
        serve.unwrap_or_else(|| not_measured(Question::ManyConnections)),
    ]
}

/// `q`, not measured by this run: the config that measures it.
pub(super) fn not_measured(q: Question) -> Answer {
    Answer {
        question: q,
        group: None,
        outcome: Outcome::NotAnswered {
            why: NotAnswered::NotMeasured {
                config: q.config().into(),
            },
        },
    }
}

fn answer(question: Question, f: &FamilySummary, outcome: Outcome) -> Answer {
    Answer {
        question,
        group: Some(f.id()),
        outcome,
    }
}

/// The Rust answers rest on the Rust models' groups; a group with Python entries is answered
/// under "Rust against Python".
pub(super) fn rust_only(f: &&FamilySummary) -> bool {
    !f.entries.iter().any(|e| python::is_python(&e.model))
}

/// The IO group that answers threads or async: the first of Rust models at one budget holding
/// both sides, else the first holding both sides.
fn io_group(summary: &Summary) -> Option<&FamilySummary> {
    let io: Vec<&FamilySummary> = summary
        .families
        .iter()
        .filter(rust_only)
        .filter(|f| f.family == Family::Io && crate::record::is_workload(&f.scenario))
        .filter(|f| missing_side(f).is_none())
        .collect();
    io.iter()
        .find(|f| crate::summary::standing::equal_budget(f).is_some())
        .or(io.first())
        .copied()
}

/// Thread-based: an OS thread per unit or a pool of them.
fn is_threads(e: &EntrySummary) -> bool {
    matches!(e.kind, Some(Kind::Threads | Kind::Pool))
}

/// Async: tasks on a runtime, or runtimes on several threads.
pub(super) fn is_async(e: &EntrySummary) -> bool {
    matches!(e.kind, Some(Kind::Async | Kind::Hybrid))
}

/// The side of threads-or-async that `f` lacks among its measured entries.
fn missing_side(f: &FamilySummary) -> Option<&'static str> {
    let measured = || f.entries.iter().filter(|e| e.has(Metric::Wall));
    if !measured().any(is_threads) {
        Some("threads")
    } else if !measured().any(is_async) {
        Some("async")
    } else {
        None
    }
}

/// The entries of `r` as answers give them.
fn ranked(summary: &Summary, f: &FamilySummary, r: &Ranking, word: Word) -> Ranked {
    let figures = |v: &[&EntrySummary]| v.iter().map(|e| Figure::of(f, e)).collect::<Vec<_>>();
    let flat = |t: &[Vec<&EntrySummary>]| t.iter().flatten().map(|e| Figure::of(f, e)).collect::<Vec<_>>();
    let base = f.entries.iter().find(|e| e.label == f.baseline);
    Ranked {
        word,
        baseline: Figure {
            entry: f.baseline.clone(),
            in_flight: base.and_then(|b| b.in_flight),
            speedup: None,
            above_cores: false,
        },
        one_loop: None,
        cores: (f.family == Family::Cpu).then_some(summary.rules.cores).flatten(),
        budget: budget(f),
        best: figures(r.best()),
        faster: flat(r.faster.get(1..).unwrap_or(&[])),
        tied: figures(&r.tied),
        slower: flat(&r.slower),
        unranked: r.unranked.iter().map(|(e, _)| Figure::of(f, e)).collect(),
        too_few_rounds: r
            .unranked
            .iter()
            .map(|(_, why)| why)
            .find(|why| matches!(why, Unranked::TooFewRounds { .. }))
            .cloned(),
        caveats: f.ranking.caveats.clone(),
    }
}

/// The budget the entries of `f` shared.
fn budget(f: &FamilySummary) -> Option<Budget> {
    match f.family {
        Family::Io => Some(
            crate::summary::standing::equal_budget(f)
                .map_or(Budget::Differ, |n| Budget::InFlight { requests: n }),
        ),
        Family::Serve => {
            let first = f.entries.iter().find_map(|e| e.connections)?;
            Some(Budget::Connections { connections: first })
        }
        Family::Cpu => None,
    }
}

fn not_ranked(f: &FamilySummary, config: Option<String>) -> Option<Outcome> {
    let refusal = f.ranking.refused.clone()?;
    Some(Outcome::NotAnswered {
        why: NotAnswered::NotRanked { refusal, config },
    })
}

fn cpu_outcome(summary: &Summary, f: &FamilySummary) -> Outcome {
    let Some(r) = Ranking::of(f) else {
        return not_ranked(f, None).expect("a group without a ranking was refused");
    };
    let one_loop = f
        .entries
        .iter()
        .find(|e| e.kind == Some(Kind::Sync) && e.label != f.baseline && e.speedup.is_some());
    // A reference other than one loop (`runner.reference`): the answer is one loop's standing
    // against it, the rest as ranked.
    if let Some(one) = one_loop {
        let word = match f.standing_of(&one.label) {
            EntryStanding::Slower { .. } => Word::Yes,
            EntryStanding::Faster { .. } | EntryStanding::Tied => Word::No,
            _ => Word::Unresolved,
        };
        let mut out = ranked(summary, f, &r.without(&one.label), word);
        out.one_loop = Some(Figure::of(f, one));
        return Outcome::Ranked(Box::new(out));
    }
    let word = match (r.best().is_empty(), r.resolved()) {
        (_, false) => Word::Unresolved,
        (true, true) => Word::No,
        (false, true) => Word::Yes,
    };
    Outcome::Ranked(Box::new(ranked(summary, f, &r, word)))
}

/// Threads or async (IO) or tasks (serving): the fastest tier's side, when the group holds both.
fn sides_outcome(summary: &Summary, f: &FamilySummary, config: Option<String>) -> Outcome {
    if let Some(missing) = missing_side(f) {
        let why = NotAnswered::MissingSide {
            missing: missing.into(),
            config,
        };
        return Outcome::NotAnswered { why };
    }
    // A bound load generator is this machine's limit: no config of the suite lifts it.
    let config = config.filter(|_| !matches!(f.ranking.refused, Some(Refusal::LoadgenBound { .. })));
    if let Some(out) = not_ranked(f, config) {
        return out;
    }
    let r = Ranking::of(f).expect("not refused");
    let base: Vec<&EntrySummary> = f.entries.iter().filter(|e| e.label == f.baseline).collect();
    let top: Vec<&EntrySummary> = match r.best() {
        [] => r.tied.iter().copied().chain(base).collect(),
        best => best.to_vec(),
    };
    let (threads, tasks) = (top.iter().any(|e| is_threads(e)), top.iter().any(|e| is_async(e)));
    let word = match (r.resolved(), threads, tasks) {
        (false, _, _) => Word::Unresolved,
        (true, true, true) => Word::Either,
        (true, true, false) => Word::Threads,
        (true, false, true) => Word::Async,
        (true, false, false) => Word::Neither,
    };
    Outcome::Ranked(Box::new(ranked(summary, f, &r, word)))
}
