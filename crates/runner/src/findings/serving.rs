//! Serving: what a held connection costs, what the event loop buys, and whether the load
//! generator is the ceiling.

use super::*;

/// Serving sweeps: each model's round trips/s and memory from the fewest connections to the
/// most, then tasks against threads at the most connections both served.
pub(super) fn serving(summary: &Summary) -> Vec<String> {
    let series: Vec<&Series> = summary
        .sweeps
        .iter()
        .filter(|s| s.family == Family::Serve)
        .flat_map(|s| s.series.iter())
        .collect();
    let mut out: Vec<String> = series.iter().filter_map(|s| serving_line(s)).collect();
    out.extend(loadgen_bound_line(&series));
    out.extend(event_loop_line(&series));
    out.extend(
        series
            .iter()
            .filter(|s| s.points.iter().any(|p| p.kind == Some(Kind::Threads)))
            .filter_map(|s| threads_stop_line(s)),
    );
    out.extend(loadgen_ceiling(summary));
    out
}

/// Where thread per connection stops: the most connections it held, with its threads, and the
/// first point it could not run with the limit that refused it (or that none did).
pub(super) fn threads_stop_line(s: &Series) -> Option<String> {
    let &(n, p) = served(s).last()?;
    let threads = p.mean(Metric::ThreadsPeak).map_or(String::new(), |t| {
        format!(" with {} threads at the peak", count(t))
    });
    let refused = s
        .points
        .iter()
        .filter(|q| q.ok == 0)
        .filter_map(|q| Some((q.sweep.as_ref()?.value, q)))
        .find(|(v, _)| *v > n);
    Some(match refused {
        Some((m, q)) => format!(
            "Where threads stop: {} held {} connections{threads}; at {} it could not run: {}.",
            s.label,
            count(n),
            count(m),
            code(q.error.as_deref().unwrap_or("no error recorded"))
        ),
        None => format!(
            "Where threads stop: {} held {} connections{threads}, the most this sweep asked for; no limit refused it here.",
            s.label,
            count(n)
        ),
    })
}

/// Whether one load generator is the ceiling: in a serving group with the same model driven by
/// one load generator and by more, the one's round trips/s against the more's (paired by round
/// `; the load generator spent 500 µs of CPU per round trip, the server 1010 µs`, when both
/// were measured.
fn cpu_per_round_trip(e: &EntrySummary) -> String {
    match (
        e.median(Metric::LoadgenCpuPerRoundTrip),
        e.median(Metric::ServerCpuPerRoundTrip),
    ) {
        (Some(l), Some(c)) => format!(
            "; the load generator spent {} of CPU per round trip, the server {}",
            micros(l),
            micros(c)
        ),
        _ => String::new(),
    }
}

/// when the more is the group's baseline).
pub(super) fn loadgen_ceiling(summary: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    for f in summary.families.iter().filter(|f| f.family == Family::Serve) {
        for one in f.entries.iter().filter(|e| e.loadgens == Some(1)) {
            let Some(more) = f
                .entries
                .iter()
                .find(|e| e.model == one.model && e.loadgens.is_some_and(|n| n > 1))
            else {
                continue;
            };
            let (Some(r1), Some(rn)) = (
                one.median(Metric::RoundTripsPerS),
                more.median(Metric::RoundTripsPerS),
            ) else {
                continue;
            };
            let paired = one
                .speedup
                .as_ref()
                .filter(|_| f.baseline == more.label)
                .map_or(String::new(), |p| {
                    format!(
                        "; paired by round, its speed over the whole run (wall time, starting and connecting included) was {} of theirs",
                        speedup(p)
                    )
                });
            let rates = rate_ratio(one, more).map_or(String::new(), |p| {
                let verdict = match p.standing(summary.margin_pct) {
                    Standing::Slower => {
                        "a second load generator raised the round trips/s, so one is the ceiling here"
                    }
                    Standing::Tie => "a tie: a second load generator added nothing beyond the margin",
                    Standing::Faster => "one load generator drove more round trips/s than two",
                    Standing::TooFew => "too few rounds to say",
                };
                format!(
                    "; its round trips/s over theirs, paired by round, {}: {verdict}",
                    speedup(&p)
                )
            });
            let cpu = cpu_per_round_trip(one);
            out.push(format!(
                "Is one load generator the ceiling? {} driven by one reached {} round trips/s, by {} together {}: {} of theirs{rates}{paired}{cpu}.",
                one.model,
                count(r1),
                more.loadgens.unwrap_or(0),
                count(rn),
                times(r1 / rn, 2),
            ));
        }
    }
    out
}

/// `one`'s round trips/s over `more`'s, paired by round (both ran every round, in order).
pub(super) fn rate_ratio(one: &EntrySummary, more: &EntrySummary) -> Option<crate::stats::Paired> {
    let (a, b) = (
        one.stats(Metric::RoundTripsPerS)?,
        more.stats(Metric::RoundTripsPerS)?,
    );
    (a.values.len() == b.values.len()).then_some(())?;
    let ratios: Vec<f64> = a.values.iter().zip(&b.values).map(|(x, y)| x / y).collect();
    crate::stats::Paired::of(&ratios)
}

/// A series' points that ran, by connections.
pub(super) fn served(s: &Series) -> Vec<(f64, &EntrySummary)> {
    s.points
        .iter()
        .filter(|p| p.ok > 0 && p.has(Metric::RoundTripsPerS))
        .filter_map(|p| p.sweep.as_ref().map(|a| (a.value, p)))
        .collect()
}

/// How the kernel spread the connections over a series' loops, from 10 connections on (one
/// connection is always all one loop's); empty for a model with one loop.
fn spread(ok: &[(f64, &EntrySummary)]) -> String {
    let spread: Vec<(f64, f64)> = ok
        .iter()
        .filter(|(n, _)| *n >= 10.0)
        .filter_map(|(n, p)| Some((*n, p.mean(Metric::BusiestLoopPct)?)))
        .collect();
    let (Some(&(m0, b0)), Some(&(m1, b1))) = (spread.first(), spread.last()) else {
        return String::new();
    };
    let mut out = format!(
        "; the busiest of its loops took {} of the connections at {}",
        percent(b0),
        count(m0)
    );
    if m1 > m0 {
        let _ = write!(out, ", {} at {}", percent(b1), count(m1));
    }
    out
}

/// A serving sweep's series: round trips/s and memory from its fewest connections to its most.
pub(super) fn serving_line(s: &Series) -> Option<String> {
    let ok = served(s);
    let (&(n0, first), &(n1, last)) = (ok.first()?, ok.last()?);
    let rate = |p: &EntrySummary| p.mean(Metric::RoundTripsPerS).unwrap_or(f64::NAN);
    let rss = |p: &EntrySummary| p.mean(Metric::RssPeak).unwrap_or(f64::NAN);
    let mut line = format!(
        "{}: {} round trips/s at {} connection{}, {} at {}; peak RSS {} → {}",
        s.label,
        count(rate(first)),
        count(n0),
        if n0 == 1.0 { "" } else { "s" },
        count(rate(last)),
        count(n1),
        mib(rss(first)),
        mib(rss(last))
    );
    // What each run added above its own start (the window's RSS at its opening), so that
    // memory a model used before the window (serve-threads' check of the OS thread limit) is not
    // counted; the slope between the fewest and the most connections is one connection's cost.
    let added_kib = |p: &EntrySummary, n: f64| p.mean(Metric::RssPerConnection).map(|k| k * n);
    let grew = match (first.stats(Metric::RssPeak), last.stats(Metric::RssPeak)) {
        (Some(a), Some(b)) => !a.overlaps(b),
        _ => true,
    };
    if n1 > n0 && !grew {
        line.push_str(", no growth beyond the runs' spread (the 95 % intervals of the peaks overlap)");
    } else if let (true, Some(a0), Some(a1)) = (n1 > n0, added_kib(first, n0), added_kib(last, n1)) {
        let _ = write!(
            line,
            ", {} per connection above the {}-connection run",
            kib((a1 - a0) / (n1 - n0)),
            count(n0)
        );
    }
    line.push_str(&spread(&ok));
    let pss = |p: &EntrySummary| p.mean(Metric::HeldPss);
    if let (true, Some(p0), Some(p1)) = (n1 > n0, pss(first), pss(last)) {
        let _ = write!(
            line,
            "; PSS with every connection open {} → {} ({} per connection)",
            mib(p0),
            mib(p1),
            kib((p1 - p0) * 1024.0 / (n1 - n0))
        );
    }
    if let Some(q) = s.points.iter().find(|p| p.ok == 0) {
        let at = q.sweep.as_ref().map_or(0.0, |a| a.value);
        let _ = write!(line, "; it could not run at {}", count(at));
    }
    line.push('.');
    Some(line)
}

/// The busiest load generator at `n` connections over the series, when it was the bound
/// (the upper end of its busy share's interval at [`crate::summary::standing::LOADGEN_BOUND_PCT`] or more).
pub(super) fn loadgen_bound<'a>(series: &[&'a Series], n: f64) -> Option<(f64, &'a str)> {
    let rules = crate::summary::standing::Rules::default();
    crate::summary::standing::busiest_loadgen(
        series.iter().filter_map(|s| Some((s.at(n)?, s.label.as_str()))),
        &rules,
    )
}

/// Where the load generator, not the server, bounded the round trips: those points are not
/// compared.
pub(super) fn loadgen_bound_line(series: &[&Series]) -> Option<String> {
    let mut values: Vec<f64> = series
        .iter()
        .flat_map(|s| served(s).into_iter().map(|(n, _)| n))
        .collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let bound: Vec<String> = values
        .iter()
        .filter_map(|n| {
            let (pct, label) = loadgen_bound(series, *n)?;
            Some(format!(
                "{} connections (busy {} against {label})",
                count(*n),
                percent(pct)
            ))
        })
        .collect();
    (!bound.is_empty()).then(|| {
        format!(
            "The load generator was the bound at {}: the round trips/s there measure it as much as the servers, so the servers are not compared there.",
            bound.join(", ")
        )
    })
}

/// Tasks against threads at the most connections both served where the load generator was not
/// the bound: rate, memory, p99.
pub(super) fn event_loop_line(series: &[&Series]) -> Option<String> {
    let of = |kind: Kind| {
        series
            .iter()
            .filter(|s| s.points.iter().any(|p| p.kind == Some(kind)))
            .max_by(|a, b| {
                let rate = |s: &Series| served(s).last().and_then(|(_, p)| p.mean(Metric::RoundTripsPerS));
                rate(a).unwrap_or(0.0).total_cmp(&rate(b).unwrap_or(0.0))
            })
    };
    let (tasks, threads) = (of(Kind::Async)?, of(Kind::Threads)?);
    let n = served(threads)
        .iter()
        .rev()
        .map(|(v, _)| *v)
        .find(|v| served(tasks).iter().any(|(w, _)| w == v) && loadgen_bound(series, *v).is_none())?;
    let (t, h) = (tasks.at(n)?, threads.at(n)?);
    let get = |p: &EntrySummary, m: Metric| p.mean(m).unwrap_or(f64::NAN);
    Some(format!(
        "At {} connections, {} served {} the round trips/s of {} ({} against {}), with {} per connection against {} of memory and a p99 of {} against {}.",
        count(n),
        tasks.label,
        times(get(t, Metric::RoundTripsPerS) / get(h, Metric::RoundTripsPerS), 2),
        threads.label,
        count(get(t, Metric::RoundTripsPerS)),
        count(get(h, Metric::RoundTripsPerS)),
        kib(get(t, Metric::RssPerConnection)),
        kib(get(h, Metric::RssPerConnection)),
        millis(get(t, Metric::RoundTripP99), 1),
        millis(get(h, Metric::RoundTripP99), 1)
    ))
}
