//! Open-loop runs (`io.rate`): the report's table of offered against achieved and what the
//! corrected latency means, the verdict of which entries kept up with the schedule, and each
//! model's knee in a sweep over the offered rate.

use std::fmt::Write;

use crate::format::{millis_num, num, percent_fixed, req_per_s, times};
use crate::metric::Metric;
use crate::summary::{EntrySummary, FamilySummary, Series, Summary};

/// The swept key whose sweeps are latency against load.
pub const RATE_KEY: &str = "io.rate";
/// The swept key that, open loop, sets the schedule's length.
pub const REQUESTS_KEY: &str = "io.requests";
use crate::summary::load::Knee;
pub use crate::summary::load::{KEEPS_UP, KNEE};

fn ms(e: &EntrySummary, m: Metric) -> String {
    e.mean(m).map_or("–".into(), millis_num)
}

/// The group's open-loop section: what open loop and the corrected latency mean, then a row
/// per entry (empty for a closed-loop group).
pub fn section(f: &FamilySummary) -> String {
    if !f.is_open_loop() {
        return String::new();
    }
    let mut out = String::from("### Open loop: offered against achieved\n\n");
    let _ = writeln!(
        out,
        "Requests were sent on a fixed schedule (request *i* due *i* / `io.rate` seconds after the first) whatever the responses did, so a worker that was still busy sent its next request late. *Plain* latency counts from the actual send, as a closed-loop client measures it; *corrected* latency counts from the scheduled send, so the time a request waited for a free worker is in it (the correction for coordinated omission). Corrected exceeds plain by the send delay at least: a millisecond or two where the client's timer wakes late; far more where the entry could not keep up and its requests queued: that queue, and with it the corrected figures, grows with the run's length (`io.requests` / `io.rate`), while the plain figures stay near the service time. A request more than `io.timeout_ms` overdue when a worker reached it was dropped, not sent. An entry keeps up when it achieves at least {} of the offered rate. The figures of this section are means over the runs.\n",
        percent_fixed(KEEPS_UP * 100.0, 0)
    );
    out.push_str("| entry | in flight | offered (req/s) | achieved (req/s) | sent late | dropped | p50 plain | p50 corrected | p99 plain | p99 corrected | send delay p99 |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let pct = |e: &EntrySummary, m: Metric| e.mean(m).map_or("–".into(), |v| percent_fixed(v, 1));
    let rate = |e: &EntrySummary, m: Metric| e.mean(m).map_or("–".into(), num);
    for e in &f.entries {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            e.label,
            e.in_flight.map_or("–".into(), |n| n.to_string()),
            rate(e, Metric::OfferedPerS),
            rate(e, Metric::AchievedPerS),
            pct(e, Metric::LatePct),
            pct(e, Metric::DroppedPct),
            ms(e, Metric::LatencyP50),
            ms(e, Metric::CorrectedP50),
            ms(e, Metric::LatencyP99),
            ms(e, Metric::CorrectedP99),
            ms(e, Metric::SendDelayP99),
        );
    }
    out.push('\n');
    out
}

/// The verdict of an open-loop group: who kept up with the schedule (by corrected p99), and
/// for each entry that did not, how far behind it fell and what its plain latency hides. Wall
/// times are not ranked: open loop, they are the schedule's length for every entry that keeps up.
pub fn sentences(f: &FamilySummary) -> Vec<String> {
    let mut kept: Vec<&EntrySummary> = f.entries.iter().filter(|e| e.keeps_up() == Some(true)).collect();
    kept.sort_by(|a, b| p99(a).total_cmp(&p99(b)));
    let mut out = Vec::new();
    if !kept.is_empty() {
        let list: Vec<String> = kept
            .iter()
            .map(|e| {
                format!(
                    "{}: {} achieved, corrected p99 {}",
                    crate::words::named(e),
                    req_per_s(e.mean(Metric::AchievedPerS).unwrap_or(f64::NAN)),
                    ms(e, Metric::CorrectedP99)
                )
            })
            .collect();
        out.push(format!(
            "Kept up with the schedule (lowest corrected p99 first): {}. Wall times are not ranked: open loop, an entry that keeps up takes the schedule's length whatever its speed.",
            list.join("; ")
        ));
    }
    out.extend(
        f.entries
            .iter()
            .filter(|e| e.keeps_up() == Some(false))
            .map(behind),
    );
    out
}

fn p99(e: &EntrySummary) -> f64 {
    e.mean(Metric::CorrectedP99).unwrap_or(f64::INFINITY)
}

/// One entry that fell behind: achieved against offered, its send delay, corrected against plain.
fn behind(e: &EntrySummary) -> String {
    let mean = |m: Metric| e.mean(m).unwrap_or(f64::NAN);
    let mut line = format!(
        "{} could not keep up: it achieved {} of the {} offered, its requests were sent up to {} late (send delay p99), so its corrected p99 is {} while its plain p99, counted from the actual send, is {} ({} less): the plain figure hides the queue.",
        crate::words::named(e),
        req_per_s(mean(Metric::AchievedPerS)),
        req_per_s(mean(Metric::OfferedPerS)),
        millis_num(mean(Metric::SendDelayP99)),
        millis_num(mean(Metric::CorrectedP99)),
        millis_num(mean(Metric::LatencyP99)),
        times(mean(Metric::CorrectedP99) / mean(Metric::LatencyP99), 0),
    );
    if let Some(d) = e.mean(Metric::DroppedPct).filter(|d| *d > 0.0) {
        let _ = write!(
            line,
            " {} of its requests fell more than the timeout behind and were dropped.",
            percent_fixed(d, 1)
        );
    }
    line
}

/// The knee of every series of every sweep over [`RATE_KEY`].
pub fn knees(summary: &Summary) -> Vec<String> {
    rate_series(summary).filter_map(knee).collect()
}

/// A point's latencies and whether it kept up with `rate`.
fn at(rate: f64, p: &EntrySummary) -> String {
    let achieved = p.mean(Metric::AchievedPerS).unwrap_or(f64::NAN);
    format!(
        "corrected p99 {} (plain {}), achieved {}",
        millis_num(p.mean(Metric::CorrectedP99).unwrap_or(f64::NAN)),
        millis_num(p.mean(Metric::LatencyP99).unwrap_or(f64::NAN)),
        if p.keeps_up() == Some(true) {
            "the offered rate".to_string()
        } else {
            format!("{} of {}", req_per_s(achieved), req_per_s(rate))
        }
    )
}

/// The knee of `label`'s series at point `k` of `points` (rate, point), against the lowest
/// rate's corrected p99 `base`.
fn knee_at(label: &str, points: &[(f64, &EntrySummary)], k: usize, base: f64) -> String {
    let (low, (rate, p)) = (points[0].0, points[k]);
    let last_ok = points[..k]
        .iter()
        .rev()
        .find(|(_, p)| p.keeps_up() == Some(true))
        .map_or(String::new(), |(r, _)| {
            format!(
                "; the highest rate below it that it kept up with: {}",
                req_per_s(*r)
            )
        });
    format!(
        "{label}: knee at {} offered, where {} ({} its {} at {}){last_ok}.",
        req_per_s(rate),
        at(rate, p),
        times(p.mean(Metric::CorrectedP99).unwrap_or(f64::NAN) / base, 1),
        millis_num(base),
        req_per_s(low)
    )
}

/// One series' knee, or why it has none.
fn knee(s: &Series) -> Option<String> {
    let points: Vec<(f64, &EntrySummary)> = s
        .points
        .iter()
        .filter(|p| p.has(Metric::CorrectedP99))
        .filter_map(|p| p.sweep.as_ref().map(|a| (a.value, p)))
        .collect();
    let &(low, first) = points.first()?;
    let base = first.mean(Metric::CorrectedP99)?;
    Some(match crate::summary::load::knee(&points)? {
        Knee::AtTheLowest => format!(
            "{}: past its capacity already at the lowest rate, {} offered: {}.",
            s.label,
            req_per_s(low),
            at(low, first)
        ),
        Knee::At(k) => knee_at(&s.label, &points, k, base),
        Knee::None => {
            let &(high, last) = points.last()?;
            format!(
                "{}: no knee up to {} offered: {} there, against {} at {}.",
                s.label,
                req_per_s(high),
                at(high, last),
                millis_num(base),
                req_per_s(low)
            )
        }
    })
}

/// Open-loop sweeps over `io.requests` (the schedule's length at a fixed rate): per series, the
/// corrected and the plain p99 from the shortest schedule to the longest.
pub fn lengths(summary: &Summary) -> Vec<String> {
    summary
        .sweeps
        .iter()
        .flat_map(|sweep| sweep.series.iter().filter(|s| s.key == REQUESTS_KEY))
        .filter_map(length_line)
        .collect()
}

fn length_line(s: &Series) -> Option<String> {
    let points: Vec<&EntrySummary> = s.points.iter().filter(|p| p.has(Metric::CorrectedP99)).collect();
    let last = points.last()?;
    let walk = |m: Metric| -> String {
        let v: Vec<String> = points
            .iter()
            .map(|p| millis_num(p.mean(m).unwrap_or(f64::NAN)))
            .collect();
        v.join(" → ")
    };
    let lengths: Vec<String> = points
        .iter()
        .filter_map(|p| {
            Some(format!(
                "{} s",
                num(p.sweep.as_ref()?.value / p.mean(Metric::OfferedPerS)?)
            ))
        })
        .collect();
    let verdict = if last.keeps_up() == Some(false) {
        format!(
            "it could not keep up ({} of the {} offered at the longest), so its queue, and the corrected p99 with it, grew with the schedule while the plain p99, which starts the clock when a request finally leaves, stayed near the service time",
            req_per_s(last.mean(Metric::AchievedPerS).unwrap_or(f64::NAN)),
            req_per_s(last.mean(Metric::OfferedPerS).unwrap_or(f64::NAN))
        )
    } else {
        "it kept up, so neither figure depends on the run's length".to_string()
    };
    Some(format!(
        "{} at {} offered, schedules of {}: corrected p99 {}; plain p99 {}: {verdict}.",
        s.label,
        req_per_s(last.mean(Metric::OfferedPerS).unwrap_or(f64::NAN)),
        lengths.join(", "),
        walk(Metric::CorrectedP99),
        walk(Metric::LatencyP99),
    ))
}

/// The knee rule as the findings state it.
pub fn knee_rule(summary: &Summary) -> String {
    let mut starts: Vec<(f64, Vec<&str>)> = Vec::new();
    for s in rate_series(summary) {
        let Some(low) = s.points.iter().find_map(|p| p.sweep.as_ref().map(|a| a.value)) else {
            continue;
        };
        match starts.iter_mut().find(|(v, _)| *v == low) {
            Some((_, labels)) => labels.push(&s.label),
            None => starts.push((low, vec![&s.label])),
        }
    }
    let own = match starts.as_slice() {
        [_, _, ..] => {
            let each: Vec<String> = starts
                .iter()
                .map(|(low, labels)| format!("{} from {}", labels.join(", "), req_per_s(*low)))
                .collect();
            format!(
                " (the series start at different rates, so each knee is judged against its own lowest: {})",
                each.join("; ")
            )
        }
        _ => String::new(),
    };
    format!(
        "A model's knee is the lowest offered rate from which on its corrected p99 stays above {} its own value at its lowest offered rate{own}; it keeps up where it achieves at least {} of the offered rate.",
        times(KNEE, 0),
        percent_fixed(KEEPS_UP * 100.0, 0)
    )
}

/// Every series of every sweep over [`RATE_KEY`].
fn rate_series(summary: &Summary) -> impl Iterator<Item = &Series> {
    summary
        .sweeps
        .iter()
        .flat_map(|sweep| sweep.series.iter().filter(|s| s.key == RATE_KEY))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::summarise;
    use crate::testdata;

    #[test]
    fn the_knee_is_where_the_corrected_p99_stays_past_the_line() {
        let summary = summarise(&testdata::rate_sweep(), &[]);
        let findings = crate::findings::markdown(&summary);
        assert!(
            findings.contains("### Latency against load: where is each model's knee?\n\n- A model's knee is"),
            "{findings}"
        );
        assert!(
            !findings.contains("What does concurrency buy"),
            "a rate sweep is not a budget sweep: {findings}"
        );
        let lines = knees(&summary);
        assert_eq!(lines.len(), 3, "{lines:#?}");
        // threads: 12 ms at 1,000; 40 ms at 2,000 passes 36 ms but 300 and 900 follow: knee at 2,000.
        assert!(lines[1].starts_with("threads: knee at 2000 req/s offered, where corrected p99 40.00 ms (plain 30.00 ms), achieved the offered rate (3.3× its 12.00 ms at 1000 req/s)"), "{}", lines[1]);
        assert!(lines[0].starts_with("tokio: no knee up to 8000 req/s offered: corrected p99 16.00 ms (plain 12.50 ms), achieved the offered rate there, against 13.00 ms at 1000 req/s"), "{}", lines[0]);
        assert!(lines[2].starts_with("sync: past its capacity already at the lowest rate, 1000 req/s offered: corrected p99 900.0 ms (plain 11.50 ms), achieved 87 req/s of 1000 req/s"), "{}", lines[2]);
    }

    #[test]
    fn the_rule_says_when_series_start_at_different_rates() {
        let same = knee_rule(&summarise(&testdata::rate_sweep(), &[]));
        assert!(
            same.contains("3× its own value at its lowest offered rate;"),
            "{same}"
        );
        // sync starts at 2,000 instead of 1,000: each knee is judged against its own start.
        let records: Vec<crate::record::RunRecord> = testdata::rate_sweep()
            .into_iter()
            .filter(|r| r.entry != "sync @ io.rate=1000")
            .collect();
        let rule = knee_rule(&summarise(&records, &[]));
        assert!(
            rule.contains(
                "judged against its own lowest: tokio, threads from 1000 req/s; sync from 2000 req/s"
            ),
            "{rule}"
        );
    }

    #[test]
    fn a_single_noisy_point_is_not_a_knee() {
        let mut records = testdata::rate_sweep();
        // tokio jumps to 50 ms at 2,000 only, then is back at 13-16 ms.
        for r in records.iter_mut().filter(|r| r.entry == "tokio @ io.rate=2000") {
            let open = r
                .report
                .as_mut()
                .unwrap()
                .io
                .as_mut()
                .unwrap()
                .open_loop
                .as_mut()
                .unwrap();
            open.corrected_ms.p99 = 50.0;
        }
        let lines = knees(&summarise(&records, &[]));
        assert!(
            lines[0].starts_with("tokio: no knee up to 8000 req/s"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn the_verdict_says_who_kept_up_and_what_the_plain_latency_hides() {
        let records = vec![
            testdata::open_run("io-tokio", 500.0, 499.0, 11.8, 13.2, 0),
            testdata::open_run("io-sync", 500.0, 87.0, 11.7, 9400.0, 20),
        ];
        let summary = summarise(&records, &[]);
        let f = &summary.families[0];
        assert!(f.is_open_loop());
        let said = sentences(f);
        assert_eq!(said.len(), 2, "{said:#?}");
        assert!(said[0].starts_with("Kept up with the schedule (lowest corrected p99 first): io-tokio (50 in flight): 499 req/s achieved, corrected p99 13.20 ms."), "{}", said[0]);
        assert!(said[1].starts_with("io-sync (1 in flight) could not keep up: it achieved 87 req/s of the 500 req/s offered, its requests were sent up to 9388 ms late (send delay p99), so its corrected p99 is 9400 ms while its plain p99, counted from the actual send, is 11.70 ms (803× less)"), "{}", said[1]);
        assert!(
            said[1].ends_with("20.0 % of its requests fell more than the timeout behind and were dropped."),
            "{}",
            said[1]
        );
        let table = section(f);
        assert!(table.contains("| io-sync | 1 | 500.0 | 87.00 | 50.0 % | 20.0 % | 2.00 ms | 4700 ms | 11.70 ms | 9400 ms | 9388 ms |"), "{table}");
    }

    #[test]
    fn a_closed_loop_group_has_no_open_loop_section() {
        let summary = summarise(&testdata::matrix(), &testdata::order());
        assert!(
            summary
                .families
                .iter()
                .all(|f| !f.is_open_loop() && section(f).is_empty())
        );
        assert!(knees(&summary).is_empty());
    }

    #[test]
    fn a_length_sweep_shows_the_queue_growing_with_the_schedule() {
        let mut records = Vec::new();
        for (requests, corrected) in [(500.0, 4700.0), (1000.0, 9400.0), (2000.0, 18800.0)] {
            let mut r = testdata::open_run("io-sync", 500.0, 87.0, 11.8, corrected, 0);
            r.entry = format!("io-sync @ io.requests={requests}");
            r.sweep = Some(crate::record::SweepPoint {
                axis: "requests".into(),
                key: REQUESTS_KEY.into(),
                value: requests,
                series: "io-sync".into(),
            });
            records.push(r);
        }
        let summary = summarise(&records, &[]);
        let findings = crate::findings::markdown(&summary);
        assert!(findings.contains("### Open loop past capacity: does the latency depend on the run's length?\n\n- io-sync at 500 req/s"), "{findings}");
        let lines = lengths(&summary);
        assert_eq!(
            lines,
            [
                "io-sync at 500 req/s offered, schedules of 1.00 s, 2.00 s, 4.00 s: corrected p99 4700 ms → 9400 ms → 18800 ms; plain p99 11.80 ms → 11.80 ms → 11.80 ms: it could not keep up (87 req/s of the 500 req/s offered at the longest), so its queue, and the corrected p99 with it, grew with the schedule while the plain p99, which starts the clock when a request finally leaves, stayed near the service time."
            ]
        );
    }
}
