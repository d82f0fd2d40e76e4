//! The words for decisions made elsewhere: a standing, why something is not ranked. Each
//! decision has one wording here; nothing reads the words back.

use crate::format::percent_fixed;
use crate::summary::standing::{EntryStanding, Refusal, Unranked};

/// A standing in a table cell: `faster`, `tied`, `not ranked (too few rounds)`.
pub fn standing(s: &EntryStanding) -> String {
    match s {
        EntryStanding::Baseline => "baseline".into(),
        EntryStanding::Faster { .. } => "faster".into(),
        EntryStanding::Slower { .. } => "slower".into(),
        EntryStanding::Tied => "tied".into(),
        EntryStanding::NotRanked { why } => format!("not ranked ({})", unranked(why)),
    }
}

/// The standing of the entry labelled `label` in `f`, in a table cell: where the whole group
/// is not ranked, why.
pub fn standing_in(f: &crate::summary::FamilySummary, label: &str) -> String {
    match (f.standing_of(label), &f.ranking.refused) {
        (EntryStanding::NotRanked { why: Unranked::Group }, Some(r)) => match r {
            Refusal::LoadgenBound { .. } => "group not ranked (load generator bound)".into(),
            r => format!("group not ranked ({})", refusal(r)),
        },
        (s, _) => standing(&s),
    }
}

/// Why one entry is not ranked, briefly.
pub fn unranked(why: &Unranked) -> String {
    match why {
        Unranked::NoSpeedup => "no paired run".into(),
        Unranked::TooFewRounds { rounds, needed } => format!("{rounds} rounds of {needed} needed"),
        Unranked::Drift { cores, .. } => format!("drift: above {cores} cores"),
        Unranked::Group => "group not ranked".into(),
    }
}

/// Why a group is not ranked, briefly.
pub fn refusal(r: &Refusal) -> String {
    match r {
        Refusal::NothingMeasured => "no run succeeded".into(),
        Refusal::NoOtherEntry => "nothing to compare with the baseline".into(),
        Refusal::DifferentWork => "the runs did different work".into(),
        Refusal::BaselineStartsNothing => "the baseline starts nothing".into(),
        Refusal::OpenLoop => "open loop: compared by what each kept up with".into(),
        Refusal::LoadgenBound {
            entry,
            busy_high_pct,
            bound_pct,
        } => format!(
            "the load generator was the bound (busy up to {} against {entry}, bound {})",
            percent_fixed(*busy_high_pct, 0),
            percent_fixed(*bound_pct, 0)
        ),
    }
}

/// An entry's label as a list names it: quoted where it holds a comma of its own
/// (`"tokio-current-thread, 1 core"`), so that a comma-separated list still reads.
pub fn label(label: &str) -> String {
    match label.contains(',') {
        true => format!("“{label}”"),
        false => label.to_string(),
    }
}
