//! `runner --resume DIR`: continue an interrupted matrix in its folder.
//!
//! A matrix writes `meta.json` before its first run, with what it was asked (the config file,
//! the `--set`s, `--models`, the reference), the effective config it read and the commit it was
//! built at. Resuming reads that back, refuses when the config or the commit now differ (naming
//! the first difference) unless `--force`, keeps every whole record of `runs.jsonl` (a torn last
//! line, or a run the interruption cut short, is dropped and run again), and goes on with the
//! same schedule: a slot already recorded is not run twice, and the auto rule sees every record.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde_json::Value;

use crate::record::{self, Ending, Meta, RunRecord};
use crate::schedule::Slot;

/// What the interrupted matrix was asked, read from its `meta.json`.
#[derive(Debug, Clone)]
pub struct Asked {
    /// The config file.
    pub config: Option<PathBuf>,
    /// The `--set`s.
    pub sets: Vec<String>,
    /// `--models`.
    pub only: Vec<String>,
    /// `--reference`.
    pub reference: Option<String>,
    /// The command line it was started with.
    pub command: String,
}

/// Reads what the matrix in `dir` was asked; an error when `dir` holds no matrix started by a
/// runner that records it.
pub fn asked(dir: &Path) -> anyhow::Result<Asked> {
    let path = dir.join("meta.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "reading {}: --resume needs the folder of a matrix this runner started",
            path.display()
        )
    })?;
    let meta: Meta =
        serde_json::from_str(&text).with_context(|| format!("{}: not a run's meta.json", path.display()))?;
    if meta.effective.is_none() {
        bail!(
            "{} does not record the config the matrix read (written before --resume existed); run the matrix again",
            path.display()
        );
    }
    Ok(Asked {
        config: meta.config.as_ref().map(PathBuf::from),
        sets: meta.sets.clone(),
        only: meta.only.clone(),
        reference: meta.reference.clone(),
        command: meta.command,
    })
}

/// Checks that the matrix in `dir` can be continued with `effective` (the config as read now)
/// by binaries of `commit`; `force` accepts a difference with a warning.
pub fn check(dir: &Path, effective: &Value, commit: &str, force: bool) -> anyhow::Result<Meta> {
    let meta = Meta::read(dir);
    let then = meta.effective.as_ref().context("meta.json records no config")?;
    let mut problems = Vec::new();
    if let Some(diff) = first_difference(then, effective, "") {
        problems.push(format!("the config differs from the one the matrix read: {diff}"));
    }
    if let Some(built) = meta.commit.as_deref().filter(|c| *c != commit) {
        problems.push(format!(
            "the binaries are at commit {commit}, the matrix ran at {built}"
        ));
    }
    match (problems.is_empty(), force) {
        (true, _) => Ok(meta),
        (false, true) => {
            for p in &problems {
                eprintln!("warning: resuming {} although {p} (--force)", dir.display());
            }
            Ok(meta)
        }
        (false, false) => bail!(
            "cannot resume {}: {} (--force resumes anyway)",
            dir.display(),
            problems.join("; ")
        ),
    }
}

/// The records of `dir`'s `runs.jsonl` that count as done: every whole record but those the
/// interruption cut short. The file is rewritten with them alone (atomically), so that the
/// folder ends with the runs of an uninterrupted matrix.
pub fn done_records(dir: &Path) -> anyhow::Result<Vec<RunRecord>> {
    let path = dir.join("runs.jsonl");
    let (all, torn) = record::read_all(&path)?;
    if let Some(n) = torn {
        eprintln!(
            "warning: {} line {n} is torn (a run cut off while it was written): dropped, it runs again",
            path.display()
        );
    }
    let kept: Vec<RunRecord> = all
        .into_iter()
        .filter(|r| r.outcome != Ending::Interrupted)
        .collect();
    let mut text = String::new();
    for r in &kept {
        text.push_str(&serde_json::to_string(r).context("writing a run record")?);
        text.push('\n');
    }
    let fresh = dir.join("runs.jsonl.resume");
    std::fs::write(&fresh, text).with_context(|| format!("writing {}", fresh.display()))?;
    std::fs::rename(&fresh, &path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(kept)
}

/// The slots already recorded: (entry, scenario, round, warm-up).
pub type Recorded = BTreeSet<(String, String, usize, bool)>;

/// The slots `records` hold.
pub fn recorded(records: &[RunRecord]) -> Recorded {
    records
        .iter()
        .map(|r| (r.entry.clone(), r.scenario.clone(), r.index, r.warmup))
        .collect()
}

/// The key of `slot` in [`recorded`].
pub fn key(slot: &Slot) -> (String, String, usize, bool) {
    (
        slot.job.entry.name(),
        slot.job.scenario.clone(),
        slot.index,
        slot.warmup,
    )
}

/// The first place where `a` and `b` differ, as `key.path: a → b`.
pub fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    let here = if at.is_empty() { "(the whole config)" } else { at };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => first_difference(p, q, &path),
                    (Some(p), None) => Some(format!("{path}: {p} then, absent now")),
                    (None, Some(q)) => Some(format!("{path}: absent then, {q} now")),
                    (None, None) => None,
                }
            })
        }
        _ if a == b => None,
        _ => Some(format!("{here}: {a} then, {b} now")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_difference_names_its_key_and_both_values() {
        let a = serde_json::json!({"runner": {"repeats": 3, "models": ["a"]}, "cpu": {"urls": 10}});
        let mut b = a.clone();
        assert_eq!(first_difference(&a, &b, ""), None);
        b["runner"]["repeats"] = 4.into();
        assert_eq!(
            first_difference(&a, &b, "").as_deref(),
            Some("runner.repeats: 3 then, 4 now")
        );
        b["runner"]["repeats"] = 3.into();
        b["io"] = serde_json::json!({"requests": 5});
        assert_eq!(
            first_difference(&a, &b, "").as_deref(),
            Some("io: absent then, {\"requests\":5} now")
        );
    }
}
