//! Work stealing or thread-per-core, under uneven load: the group's fastest of each, set against
//! each other on wall time and on p99 latency, paired by round, with the skew they ran under.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Ratio;
use crate::stats::{Paired, Standing};
use crate::summary::FamilySummary;
use crate::summary::uneven::Scheduling;

/// What an uneven-load group concluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UnevenConclusion {
    /// Where the skew is set: `serve` (the server's work per message) or `io` (the client's
    /// work per response).
    pub section: String,
    /// Rounds of the spin per light connection or request.
    pub spin_rounds: u64,
    /// The share that is heavy.
    pub heavy_share: f64,
    /// A heavy one's spin over a light one's.
    pub heavy_factor: u64,
    /// The fastest work-stealing entry.
    pub work_stealing: String,
    /// The fastest thread-per-core entry.
    pub thread_per_core: String,
    /// Work stealing's wall time over thread-per-core's, paired: above 1, thread-per-core is
    /// faster.
    pub wall: Ratio,
    /// Which is faster beyond the margin; `None`: tied (or too few rounds to say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faster: Option<Scheduling>,
    /// Thread-per-core's p99 latency over work stealing's, paired: below 1, thread-per-core's
    /// tail is shorter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99: Option<Ratio>,
    /// Whose p99 is shorter beyond the margin; `None`: tied, too few rounds, or not measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shorter_tail: Option<Scheduling>,
}

/// The conclusion of `f` under `margin_pct`, when it ran under uneven load with both kinds.
pub fn of(f: &FamilySummary, margin_pct: f64) -> Option<UnevenConclusion> {
    let u = f.uneven.as_ref()?;
    let wall = u.wall.as_ref()?;
    // Above 1 favours thread-per-core on both ratios once the p99 one is turned over.
    let side = |p: &Paired, tpc_when: Standing| match p.standing(margin_pct) {
        Standing::Tie | Standing::TooFew => None,
        s if s == tpc_when => Some(Scheduling::ThreadPerCore),
        _ => Some(Scheduling::WorkStealing),
    };
    Some(UnevenConclusion {
        section: u.section.clone(),
        spin_rounds: u.spin_rounds,
        heavy_share: u.heavy_share,
        heavy_factor: u.heavy_factor,
        work_stealing: u.work_stealing.clone()?,
        thread_per_core: u.thread_per_core.clone()?,
        wall: Ratio::of(wall),
        faster: side(wall, Standing::Faster),
        p99: u.p99.as_ref().map(Ratio::of),
        shorter_tail: u.p99.as_ref().and_then(|p| side(p, Standing::Slower)),
    })
}
