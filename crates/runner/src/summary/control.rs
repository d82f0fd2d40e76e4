//! A group's A/A control: its baseline run a second time in each round, at a random place, so
//! that the two differ only by the machine's drift. Their paired interval is what the group can
//! resolve, and a control that comes out faster or slower than its twin says the group's
//! standings rest on drift.

use serde::{Deserialize, Serialize};

use crate::metric::Metric;
use crate::record::RunRecord;
use crate::stats::Paired;

/// A group's A/A control, as measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Control {
    /// The control's label: `<baseline> (A/A control)`.
    pub label: String,
    /// The baseline's wall time over the control's, paired by round: 1 up to drift. In an open
    /// loop, whose schedule sets the wall time, the baseline's CPU time over the control's.
    pub paired: Paired,
    /// What it pairs: CPU time (an open loop) rather than wall time.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub on_cpu: bool,
    /// The group's resolution, %: the farther end of the paired interval from 1. A difference
    /// smaller than this the group cannot tell from the machine's drift.
    pub resolution_pct: f64,
    /// The control's measured runs.
    pub runs: usize,
    /// The control's measured runs' time, s: what it cost.
    pub cost_s: f64,
}

/// The control of the group whose baseline is `baseline`, from the group's records `mine` (the
/// control's among them), on CPU time for an `open_loop` group; `None` without one.
pub(super) fn of(baseline: &str, mine: &[&RunRecord], open_loop: bool) -> Option<Control> {
    let runs: Vec<&RunRecord> = mine
        .iter()
        .copied()
        .filter(|r| r.control.as_deref() == Some(baseline))
        .collect();
    let label = runs.first()?.entry.clone();
    let paired = match open_loop {
        true => super::paired_ratio(mine, baseline, &label, Metric::CpuSeconds)?,
        false => super::paired_ratio(mine, baseline, &label, Metric::Wall)?,
    };
    Some(Control {
        on_cpu: open_loop,
        resolution_pct: resolution_pct(paired.ci95),
        cost_s: runs.iter().map(|r| r.elapsed_s).sum(),
        runs: runs.len(),
        label,
        paired,
    })
}

/// The farther end of `ci95` from 1, %.
pub fn resolution_pct(ci95: [f64; 2]) -> f64 {
    (ci95[1] - 1.0).max(1.0 - ci95[0]).max(0.0) * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::standing::Caveat;
    use crate::summary::summarise;
    use crate::testdata;

    /// [`testdata::matrix_rounds`] with an A/A control of cpu-sync whose wall time is the
    /// baseline's times `factor(round)`.
    fn with_control(rounds: usize, factor: impl Fn(usize) -> f64) -> Vec<RunRecord> {
        let mut records = testdata::matrix_rounds(rounds);
        for i in 0..rounds {
            let wall = (1.00 + i as f64 * 0.01) * factor(i);
            let mut r = testdata::ok("cpu-sync (A/A control)", "cpu-sync", i, wall, 100.0, 50.0);
            r.control = Some("cpu-sync".into());
            r.elapsed_s = wall;
            records.push(r);
        }
        records
    }

    #[test]
    fn a_control_is_no_entry_and_gives_its_group_a_resolution() {
        let wobble = [1.01, 0.99, 1.02, 0.98, 1.0, 1.01, 0.99, 1.0, 1.01, 0.99];
        let s = summarise(&with_control(10, |i| wobble[i]), &testdata::order());
        let cpu = &s.families[0];
        assert_eq!(cpu.entries.len(), 3, "the control is not an entry");
        let c = cpu.control.as_ref().expect("the control");
        assert_eq!(
            (c.label.as_str(), c.runs, c.paired.n),
            ("cpu-sync (A/A control)", 10, 10)
        );
        assert!(c.resolution_pct > 0.5 && c.resolution_pct < 3.1, "{c:?}");
        let resolution = cpu.ranking.caveats.iter().find_map(|k| match k {
            Caveat::Resolution { pct, rounds } => Some((*pct, *rounds)),
            _ => None,
        });
        assert_eq!(resolution, Some((c.resolution_pct, 10)));
        assert!(
            !cpu.ranking
                .caveats
                .iter()
                .any(|k| matches!(k, Caveat::ControlMoved { .. })),
            "a control within the margin: {:?}",
            cpu.ranking.caveats
        );
        assert!(s.families[1].control.is_none(), "IO ran no control");
    }

    #[test]
    fn a_control_that_moves_marks_its_group() {
        // The control ran 5-6 % slower than its twin in every round: drift, and it shows.
        let s = summarise(
            &with_control(10, |i| 1.05 + (i % 2) as f64 * 0.01),
            &testdata::order(),
        );
        let cpu = &s.families[0];
        let moved = cpu.ranking.caveats.iter().find_map(|k| match k {
            Caveat::ControlMoved { median, .. } => Some(*median),
            _ => None,
        });
        let median = moved.expect("the control moved");
        assert!(median < 0.96, "the baseline over its slower twin: {median}");
    }

    #[test]
    fn the_resolution_is_the_farther_end_of_the_interval_from_one() {
        assert!((resolution_pct([0.97, 1.01]) - 3.0).abs() < 1e-9);
        assert!((resolution_pct([0.995, 1.04]) - 4.0).abs() < 1e-9);
        assert!(
            (resolution_pct([1.01, 1.02]) - 2.0).abs() < 1e-9,
            "wholly above 1"
        );
    }
}
