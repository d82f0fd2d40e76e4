//! The words for decisions made elsewhere: a standing, why something is not ranked. Each
//! decision has one wording here; nothing reads the words back.

use crate::format::percent_fixed;
use crate::summary::standing::{EntryStanding, Refusal, Unranked};

/// A standing in a table cell: `faster`, `tied`, `not ranked (too few rounds)`.
pub fn standing(s: &EntryStanding) -> String {
    match s {
        EntryStanding::NotRanked { why } => format!("not ranked ({})", unranked(why)),
        s => standing_short(s).into(),
    }
}

/// A standing in at most 14 characters, for the terminal's table.
pub fn standing_short(s: &EntryStanding) -> &'static str {
    match s {
        EntryStanding::Baseline => "baseline",
        EntryStanding::Faster { .. } => "faster",
        EntryStanding::Slower { .. } => "slower",
        EntryStanding::Tied => "tied",
        EntryStanding::NotRanked { .. } => "not ranked",
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

/// Why the auto rounds stopped, as the report's header says it.
pub fn stopped(s: &crate::record::Stopped) -> String {
    use crate::format::fixed;
    use crate::record::{StopReason, Stopped};
    let stop = match s {
        Stopped::Typed(stop) => stop,
        Stopped::Text(text) => return text.clone(),
    };
    let planned = stop.plan.as_ref().map_or(String::new(), |p| {
        let range = match &p.most_entry {
            Some(entry) => format!("{} to {} rounds (most: {})", p.least, p.most, label(entry)),
            None => format!("{} rounds each", p.least),
        };
        format!(
            "; the {} pilot rounds planned {range} for a ±{} % interval",
            p.pilot,
            fixed(p.target_pct, 1)
        )
    });
    let short = match stop.short.len() {
        0 => String::new(),
        _ => {
            let each: Vec<String> = stop
                .short
                .iter()
                .map(|e| format!("{} {} of {}", label(&e.entry), e.done, e.planned))
                .collect();
            format!(" (short of their plan: {})", each.join(", "))
        }
    };
    let n = stop.rounds;
    match stop.reason {
        StopReason::PlanMet => {
            format!("every entry ran the rounds planned from its pilot, after {n} rounds{planned}")
        }
        StopReason::RoundLimit { limit } => {
            format!("the round limit ({limit}) ended the rounds{planned}{short}")
        }
        StopReason::TimeBudget { budget_s } => {
            format!("the time budget ({budget_s} s) ended the rounds after {n}{planned}{short}")
        }
    }
}

/// An entry as sentences name it: its label, and for IO its budget, `io-tokio (50 in flight)`.
pub fn named(e: &crate::summary::EntrySummary) -> String {
    match e.in_flight {
        Some(n) => format!("{} ({n} in flight)", e.label),
        None => e.label.clone(),
    }
}

/// An entry's measured runs as tables give them: `5`, or `3 (+2 failed)`.
pub fn runs(e: &crate::summary::EntrySummary) -> String {
    match e.failed {
        0 => e.ok.to_string(),
        failed => format!("{} (+{failed} failed)", e.ok),
    }
}

/// A group's resolution from its A/A control, `Resolves differences beyond ±3.1 % (…).`, and
/// what a control
/// that moved means.
pub fn resolution(c: &crate::summary::control::Control, moved: bool) -> String {
    let [low, high] = c.paired.ci95;
    let mut out = format!(
        "Resolves {}differences beyond ±{} % (its A/A control, the baseline run again in {} rounds: {}{}×, {}–{}).",
        match c.on_cpu {
            true => "CPU-time ",
            false => "",
        },
        crate::format::fixed(c.resolution_pct, 1),
        c.paired.n,
        match c.on_cpu {
            true => "the baseline's CPU time over the control's ",
            false => "",
        },
        crate::format::fixed(c.paired.median, 3),
        crate::format::fixed(low, 3),
        crate::format::fixed(high, 3),
    );
    if moved {
        out.push_str(" **The control differs from its twin beyond the margin: the standings below rest partly on the machine's drift.**");
    }
    out
}

/// What the A/A controls cost: `A/A controls: 18 runs, 21.3 s of the measured runs' 160.2 s (13 %).`
pub fn control_cost(runs: usize, cost_s: f64, measured_s: f64) -> String {
    format!(
        "A/A controls: {runs} runs, {} s of the measured runs' {} s ({} %); `runner.control = false` saves them.",
        crate::format::fixed(cost_s, 1),
        crate::format::fixed(measured_s, 1),
        crate::format::fixed(cost_s / measured_s.max(1e-9) * 100.0, 0),
    )
}

#[cfg(test)]
mod tests {
    use crate::record::{Meta, PilotPlan, ShortOfPlan, Stop, StopReason, Stopped};

    #[test]
    fn a_stop_reads_back_typed_and_an_older_sentence_as_written() {
        let stop = Stopped::Typed(Stop {
            reason: StopReason::TimeBudget { budget_s: 150 },
            rounds: 29,
            plan: Some(PilotPlan {
                pilot: 6,
                least: 6,
                most: 60,
                most_entry: Some("serve-monoio 2".into()),
                target_pct: 5.0,
            }),
            short: vec![ShortOfPlan {
                entry: "tokio, 1 core".into(),
                done: 29,
                planned: 60,
            }],
        });
        let meta = Meta {
            stopped: Some(stop.clone()),
            ..Meta::default()
        };
        let back: Meta = serde_json::from_str(&serde_json::to_string(&meta).unwrap()).unwrap();
        assert_eq!(back.stopped, Some(stop.clone()));
        // The sentence of 2026-12-04-vm's meta.json, which older runners wrote as text.
        let old = r#"{"command":"runner","config":null,"started_at":"","finished_at":"","interrupted":false,"stopped":"the time budget (150 s) ended the rounds after 29"}"#;
        let old: Meta = serde_json::from_str(old).unwrap();
        assert_eq!(
            old.stopped,
            Some(Stopped::Text(
                "the time budget (150 s) ended the rounds after 29".into()
            ))
        );
        assert_eq!(
            super::stopped(&stop),
            "the time budget (150 s) ended the rounds after 29; the 6 pilot rounds planned 6 to 60 rounds (most: serve-monoio 2) for a ±5.0 % interval (short of their plan: “tokio, 1 core” 29 of 60)"
        );
    }
}
