//! `runner merge DIR... --out DIR`: folders of the same config, run on different machines, in one
//! report. Each machine keeps its own paired speed-ups (pairs never cross machines); the report
//! puts each entry's figures side by side, names the machines, and says where the ranking
//! changes from one machine to another.
//!
//! Entries are matched by their group and their place in it: with the same config the matrix
//! lists them in the same order, though a label that shows a count of `cores` reads differently
//! on each machine. Folders whose work differs (a work-defining key of some group, the groups,
//! or the entries in a group) are refused, naming the difference; folders built at different
//! commits too, unless `--force`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use concbench_core::report::Env;
use serde_json::Value;

use crate::format::{fixed, speedup};
use crate::metric::Metric;
use crate::summary::{FamilySummary, Summary};

/// One machine's run folder.
pub struct Machine {
    /// The folder.
    pub dir: PathBuf,
    /// Its statistics, paired within the folder.
    pub summary: Summary,
    /// The machine, from its runs.
    pub env: Env,
    /// The work-defining config of each group (its id, or a sweep point's label), as `runner
    /// compare` checks it.
    pub work: BTreeMap<String, BTreeMap<String, Value>>,
}

/// Reads one folder, as `runner compare` reads it.
pub fn load(dir: &Path) -> anyhow::Result<Machine> {
    let run = crate::compare::load(dir)?;
    let summary = run.summary;
    let env = summary
        .env
        .clone()
        .with_context(|| format!("{}: no run succeeded, so no machine to name", dir.display()))?;
    Ok(Machine {
        dir: dir.to_path_buf(),
        summary,
        env,
        work: run.config,
    })
}

/// Why `machines` cannot be merged: the first difference in what they ran, or in the commit
/// they were built at unless `force`.
pub fn check(machines: &[Machine], force: bool) -> anyhow::Result<()> {
    let (first, rest) = machines.split_first().context("nothing to merge")?;
    for m in rest {
        let (a, b) = (first.dir.display(), m.dir.display());
        let groups = |x: &Machine| {
            x.summary
                .families
                .iter()
                .map(|f| (f.id(), f.entries.len()))
                .collect::<Vec<_>>()
        };
        if groups(first) != groups(m) {
            bail!(
                "{a} and {b} ran different groups or entries ({:?} against {:?}): not the same config",
                groups(first),
                groups(m)
            );
        }
        for (group, keys) in &first.work {
            let other = m.work.get(group);
            for (key, value) in keys {
                let theirs = other.and_then(|o| o.get(key));
                if theirs != Some(value) {
                    let theirs = theirs.map_or("absent".to_string(), Value::to_string);
                    bail!(
                        "{a} and {b} did different work: in group {group}, {key} = {value} against {theirs}"
                    );
                }
            }
        }
        if first.env.git_sha != m.env.git_sha {
            let said = format!("{a} was built at {}, {b} at {}", first.env.git_sha, m.env.git_sha);
            if !force {
                bail!("{said}; --force merges anyway");
            }
            eprintln!("warning: {said} (--force)");
        }
    }
    Ok(())
}

/// A machine's name in the report: its CPU and the cores the run could use.
fn name(m: &Machine, n: usize) -> String {
    let cores = m.env.cores_usable.unwrap_or(m.env.cores_logical);
    format!("M{} ({} core{})", n + 1, cores, if cores == 1 { "" } else { "s" })
}

/// The merged report.
pub fn render(machines: &[Machine]) -> String {
    let mut out = String::from("# concbench: one config on several machines\n\n");
    out.push_str("Each machine's figures are its own: speed-ups are paired within a machine's rounds, never across machines. Entries are matched by their group and place in it; a label that shows a count of `cores` reads differently on each machine.\n\n");
    out.push_str("| machine | folder | CPU | cores (usable) | memory | kernel | commit |\n|---|---|---|---:|---:|---|---|\n");
    for (n, m) in machines.iter().enumerate() {
        let e = &m.env;
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} ({}) | {} MiB | {} | {} |",
            name(m, n),
            m.dir.display(),
            e.cpu_model,
            e.cores_logical,
            e.cores_usable.map_or("–".into(), |u| u.to_string()),
            e.mem_total_mib,
            e.kernel,
            e.git_sha
        );
    }
    let changes = ranking_changes(machines);
    out.push_str("\n## Where the ranking changes\n\n");
    if changes.is_empty() {
        out.push_str("Nowhere: every entry stands the same against its group's baseline on every machine (faster, slower or tied).\n");
    } else {
        for line in &changes {
            let _ = writeln!(out, "- {line}");
        }
    }
    for (g, f) in machines[0].summary.families.iter().enumerate() {
        out.push('\n');
        out.push_str(&group_table(machines, g, f));
    }
    out
}

/// One group: a row per entry, per machine its median wall time and its speed-up with standing.
fn group_table(machines: &[Machine], g: usize, f: &FamilySummary) -> String {
    let mut out = format!("## {}\n\nBaseline: {}.\n\n| entry |", f.title(), f.baseline);
    for (n, m) in machines.iter().enumerate() {
        let _ = write!(out, " {} wall (s) | {} speed-up |", name(m, n), name(m, n));
    }
    let _ = writeln!(out, "\n|---|{}", "---:|---|".repeat(machines.len()));
    for (i, e) in f.entries.iter().enumerate() {
        let _ = write!(
            out,
            "| {} |",
            labels(machines, g, i).unwrap_or_else(|| e.label.clone())
        );
        for m in machines {
            let Some((group, e)) = at(m, g, i) else {
                out.push_str(" – | – |");
                continue;
            };
            let wall = e.stats(Metric::Wall).map_or("–".into(), |s| fixed(s.median, 3));
            let standing = crate::words::standing_in(group, &e.label);
            let sp = match &e.speedup {
                Some(p) if e.label != group.baseline => format!("{} {standing}", speedup(p)),
                _ => "baseline".into(),
            };
            let _ = write!(out, " {wall} | {sp} |");
        }
        out.push('\n');
    }
    out
}

/// Entry `i` of group `g` on machine `m`, with its group.
fn at(m: &Machine, g: usize, i: usize) -> Option<(&FamilySummary, &crate::summary::EntrySummary)> {
    let f = m.summary.families.get(g)?;
    Some((f, f.entries.get(i)?))
}

/// The entry's labels when they differ between machines (`a / b`), else `None`.
fn labels(machines: &[Machine], g: usize, i: usize) -> Option<String> {
    let all: Vec<&str> = machines
        .iter()
        .filter_map(|m| at(m, g, i))
        .map(|(_, e)| e.label.as_str())
        .collect();
    (all.windows(2).any(|w| w[0] != w[1])).then(|| all.join(" / "))
}

/// The entries whose standing against their group's baseline is not the same on every machine.
pub fn ranking_changes(machines: &[Machine]) -> Vec<String> {
    let mut out = Vec::new();
    for (g, f) in machines[0].summary.families.iter().enumerate() {
        for (i, e) in f.entries.iter().enumerate() {
            if e.label == f.baseline {
                continue;
            }
            let each: Vec<(String, String)> = machines
                .iter()
                .enumerate()
                .filter_map(|(n, m)| {
                    let (group, e) = at(m, g, i)?;
                    let p = e.speedup.as_ref()?;
                    let word = crate::words::standing_in(group, &e.label);
                    Some((
                        word.to_string(),
                        format!("{word} on {} ({})", name(m, n), speedup(p)),
                    ))
                })
                .collect();
            if each.windows(2).any(|w| w[0].0 != w[1].0) {
                let said: Vec<String> = each.into_iter().map(|(_, s)| s).collect();
                let label = labels(machines, g, i).unwrap_or_else(|| e.label.clone());
                out.push(format!(
                    "{} ({label} against {}): {}",
                    f.title(),
                    f.baseline,
                    said.join(", ")
                ));
            }
        }
    }
    out
}

/// Merges `dirs` into `out`: checks them, writes `out/report.md`; the report's text.
pub fn run(dirs: &[PathBuf], out: &Path, force: bool) -> anyhow::Result<String> {
    anyhow::ensure!(
        dirs.len() >= 2,
        "runner merge needs two folders at least (got {})",
        dirs.len()
    );
    let machines: Vec<Machine> = dirs.iter().map(|d| load(d)).collect::<anyhow::Result<_>>()?;
    check(&machines, force)?;
    let text = render(&machines);
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    std::fs::write(out.join("report.md"), &text)
        .with_context(|| format!("writing {}", out.join("report.md").display()))?;
    Ok(text)
}
