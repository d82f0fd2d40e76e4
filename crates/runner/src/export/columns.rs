//! The less common columns of a group's table of medians: when they show, what they mean, and
//! their cells.

use crate::format::speedup;
use crate::metric::Metric;
use crate::summary::{EntrySummary, FamilySummary};

/// The budget from which memory per request in flight is a column: below it the runtime's and
/// the library's fixed cost, spread over few requests, would pass for a cost per request.
pub const MANY_IN_FLIGHT: u64 = 1_000;

/// True when every entry of `f` holds [`MANY_IN_FLIGHT`] requests or more.
pub fn many_in_flight(f: &FamilySummary) -> bool {
    f.entries
        .iter()
        .all(|e| e.in_flight.is_some_and(|n| n >= MANY_IN_FLIGHT))
}

/// What the table's less common columns mean, where it has them.
pub fn notes(f: &FamilySummary) -> String {
    let mut out = String::new();
    if many_in_flight(f) && f.entries.iter().any(|e| e.has(Metric::RssPerInFlight)) {
        out.push_str(
            "\nPer request in flight: peak RSS above the RSS at the start, over the requests in flight.\n",
        );
    }
    if f.uneven.is_some() {
        out.push_str("\np99 over the baseline's: the entry's p99 latency over the baseline's in the same round, the median over the rounds with its 95 % interval; below 1 is a shorter tail.\n");
    }
    out
}

/// An entry's p99 latency over the baseline's, paired (uneven-load groups).
pub fn p99_cell(f: &FamilySummary, e: &EntrySummary) -> String {
    match &e.p99_ratio {
        _ if e.label == f.baseline => "1".into(),
        Some(p) => speedup(p),
        None => "–".into(),
    }
}
