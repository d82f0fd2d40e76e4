//! The report's "Rust against Python" section: per family, each Python entry against its Rust
//! counterpart, then each against its group's Python sync entry, paired by round
//! ([`crate::versus`]); then the study's own published figures, quoted as facts of its machine.

use std::fmt::Write as _;

use concbench_core::report::Family;

use crate::format::{mib, seconds, speedup};
use crate::stats::Standing;
use crate::summary::Summary;
use crate::summary::versus::{Against, TITLE, Versus};

/// The study's published figures (its README: CPython 3.12 on 4 cores, httpbin over the network),
/// quoted beside ours as facts of its machine, never as ours.
const STUDY: &[(Family, &str)] = &[
    (
        Family::Cpu,
        "CPU, 100,000 URLs: sync 9.77 s, asyncio 9.78 s, 10 threads 12.35 s (counting 51,145,360 bytes, not 51,258,766: each thread generated its own first URLs); 15.79 MB for sync.",
    ),
    (
        Family::Io,
        "IO, GETs of `/anything/{i}` to httpbin on an AWS EC2 host: sync (requests) 18.16 s for 100 and 182.84 s for 1,000; asyncio (aiohttp, all in flight) 14.08 s for 10,000 with 6 failed, 30.36 MB for sync and 130.68 MB at most for asyncio.",
    ),
];

/// The section, or nothing when the run had no Python entry beside a Rust one.
pub fn markdown(summary: &Summary) -> String {
    if summary.versus.is_empty() {
        return String::new();
    }
    let mut out = format!("## {TITLE}\n\n");
    let interpreter =
        super::prose::interpreters(&summary.python).map_or(String::new(), |p| format!(" Interpreters: {p}."));
    let _ = write!(
        out,
        "The Python entries (`scripts/python/py-*.py`) ran in the same rounds as the Rust models, on the same inputs, under the same budget, and each group's section below says whether they did the same work (same units and checksum). Each ratio is paired by round: in every round, the Python entry's figure over the other's (above 1: the other is faster, or holds less), the median over the rounds with its 95 % interval; within 1 ± {} % it is a tie.{interpreter}\n\n",
        summary.margin_pct
    );
    for family in Family::ALL {
        let rows: Vec<&Versus> = summary.versus.iter().filter(|v| v.family == family).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {}\n", family_title(family));
        out.push_str(&table(&rows, Against::Rust));
        out.push_str(&table(&rows, Against::PythonSync));
        for (_, fact) in STUDY.iter().filter(|(f, _)| *f == family) {
            let _ = writeln!(
                out,
                "The study's own figures (its machine, quoted from its README): {fact}\n"
            );
        }
    }
    out
}

fn family_title(family: Family) -> &'static str {
    match family {
        Family::Cpu => "CPU-bound",
        Family::Io => "IO-bound",
        Family::Serve => "Serving",
    }
}

fn table(rows: &[&Versus], against: Against) -> String {
    let rows: Vec<&&Versus> = rows.iter().filter(|v| v.against == against).collect();
    if rows.is_empty() {
        return String::new();
    }
    let (intro, other) = match against {
        Against::Rust => ("Each Python entry against its Rust counterpart:", "Rust"),
        Against::PythonSync => (
            "The study's question asked of Python: each Python entry against the group's Python sync entry:",
            "sync",
        ),
    };
    let mut out = format!(
        "{intro}\n\n| group | {other} | Python | Python's time over {other}'s (paired, 95 %) | | wall, {other} / Python | CPU time, {other} / Python | peak memory, {other} / Python | Python's peak memory over {other}'s (paired) |\n|---|---|---|---:|---|---:|---:|---:|---:|\n"
    );
    for v in rows {
        let pair = |x: [Option<f64>; 2], f: fn(f64) -> String| {
            let cell = |y: Option<f64>| y.map_or("–".into(), f);
            format!("{} / {}", cell(x[0]), cell(x[1]))
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {}{} | {} |",
            v.named.as_deref().unwrap_or(&v.group),
            v.other,
            v.python,
            v.wall.as_ref().map_or("–".into(), speedup),
            match (v.standing, v.group_refused) {
                (Some(s), _) => word(s, against),
                (None, true) => "group not ranked",
                (None, false) => "",
            },
            pair(v.wall_s, seconds),
            pair(v.cpu_s, seconds),
            pair(v.rss_mib, mib),
            if v.pss { " PSS" } else { " RSS" },
            v.memory.as_ref().map_or("–".into(), speedup),
        );
    }
    out.push('\n');
    out
}

/// The standing of a ratio of the Python entry's time over the other's: above 1 it is slower.
fn word(s: Standing, against: Against) -> &'static str {
    match (s, against) {
        (Standing::Faster, Against::Rust) => "Python slower",
        (Standing::Slower, Against::Rust) => "Python faster",
        (Standing::Faster, Against::PythonSync) => "slower than sync",
        (Standing::Slower, Against::PythonSync) => "faster than sync",
        (Standing::Tie, _) => "tied",
        (Standing::TooFew, _) => "too few rounds",
    }
}
