//! Uneven load (`serve.heavy_share`, `io.heavy_share` above 0): a share of the connections or
//! requests carries K times the CPU work of the rest. A thread-per-core model pins each
//! connection to one loop, so a heavy one stalls its neighbours; work stealing can move them.
//! Here the group's fastest model of each kind is set against the other, paired by round, on
//! wall time and on p99 latency.

use concbench_core::config::Config;
use concbench_core::report::Family;
use concbench_core::skew::Skew;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{EntrySummary, paired_ratio};
use crate::metric::Metric;
use crate::record::RunRecord;
use crate::stats::Paired;

/// How a model spreads its work over its threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Scheduling {
    /// Tasks on shared queues that idle threads steal from: tokio's multi-threaded runtime,
    /// smol's and async-std's executors, may's scheduler, rayon.
    WorkStealing,
    /// A loop, ring or process per core, each keeping what it took: tokio loops per thread,
    /// compio, monoio, worker processes.
    ThreadPerCore,
}

impl Scheduling {
    /// How `model` (in `variant`, for io-hybrid) schedules; `None` for threads, pools and the
    /// sync models, which are neither.
    pub fn of(model: &str, variant: Option<&str>) -> Option<Self> {
        match model {
            "io-tokio" | "io-smol" | "io-async-std" | "io-may" | "serve-tokio" | "serve-smol"
            | "serve-async-std" | "serve-may" | "cpu-rayon" => Some(Self::WorkStealing),
            "io-compio" | "io-monoio" | "io-procs" | "serve-hybrid" | "serve-compio" | "serve-monoio"
            | "serve-procs" => Some(Self::ThreadPerCore),
            "io-hybrid" if variant == Some("loop-per-thread") => Some(Self::ThreadPerCore),
            _ => None,
        }
    }

    /// Its name in prose.
    pub fn name(self) -> &'static str {
        match self {
            Self::WorkStealing => "work stealing",
            Self::ThreadPerCore => "thread-per-core",
        }
    }
}

/// A group run under uneven load: the skew, and the fastest entry of each scheduling set
/// against the other's in every round where both ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Uneven {
    /// The config section the skew is set in: `serve` (the server's work per message) or `io`
    /// (the client's work per response).
    pub section: String,
    /// Rounds of the spin per light unit.
    pub spin_rounds: u64,
    /// The share of the connections or requests that are heavy.
    pub heavy_share: f64,
    /// A heavy one's spin over a light one's.
    pub heavy_factor: u64,
    /// The fastest work-stealing entry (by median wall time), if the group has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_stealing: Option<String>,
    /// The fastest thread-per-core entry, if the group has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_per_core: Option<String>,
    /// Work stealing's wall time over thread-per-core's: above 1, thread-per-core is faster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall: Option<Paired>,
    /// Thread-per-core's p99 latency over work stealing's: below 1, thread-per-core's tail is
    /// shorter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99: Option<Paired>,
}

/// The p99 latency a family's runs report: a request's (IO), a round trip's (serving).
pub fn p99_metric(family: Family) -> Option<Metric> {
    match family {
        Family::Io => Some(Metric::LatencyP99),
        Family::Serve => Some(Metric::RoundTripP99),
        _ => None,
    }
}

/// The skew of a group's config, where its family has one and the load is uneven.
fn skew_of(family: Family, settings: &Config) -> Option<(&'static str, Skew)> {
    let (section, skew) = match family {
        Family::Io => ("io", settings.io.skew()),
        Family::Serve => ("serve", settings.serve.skew()),
        _ => return None,
    };
    skew.uneven().then_some((section, skew))
}

/// The uneven-load comparison of a group, when its load is uneven.
pub(super) fn of(
    family: Family,
    settings: Option<&Config>,
    entries: &[EntrySummary],
    runs: &[&RunRecord],
) -> Option<Uneven> {
    let (section, skew) = skew_of(family, settings?)?;
    let fastest = |kind: Scheduling| {
        entries
            .iter()
            .filter(|e| Scheduling::of(&e.model, e.variant.as_deref()) == Some(kind))
            .filter_map(|e| Some((e.median(Metric::Wall)?, e.label.clone())))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, label)| label)
    };
    let (ws, tpc) = (
        fastest(Scheduling::WorkStealing),
        fastest(Scheduling::ThreadPerCore),
    );
    let (wall, p99) = match (&ws, &tpc) {
        (Some(ws), Some(tpc)) => (
            paired_ratio(runs, ws, tpc, Metric::Wall),
            p99_metric(family).and_then(|m| paired_ratio(runs, tpc, ws, m)),
        ),
        _ => (None, None),
    };
    Some(Uneven {
        section: section.into(),
        spin_rounds: skew.spin_rounds,
        heavy_share: skew.heavy_share,
        heavy_factor: skew.heavy_factor,
        work_stealing: ws,
        thread_per_core: tpc,
        wall: wall.map(Paired::interval_only),
        p99: p99.map(Paired::interval_only),
    })
}
