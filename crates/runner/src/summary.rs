//! From run records to per-entry statistics: every metric, each family's baseline, speed relative
//! to it, and whether every run of a family did the same work.

use std::collections::BTreeMap;

use concbench_core::report::{Env, Report};
use serde::{Deserialize, Serialize};

use crate::record::{Outcome, RunRecord};
use crate::stats::{self, Stats};

/// A metric read from every report.
#[derive(Debug, Clone, Copy)]
pub struct Metric {
    /// Key in summaries and file names, e.g. `wall_s`.
    pub key: &'static str,
    /// Title in tables and plots.
    pub title: &'static str,
    /// Unit shown after values.
    pub unit: &'static str,
    /// True when a smaller value is better.
    pub lower_is_better: bool,
    /// Only for this family (`None`: both).
    pub family: Option<&'static str>,
    /// Reads the value from a report.
    pub read: fn(&Report) -> Option<f64>,
}

/// Every metric summarised, in table order.
pub const METRICS: &[Metric] = &[
    Metric {
        key: "wall_s",
        title: "Wall time",
        unit: "s",
        lower_is_better: true,
        family: None,
        read: |r| Some(r.wall_s),
    },
    Metric {
        key: "process_cpu_pct",
        title: "Process CPU (avg, % of one core)",
        unit: "%",
        lower_is_better: true,
        family: None,
        read: |r| Some(r.cpu.process_avg_pct),
    },
    Metric {
        key: "system_cpu_pct",
        title: "System CPU (avg, % of all cores)",
        unit: "%",
        lower_is_better: true,
        family: None,
        read: |r| Some(r.cpu.system_avg_pct),
    },
    Metric {
        key: "rss_peak_mib",
        title: "Peak memory (RSS)",
        unit: "MiB",
        lower_is_better: true,
        family: None,
        read: |r| Some(r.memory.rss_peak_mib),
    },
    Metric {
        key: "threads_peak",
        title: "Peak threads",
        unit: "",
        lower_is_better: true,
        family: None,
        read: |r| Some(r.threads.peak as f64),
    },
    Metric {
        key: "req_per_s",
        title: "Requests per second",
        unit: "req/s",
        lower_is_better: false,
        family: Some("io"),
        read: |r| r.io.as_ref().map(|io| io.req_per_s),
    },
    Metric {
        key: "latency_p50_ms",
        title: "Latency p50",
        unit: "ms",
        lower_is_better: true,
        family: Some("io"),
        read: |r| r.io.as_ref().map(|io| io.latency_ms.p50),
    },
    Metric {
        key: "latency_p99_ms",
        title: "Latency p99",
        unit: "ms",
        lower_is_better: true,
        family: Some("io"),
        read: |r| r.io.as_ref().map(|io| io.latency_ms.p99),
    },
];

/// The metric named `key`.
pub fn metric(key: &str) -> &'static Metric {
    METRICS.iter().find(|m| m.key == key).expect("a known metric key")
}

/// Everything the exports show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The families that ran, CPU first.
    pub families: Vec<FamilySummary>,
    /// The machine and build, from the first report.
    pub env: Option<Env>,
    /// Runs recorded, by outcome (warm-ups included).
    pub runs: BTreeMap<String, usize>,
    /// The runner's own time per run (spawn, parse, write), milliseconds.
    pub runner_ms_per_run: Option<Stats>,
}

/// One family's entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilySummary {
    /// `cpu` or `io`.
    pub family: String,
    /// The entry speeds are relative to: the family's sync model, else its first entry.
    pub baseline: String,
    /// The family section of the config the runs used (from the first report).
    pub config: serde_json::Value,
    /// True when every successful measured run of the family did the same work.
    pub same_work: bool,
    /// The entries in matrix order.
    pub entries: Vec<EntrySummary>,
}

/// One entry's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntrySummary {
    /// Label.
    pub label: String,
    /// Model binary.
    pub model: String,
    /// Variant of the first report (runtime or mode).
    pub variant: Option<String>,
    /// The model stands on a discontinued library.
    pub legacy: bool,
    /// Measured runs that succeeded.
    pub ok: usize,
    /// Measured runs that failed, hung or were interrupted.
    pub failed: usize,
    /// Statistics by metric key.
    pub metrics: BTreeMap<String, Stats>,
    /// Mean wall time of the baseline over this entry's: above 1 is faster, with its uncertainty.
    pub speedup: Option<[f64; 2]>,
    /// Work of the first successful run: units, bytes, checksum.
    pub work: Option<concbench_core::report::Work>,
}

/// Summarises `records` (warm-ups are left out of the statistics); `order` is the matrix order
/// of labels.
pub fn summarise(records: &[RunRecord], order: &[String]) -> Summary {
    let mut runs = BTreeMap::new();
    for r in records {
        *runs.entry(outcome_name(r.outcome).to_string()).or_insert(0) += 1;
    }
    let mut labels: Vec<String> = order.to_vec();
    for r in records {
        if !labels.contains(&r.entry) {
            labels.push(r.entry.clone());
        }
    }
    let measured: Vec<&RunRecord> = records.iter().filter(|r| !r.warmup).collect();
    let families = ["cpu", "io"]
        .iter()
        .filter_map(|family| family_summary(family, &labels, &measured))
        .collect();
    let runner: Vec<f64> = records.iter().map(|r| r.runner_ms).collect();
    Summary {
        families,
        env: records
            .iter()
            .find_map(|r| r.report.as_ref().map(|rep| rep.env.clone())),
        runs,
        runner_ms_per_run: Stats::of(&runner),
    }
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Ok => "ok",
        Outcome::Failed => "failed",
        Outcome::Timeout => "timeout",
        Outcome::Interrupted => "interrupted",
    }
}

fn family_summary(family: &str, labels: &[String], measured: &[&RunRecord]) -> Option<FamilySummary> {
    let mine: Vec<&RunRecord> = measured.iter().copied().filter(|r| r.family == family).collect();
    if mine.is_empty() {
        return None;
    }
    let mut entries: Vec<EntrySummary> = labels
        .iter()
        .filter_map(|label| {
            let runs: Vec<&RunRecord> = mine.iter().copied().filter(|r| &r.entry == label).collect();
            (!runs.is_empty()).then(|| entry_summary(label, &runs))
        })
        .collect();
    let sync = format!("{family}-sync");
    let baseline = entries
        .iter()
        .find(|e| e.model == sync && e.metrics.contains_key("wall_s"))
        .or_else(|| entries.iter().find(|e| e.metrics.contains_key("wall_s")))
        .map_or_else(|| entries[0].label.clone(), |e| e.label.clone());
    let base = entries
        .iter()
        .find(|e| e.label == baseline)
        .and_then(|e| e.metrics.get("wall_s").cloned());
    for e in &mut entries {
        if let (Some(base), Some(wall)) = (&base, e.metrics.get("wall_s")) {
            let (r, err) = stats::ratio(base, wall);
            e.speedup = Some([r, err]);
        }
    }
    let works: std::collections::BTreeSet<String> = mine
        .iter()
        .filter_map(|r| r.report.as_ref())
        .map(|rep| format!("{}/{}", rep.work.units, rep.work.checksum))
        .collect();
    let config = mine
        .iter()
        .find_map(|r| r.report.as_ref())
        .map_or(serde_json::Value::Null, |rep| rep.config[family].clone());
    Some(FamilySummary {
        family: family.into(),
        baseline,
        config,
        same_work: works.len() <= 1,
        entries,
    })
}

fn entry_summary(label: &str, runs: &[&RunRecord]) -> EntrySummary {
    let reports: Vec<&Report> = runs.iter().filter_map(|r| r.report.as_ref()).collect();
    let metrics = METRICS
        .iter()
        .filter_map(|m| {
            let values: Vec<f64> = reports.iter().filter_map(|r| (m.read)(r)).collect();
            Stats::of(&values).map(|s| (m.key.to_string(), s))
        })
        .collect();
    EntrySummary {
        label: label.into(),
        model: runs[0].model.clone(),
        variant: reports.first().and_then(|r| r.variant.clone()),
        legacy: reports.first().is_some_and(|r| r.legacy),
        ok: reports.len(),
        failed: runs.len() - reports.len(),
        metrics,
        speedup: None,
        work: reports.first().map(|r| r.work.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata;

    #[test]
    fn summarises_each_family_with_its_sync_baseline() {
        let s = summarise(&testdata::matrix(), &testdata::order());
        assert_eq!(s.families.len(), 2);
        let cpu = &s.families[0];
        assert_eq!(
            (cpu.family.as_str(), cpu.baseline.as_str(), cpu.same_work),
            ("cpu", "cpu-sync", true)
        );
        let threads = &cpu.entries[1];
        assert_eq!(
            (threads.label.as_str(), threads.ok, threads.failed),
            ("cpu-threads 2", 3, 0)
        );
        let wall = &threads.metrics["wall_s"];
        assert!(
            (wall.mean - 0.56).abs() < 1e-9 && wall.n == 3,
            "warm-up left out: {wall:?}"
        );
        let [speedup, _] = threads.speedup.unwrap();
        assert!((speedup - 1.01 / 0.56).abs() < 1e-9, "{speedup}");
        let io = &s.families[1];
        let broken = io.entries.iter().find(|e| e.label == "io-broken").unwrap();
        assert_eq!((broken.ok, broken.failed, broken.metrics.len()), (0, 3, 0));
        assert!(io.entries[1].metrics.contains_key("req_per_s"));
        assert!(
            !cpu.entries[0].metrics.contains_key("req_per_s"),
            "IO metrics only for IO"
        );
        assert_eq!(s.runs["ok"] + s.runs["failed"], 19);
        assert_eq!(s.runner_ms_per_run.as_ref().unwrap().max, 3.0);
    }

    #[test]
    fn different_work_is_flagged() {
        let mut records = testdata::matrix();
        if let Some(rep) = records[0].report.as_mut() {
            rep.work.checksum = "ffffffffffffffff".into();
        }
        let s = summarise(&records, &testdata::order());
        assert!(!s.families[0].same_work && s.families[1].same_work);
    }
}
