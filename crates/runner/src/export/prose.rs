//! The report's fixed prose: the glossary, and what each task-cost scenario does.

use concbench_core::work::{SQUARES, STORM_CALLS};

use crate::format::thousands;

/// The terms the report uses, each defined once (after the round's, [`glossary`]).
pub const GLOSSARY: &str = "- **Paired speed-up**: the median over the rounds of the baseline's wall time over the entry's; above 1 is faster.\n- **Margin**: `runner.margin_pct`; a difference whose interval reaches into 1 ± the margin is a tie.\n- **Tier**: faster (or slower) entries whose intervals overlap; a tier is not put in an order.\n- **Budget**: what an entry may use at once: requests in flight, threads, processes, connections.\n- **Order statistics**: the interval of a median from the k-th smallest and k-th largest ratio, with k from the binomial distribution; no assumption on the shape of the times.\n- **Pilot**: with `repeats = \"auto\"`, the first `auto.min_rounds` rounds; they fix how many rounds each entry runs, so the interval is never chosen by looking at it.\n- **Fast tier, slow tier**: the sampler reads this process every few milliseconds (threads, memory) and the children and the machine every `sampler.interval_ms` (CPU %, processes, PSS); a figure from fewer than 10 samples is not resolved and is left out.\n- **PSS**: proportional set size; a page shared by N processes counts 1/N, so a process tree's PSS adds up to what it really holds, where summed RSS counts shared pages once per process.\n- **Modified z-score**: 0.6745 × (value − median) ÷ the median absolute deviation; above 3.5 a run is flagged as an outlier (kept in every figure).\n- **Busiest loop**: for a server with several event loops or worker processes on one listener, the share of the connections the busiest one accepted.\n- **Load generator busy**: its CPU time over its threads' time in the run; near 100 % it, not the server, bounds the round trips.\n- **Sent to workers**: what a process model wrote to its worker processes' pipes in one run, MiB, headers included: each item once, whatever `cpu.passes`, as Python's multiprocessing pickles an item once (each run's `moved.seconds` gives how long the sending took).\n";

/// The glossary: its round entry as the run drew its order (`drawn`: anew each round; else
/// matrix order), and the A/A control where the run had one.
pub fn glossary(drawn: bool, controls: bool) -> String {
    let order = match drawn {
        true => "in an order drawn anew each round",
        false => "in matrix order",
    };
    let control = match controls {
        true => {
            "- **A/A control**: each group's baseline run a second time in every measured round its baseline runs, at a random place; the baseline over it should be 1, and the farther end of its interval from 1 is the group's resolution.\n"
        }
        false => "",
    };
    format!(
        "### Glossary\n\n- **Round**: every entry run once, {order} (with `repeats = \"auto\"`, after the pilot only the entries short of their planned rounds, each with its group's baseline); a speed-up pairs the two runs of one round, so drift of the machine that both share cancels.\n{control}{GLOSSARY}"
    )
}

/// What a task-cost scenario does, for its section.
pub fn scenario_blurb(scenario: &str) -> String {
    match scenario {
        "spawn-only" => {
            "Each model starts `units` empty units and waits for all: the start-up cost per unit.".into()
        }
        "sleep-fixed" => "Each unit waits `sleep_ms` with the model's native sleep.".into(),
        "sleep-variable" => "Each unit waits a seeded random fraction of `sleep_ms`.".into(),
        "file-read" => "Each unit reads its own file of `file_bytes` (written before the measured window, so from the page cache) with the model's file API: `std::fs`, or the async runtime's.".into(),
        "sqlite-insert" => "Each unit opens its own connection to one WAL-mode SQLite file and inserts `rows` rows in one transaction; the file is checked after the run (exactly `units` × `rows` rows with the expected sum). A unit that finds the write lock taken waits and retries (busy retries).".into(),
        "sqlite-read" => "Each unit opens its own connection to one WAL-mode SQLite file holding `units` × `rows` rows (written before the measured window) and reads them all.".into(),
        "blocking-sleep" => "Each unit blocks the thread it runs on for `sleep_ms` with `std::thread::sleep`, inside an async task too.".into(),
        "blocking-storm" => format!(
            "Each unit makes {} `sched_yield` system calls (`std::thread::yield_now`); inside an async task they block the executor's thread.",
            thousands(STORM_CALLS as f64)
        ),
        "squares" => format!(
            "Each unit builds a vector of the first {} squares and checks it.",
            thousands(SQUARES as f64)
        ),
        "switch" => "Two units pass a token back and forth `switches` times through the model's own channel: two tasks through the runtime's channel, two OS threads through std channels, a process and its child through pipes. Each hand-off is one switch; the time per switch is the wall time over the hand-offs. `scenario.cpus` pins a run to that many cores (0: all of them; this group's value is in the appendix).".into(),
        "idle-scale" => {
            "All units wait at once; the memory per waiting unit is the resident memory with every unit started, less the memory before the first, over the units.".into()
        }
        _ => String::new(),
    }
}

/// The interpreters the Python entries ran on and their packages: `CPython 3.11.7 (GIL on;
/// built without PGO or LTO), CPython 3.13.0 (…); packages aiohttp 3.14.5, …` (the packages
/// of the first; every environment installs the same pinned ones). `None` without Python.
pub fn interpreters(envs: &[concbench_core::report::PythonEnv]) -> Option<String> {
    let first = envs.first()?;
    let one = |py: &concbench_core::report::PythonEnv| {
        let gil = match (py.free_threaded, py.gil) {
            (Some(true), Some(false)) => "free-threaded, GIL off",
            (Some(true), _) => "free-threaded, GIL on",
            (_, Some(false)) => "GIL off",
            (_, Some(true)) => "GIL on",
            // Before 3.13 no build could run without it.
            (_, None) if before_3_13(&py.version) => "GIL on",
            (_, None) => "GIL not recorded",
        };
        let build = match (py.pgo, py.lto) {
            (Some(true), Some(true)) => "; built with PGO and LTO",
            (Some(true), Some(false)) => "; built with PGO, without LTO",
            (Some(false), Some(true)) => "; built with LTO, without PGO",
            (Some(false), Some(false)) => "; built without PGO or LTO",
            _ => "",
        };
        format!("{} {} ({gil}{build})", py.implementation, py.version)
    };
    let packages: Vec<String> = first.packages.iter().map(|(k, v)| format!("{k} {v}")).collect();
    Some(format!(
        "{}; packages {}",
        envs.iter().map(one).collect::<Vec<_>>().join(", "),
        packages.join(", ")
    ))
}

/// True for a version `3.12.x` or older.
fn before_3_13(version: &str) -> bool {
    let key = crate::summary::versus::version_key(version);
    key.len() >= 2 && key[..2] < [3, 13][..]
}

/// The uneven-load sentence of a group: the skew, then work stealing's fastest against
/// thread-per-core's on wall time and p99, each with its paired interval and who leads.
pub fn uneven(u: &crate::conclusions::uneven::UnevenConclusion) -> String {
    use crate::format::speedup;
    use crate::summary::uneven::Scheduling;
    use std::fmt::Write;
    let unit = if u.section == "serve" {
        "connections"
    } else {
        "responses"
    };
    let lead = |side: Option<Scheduling>, what: &str| match side {
        Some(s) => format!("{} {what}", s.name()),
        None => "tied".into(),
    };
    let mut out = format!(
        "Uneven load (`{s}.heavy_share` = {share}, `{s}.heavy_factor` = {k}: {pct} % of the {unit} carry {k}× the spin of {rounds} rounds): thread-per-core's fastest, {tpc}, against work stealing's, {ws}: speed-up {wall}, {faster}",
        s = u.section,
        share = u.heavy_share,
        k = u.heavy_factor,
        pct = crate::format::plain(u.heavy_share * 100.0),
        rounds = thousands(u.spin_rounds as f64),
        tpc = u.thread_per_core,
        ws = u.work_stealing,
        wall = speedup(&u.wall.paired()),
        faster = lead(u.faster, "faster"),
    );
    if let Some(p99) = &u.p99 {
        let _ = write!(
            out,
            "; p99 latency {} of work stealing's, {}",
            speedup(&p99.paired()),
            lead(u.shorter_tail, "shorter")
        );
    }
    out.push('.');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_version_before_3_13_is_known_to_have_had_the_gil() {
        for v in ["3.11.7", "3.12.1", "2.7.18", "3.9"] {
            assert!(before_3_13(v), "{v}");
        }
        for v in ["3.13.0", "3.14.0rc1", "4.0", "unknown", ""] {
            assert!(!before_3_13(v), "{v}");
        }
    }
}
