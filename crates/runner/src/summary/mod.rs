//! From run records to per-entry statistics: every metric, each group's baseline, the paired
//! speed relative to it (the median of per-round ratios, with a 95 % interval), whether every
//! run of a group did the same work, and the machine's noise.

pub mod control;
mod entry;
pub mod load;
mod memory;
pub mod standing;
mod sweep;
pub mod uneven;

use entry::entry_summary;
pub use memory::PeakMemory;
pub mod versus;

use std::collections::BTreeMap;

use concbench_core::config::Kind;
use concbench_core::report::{Env, Family, Report};
use serde::{Deserialize, Serialize};

use crate::metric::Metric;
use crate::noise::Noise;
use crate::record::{RunRecord, SweepPoint};
use crate::stats::{Paired, Stats};
use crate::summary::standing::{EntryStanding, GroupRanking, Rules};

/// Everything the exports show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The groups that ran: each family's main workload and each task-cost scenario, CPU first.
    pub families: Vec<FamilySummary>,
    /// The sweeps, one per x axis.
    #[serde(default)]
    pub sweeps: Vec<SweepSummary>,
    /// The machine and build, from the first report.
    pub env: Option<Env>,
    /// Runs recorded, by outcome (warm-ups included).
    pub runs: BTreeMap<String, usize>,
    /// Of those, the warm-ups.
    #[serde(default)]
    pub warmups: usize,
    /// Why the Rust models' reports count no instructions (the first such report's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions_unavailable: Option<String>,
    /// The measured runs' time, s, where A/A controls ran (their cost is a share of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured_s: Option<f64>,
    /// The runner's own time per run (spawn, parse, write), milliseconds.
    pub runner_ms_per_run: Option<Stats>,
    /// The machine's drift over the matrix, from the noise probe before each run.
    #[serde(default)]
    pub noise: Option<Noise>,
    /// The equivalence margin, %: an entry is faster or slower than its baseline only when its
    /// paired interval lies wholly outside 1 ± this (`runner.margin_pct`).
    #[serde(default = "crate::record::default_margin")]
    pub margin_pct: f64,
    /// The rules every group's standings were decided by (the margin among them).
    #[serde(default)]
    pub rules: Rules,
    /// Rust against Python: each Python entry against its Rust counterpart and its group's
    /// Python sync entry, paired by round.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versus: Vec<versus::Versus>,
    /// The interpreters the Python entries ran on, with their packages, each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub python: Vec<concbench_core::report::PythonEnv>,
}

/// One family's entries on one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilySummary {
    /// The family.
    pub family: Family,
    /// `main` (the family's workload) or a task-cost scenario.
    #[serde(default = "crate::record::main_scenario")]
    pub scenario: String,
    /// The group its entries name (e.g. `equal budget: 50 in flight`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The entry speeds are relative to: the family's sync model, else its first entry.
    pub baseline: String,
    /// The family section of the config the runs used (from the first report), as recorded:
    /// what the report shows.
    pub config: serde_json::Value,
    /// The first report's whole config, typed (older keys migrated): what code reads.
    #[serde(skip)]
    pub settings: Option<concbench_core::config::Config>,
    /// True when every successful measured run of the family did the same work.
    pub same_work: bool,
    /// The entries in matrix order.
    pub entries: Vec<EntrySummary>,
    /// How each entry stands against the baseline, decided once under the summary's rules.
    #[serde(default)]
    pub ranking: GroupRanking,
    /// Its A/A control, when the runs had one: the group's resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<control::Control>,
    /// Under uneven load, work stealing's fastest against thread-per-core's, paired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uneven: Option<uneven::Uneven>,
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
    /// In a task-cost scenario, how the model ran a unit: `task`, `thread`, `pool`, `process` or
    /// `sequential`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Measured runs that succeeded.
    pub ok: usize,
    /// Measured runs that failed, hung or were interrupted.
    pub failed: usize,
    /// Statistics by metric.
    pub metrics: BTreeMap<Metric, Stats>,
    /// The baseline's wall time over this entry's in the same round, the median over the rounds
    /// with its 95 % interval: above 1 is faster.
    pub speedup: Option<Paired>,
    /// This entry's CPU time over the baseline's in the same round, the median over the rounds
    /// with its 95 % interval: below 1 spends less. For the same work, it is the ratio of CPU
    /// time per unit, which drift moves less than wall time and an open loop does not fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_ratio: Option<Paired>,
    /// IO and serving: this entry's p99 latency over the baseline's in the same round, the
    /// median over the rounds with its 95 % interval: below 1 is a shorter tail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99_ratio: Option<Paired>,
    /// How it runs its units (from the task-cost unit, else the model): its colour in plots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// idle-scale on an async runtime: the size of one unit's future, bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub future_bytes: Option<u64>,
    /// IO: the most requests it could have in flight (its budget), from its reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<u64>,
    /// Serving: the connections the load generator opened, from its reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<u64>,
    /// Serving: the load generator processes that drove it, from its reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loadgens: Option<u64>,
    /// Sampled figures some runs could not resolve: the sampler's reason and in how many runs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unresolved: BTreeMap<String, usize>,
    /// Work of the first successful run: units, bytes, checksum.
    pub work: Option<concbench_core::report::Work>,
    /// The keys of its config section where its runs differ from the group's config line
    /// (`workers = 2`), so each entry says what it ran.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub own_keys: Vec<String>,
    /// The sweep point, for an entry of a sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepPoint>,
    /// The last line of the first failed run's stderr, when a run failed (e.g. the OS limit that
    /// refused it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The sweeps that share one x axis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSummary {
    /// The x-axis title.
    pub axis: String,
    /// The family of the swept entries (of the first, if they mix).
    pub family: Family,
    /// Every value swept, ascending.
    pub values: Vec<f64>,
    /// True when, at every value, every series that succeeded did the same work.
    pub same_work: bool,
    /// One line per swept entry.
    pub series: Vec<Series>,
}

/// One swept entry: its points in ascending order of the value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The swept entry's label.
    pub label: String,
    /// The swept key.
    pub key: String,
    /// The scenario of its runs (`main`: the family's workload).
    pub scenario: String,
    /// The points (each an entry summary with its `sweep` set).
    pub points: Vec<EntrySummary>,
}

impl Series {
    /// The point at `value`.
    pub fn at(&self, value: f64) -> Option<&EntrySummary> {
        self.points
            .iter()
            .find(|p| p.sweep.as_ref().is_some_and(|s| s.value == value))
    }
}

impl EntrySummary {
    /// The statistics of `metric`, when some run measured it.
    pub fn stats(&self, metric: Metric) -> Option<&Stats> {
        self.metrics.get(&metric)
    }

    /// The mean of `metric`, when some run measured it.
    pub fn mean(&self, metric: Metric) -> Option<f64> {
        self.stats(metric).map(|s| s.mean)
    }

    /// The median of `metric` (what the group's table shows), when some run measured it.
    pub fn median(&self, metric: Metric) -> Option<f64> {
        self.stats(metric).map(|s| s.median)
    }

    /// Whether some run measured `metric`.
    pub fn has(&self, metric: Metric) -> bool {
        self.metrics.contains_key(&metric)
    }

    /// The mean share of its requests that failed (IO), when some did.
    pub fn failed_pct(&self) -> Option<f64> {
        self.mean(Metric::ErrorPct).filter(|p| *p > 0.0)
    }
}

impl FamilySummary {
    /// Whether the group ran open loop (entries offered a rate).
    pub fn is_open_loop(&self) -> bool {
        open_loop(&self.entries)
    }

    /// How the entry labelled `label` stands (not ranked when the group has no such entry).
    pub fn standing_of(&self, label: &str) -> EntryStanding {
        self.ranking
            .of(label)
            .cloned()
            .unwrap_or(EntryStanding::NotRanked {
                why: crate::summary::standing::Unranked::NoSpeedup,
            })
    }

    /// The group's heading: its family and workload or scenario, and its group's name.
    pub fn title(&self) -> String {
        let title = match (self.family, self.scenario.as_str()) {
            (Family::Cpu, "main") => "CPU-bound: char-encoding".to_string(),
            (Family::Cpu, kernel) if crate::record::is_workload(kernel) => format!("CPU-bound: {kernel}"),
            (Family::Io, _) => "IO-bound: HTTP".into(),
            (Family::Serve, _) => "Serving: TCP echo (the model is the server)".into(),
            (_, scenario) => format!("Task costs: {scenario}"),
        };
        match &self.group {
            Some(group) => format!("{title} ({group})"),
            None => title,
        }
    }

    /// The group's name in file names and headings: the family, then the scenario unless main,
    /// then the group's name (letters and digits, dashes between).
    pub fn id(&self) -> String {
        group_id(self.family, &self.scenario, self.group.as_deref())
    }
}

/// The id of the group of `family`'s entries on `scenario` that name `group`: see
/// [`FamilySummary::id`].
pub fn group_id(family: Family, scenario: &str, group: Option<&str>) -> String {
    let mut id = family.to_string();
    if scenario != "main" {
        id = format!("{id}-{scenario}");
    }
    if let Some(group) = group {
        id = format!("{id}-{}", slug(group));
    }
    id
}

/// `text` in lower case with every run of other characters a single dash: for file names.
pub fn slug(text: &str) -> String {
    let lower: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    lower
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// What a summary is made under: the baseline asked for and the margin.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// A label or model name to be the baseline of every group that holds it (`--reference`);
    /// other groups keep their sync model.
    pub reference: Option<String>,
    /// The equivalence margin, % (`runner.margin_pct`); `None`: the default.
    pub margin_pct: Option<f64>,
}

impl Settings {
    /// What the summary of the run that `meta` describes is made under: its reference and its
    /// margin.
    pub fn of(meta: &crate::record::Meta) -> Self {
        Self {
            reference: meta.reference.clone(),
            margin_pct: Some(meta.margin_pct),
        }
    }
}

/// Summarises `records` (warm-ups are left out of the statistics); `order` is the matrix order
/// of labels. Each group's baseline is its sync model.
pub fn summarise(records: &[RunRecord], order: &[String]) -> Summary {
    summarise_with(records, order, &Settings::default())
}

/// [`summarise`], with `reference` (a label or model name) as the baseline of every group that
/// holds it; other groups keep their sync model.
pub fn summarise_against(records: &[RunRecord], order: &[String], reference: Option<&str>) -> Summary {
    let settings = Settings {
        reference: reference.map(str::to_string),
        margin_pct: None,
    };
    summarise_with(records, order, &settings)
}

/// [`summarise`] under `settings`: the statistics, then every group's standings, decided once.
pub fn summarise_with(records: &[RunRecord], order: &[String], settings: &Settings) -> Summary {
    let mut summary = statistics(records, order, settings.reference.as_deref());
    let margin = settings.margin_pct.unwrap_or(crate::record::DEFAULT_MARGIN_PCT);
    let cores = summary
        .env
        .as_ref()
        .map(|e| e.cores_usable.unwrap_or(e.cores_logical));
    summary.rules = Rules::new(margin, cores);
    summary.margin_pct = margin;
    for f in &mut summary.families {
        f.ranking = crate::summary::standing::rank(f, &summary.rules);
    }
    for v in &mut summary.versus {
        let group = summary.families.iter().find(|f| f.title() == v.group);
        v.group_refused = group.is_some_and(|f| f.ranking.refused.is_some());
        v.standing = v
            .wall
            .as_ref()
            .filter(|_| !v.group_refused)
            .map(|w| w.standing(margin));
    }
    summary
}

/// The statistics of `records`, before any standing is decided.
fn statistics(records: &[RunRecord], order: &[String], reference: Option<&str>) -> Summary {
    let mut runs = BTreeMap::new();
    for r in records {
        *runs.entry(r.outcome.name().to_string()).or_insert(0) += 1;
    }
    let mut labels: Vec<String> = order.to_vec();
    for r in records {
        if !labels.contains(&r.entry) {
            labels.push(r.entry.clone());
        }
    }
    let measured: Vec<&RunRecord> = records.iter().filter(|r| !r.warmup).collect();
    let (swept, plain): (Vec<&RunRecord>, Vec<&RunRecord>) = measured.iter().partition(|r| r.sweep.is_some());
    let families: Vec<FamilySummary> = group_keys(&plain)
        .iter()
        .filter_map(|key| family_summary(*key, &labels, &plain, reference))
        .collect();
    let versus = versus::pairs(&families, &plain);
    let measured_s = families
        .iter()
        .any(|f| f.control.is_some())
        .then(|| measured.iter().map(|r| r.elapsed_s).sum());
    let sweeps = sweep::sweep_summaries(&labels, &swept);
    let runner: Vec<f64> = records.iter().map(|r| r.runner_ms).collect();
    let probes: Vec<f64> = records.iter().filter_map(|r| r.probe_ms).collect();
    Summary {
        noise: Noise::of(&probes),
        margin_pct: crate::record::DEFAULT_MARGIN_PCT,
        rules: Rules::default(),
        families,
        sweeps,
        // The machine and the build of a Rust model's report, where there is one.
        env: records
            .iter()
            .filter_map(|r| r.report.as_ref())
            .min_by_key(|rep| rep.env.python.is_some())
            .map(|rep| rep.env.clone()),
        runs,
        warmups: records.iter().filter(|r| r.warmup).count(),
        measured_s,
        instructions_unavailable: records
            .iter()
            .filter_map(|r| {
                r.report
                    .as_ref()?
                    .counts
                    .as_ref()?
                    .instructions_unavailable
                    .clone()
            })
            .next(),
        runner_ms_per_run: Stats::of(&runner),
        versus,
        python: versus::interpreters(&plain),
    }
}

/// The groups of `plain`'s runs, CPU first, each once, in the order their runs came.
fn group_keys<'a>(plain: &[&'a RunRecord]) -> Vec<GroupKey<'a>> {
    let mut groups: Vec<GroupKey> = Vec::new();
    for family in Family::ALL {
        for r in plain.iter().filter(|r| r.family == family) {
            let key = (family, r.scenario.as_str(), r.group.as_deref());
            if !groups.contains(&key) {
                groups.push(key);
            }
        }
    }
    groups
}

/// A group of entries compared with each other: family, scenario, and the group they name.
type GroupKey<'a> = (Family, &'a str, Option<&'a str>);

fn family_summary(
    (family, scenario, group): GroupKey,
    labels: &[String],
    measured: &[&RunRecord],
    reference: Option<&str>,
) -> Option<FamilySummary> {
    let mine: Vec<&RunRecord> = measured
        .iter()
        .copied()
        .filter(|r| r.family == family && r.scenario == scenario && r.group.as_deref() == group)
        .collect();
    if mine.is_empty() {
        return None;
    }
    // An A/A control is the baseline's twin, not an entry.
    let entry_runs = mine.iter().copied().filter(|r| r.control.is_none());
    let mut entries: Vec<EntrySummary> = labels
        .iter()
        .filter_map(|label| {
            let runs: Vec<&RunRecord> = entry_runs.clone().filter(|r| &r.entry == label).collect();
            (!runs.is_empty()).then(|| entry_summary(label, &runs))
        })
        .collect();
    let baseline = baseline(family, &entries, reference);
    // Open loop, the schedule sets the wall time: the control resolves CPU time instead.
    let control = control::of(&baseline, &mine, open_loop(&entries));
    // spawn-only's sequential loop starts nothing, so a speed against it means nothing: the
    // start-up cost per unit is compared in the findings instead.
    if scenario != "spawn-only" {
        set_speedups(&mut entries, &baseline, &mine, family);
    }
    // The group's config line is the baseline's (rounds run in a drawn order, so the group's
    // first record can be any entry's).
    let first = (mine.iter().filter(|r| r.entry == baseline))
        .chain(mine.iter())
        .find_map(|r| r.report.as_ref());
    let config = first.map_or(serde_json::Value::Null, |rep| section_of(rep, family, scenario));
    let settings = first.and_then(|rep| concbench_core::config::Config::from_recorded(&rep.config).ok());
    for e in &mut entries {
        let theirs = mine
            .iter()
            .find(|r| r.entry == e.label)
            .and_then(|r| r.report.as_ref())
            .map(|rep| section_of(rep, family, scenario));
        e.own_keys = theirs.map_or(Vec::new(), |t| differing(&config, &t));
    }
    Some(FamilySummary {
        uneven: uneven::of(family, settings.as_ref(), &entries, &mine),
        family,
        scenario: scenario.into(),
        group: group.map(str::to_string),
        baseline,
        config,
        settings,
        same_work: distinct_work(&mine) <= 1,
        entries,
        ranking: GroupRanking::default(),
        control,
    })
}

/// The config section a group's line shows: the family's, or `[scenario]` for a task-cost one.
fn section_of(rep: &Report, family: Family, scenario: &str) -> serde_json::Value {
    if crate::record::is_workload(scenario) {
        rep.config[family.name()].clone()
    } else {
        rep.config["scenario"].clone()
    }
}

/// `key = value` for each key of `theirs` whose value differs from `group`'s.
fn differing(group: &serde_json::Value, theirs: &serde_json::Value) -> Vec<String> {
    let Some(map) = theirs.as_object() else {
        return Vec::new();
    };
    map.iter()
        .filter(|(k, v)| group.get(k.as_str()) != Some(v))
        .map(|(k, v)| format!("{k} = {v}"))
        .collect()
}

/// The entry speeds are relative to: the chosen `reference` (a label, else a model name) where
/// the group holds it, else the family's sync model, else the first entry with a wall time, else
/// the first entry.
fn baseline(family: Family, entries: &[EntrySummary], reference: Option<&str>) -> String {
    let sync = concbench_core::catalogue::sync_model(family).map_or("", |m| m.name);
    let measured = |e: &&EntrySummary| e.has(Metric::Wall);
    let chosen = reference.and_then(|r| {
        let by_label = entries.iter().filter(measured).find(|e| e.label == r);
        by_label.or_else(|| entries.iter().filter(measured).find(|e| e.model == r))
    });
    chosen
        .or_else(|| entries.iter().find(|e| e.model == sync && e.has(Metric::Wall)))
        .or_else(|| entries.iter().find(|e| e.has(Metric::Wall)))
        .map_or_else(|| entries[0].label.clone(), |e| e.label.clone())
}

/// Whether `entries` ran open loop (some offered a rate).
fn open_loop(entries: &[EntrySummary]) -> bool {
    entries.iter().any(|e| e.has(Metric::OfferedPerS))
}

/// Each entry's speed relative to `baseline`, paired by round: in every round where both ran,
/// the baseline's wall time over the entry's; the median of those ratios and its interval.
fn set_speedups(entries: &mut [EntrySummary], baseline: &str, runs: &[&RunRecord], family: Family) {
    for e in entries {
        e.speedup = paired_ratio(runs, baseline, &e.label, Metric::Wall);
        e.cpu_ratio = paired_ratio(runs, &e.label, baseline, Metric::CpuSeconds).map(Paired::interval_only);
        e.p99_ratio = uneven::p99_metric(family)
            .and_then(|m| paired_ratio(runs, &e.label, baseline, m))
            .map(Paired::interval_only);
    }
}

/// In every round where both entries ran, `num`'s figure of `metric` over `den`'s (a positive
/// one); the median of those ratios, in round order, and its interval.
pub(crate) fn paired_ratio(runs: &[&RunRecord], num: &str, den: &str, metric: Metric) -> Option<Paired> {
    let by_round = |label: &str| -> BTreeMap<usize, f64> {
        runs.iter()
            .filter(|r| r.entry == label)
            .filter_map(|r| Some((r.index, metric.read(r.report.as_ref()?)?)))
            .collect()
    };
    let (num, den) = (by_round(num), by_round(den));
    let ratios: Vec<f64> = num
        .iter()
        .filter_map(|(round, v)| Some(v / den.get(round).filter(|d| **d > 0.0)?))
        .collect();
    Paired::of(&ratios)
}

/// How many different works (units and checksum) the successful runs did.
pub(super) fn distinct_work(runs: &[&RunRecord]) -> usize {
    runs.iter()
        .filter_map(|r| r.report.as_ref())
        .map(|rep| format!("{}/{}", rep.work.units, rep.work.checksum))
        .collect::<std::collections::BTreeSet<String>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata;

    #[test]
    fn a_tree_is_compared_by_its_pss_only_from_runs_the_slow_tier_could_read() {
        let mut records = testdata::matrix_rounds(6);
        for r in records.iter_mut().filter_map(|r| r.report.as_mut()) {
            r.memory.pss_peak_mib = Some(r.memory.rss_peak_mib / 2.0);
        }
        let peak = |records: &[RunRecord], label: &str| {
            let s = summarise(records, &testdata::order());
            let f = &s.families[0];
            f.peak_memory(f.entries.iter().find(|e| e.label == label).unwrap())
        };
        assert_eq!(
            peak(&records, "cpu-sync"),
            PeakMemory::Rss(50.0),
            "a single process: RSS"
        );
        assert_eq!(peak(&records, "cpu-procs 2"), PeakMemory::Pss(60.0));
        for r in records.iter_mut().filter(|r| r.entry == "cpu-procs 2") {
            r.report.as_mut().unwrap().wall_s = 0.1; // 2 slow-tier reads at 50 ms
        }
        assert_eq!(
            peak(&records, "cpu-procs 2"),
            PeakMemory::TooShort {
                wall_ms: 100.0,
                needed_ms: 500.0
            }
        );
        for r in records.iter_mut().filter_map(|r| r.report.as_mut()) {
            r.memory.pss_end_mib = Some(45.0);
        }
        assert_eq!(
            peak(&records, "cpu-procs 2"),
            PeakMemory::PssAtEnd(45.0),
            "a short tree by its PSS as the work ended"
        );
        for r in records.iter_mut().filter_map(|r| r.report.as_mut()) {
            r.memory.pss_peak_mib = None;
            r.memory.pss_end_mib = None;
        }
        assert_eq!(peak(&records, "cpu-procs 2"), PeakMemory::NoPss);
    }

    #[test]
    fn summarises_each_family_with_its_sync_baseline() {
        let s = summarise(&testdata::matrix(), &testdata::order());
        assert_eq!(s.families.len(), 2);
        let cpu = &s.families[0];
        assert_eq!(
            (cpu.family, cpu.baseline.as_str(), cpu.same_work),
            (Family::Cpu, "cpu-sync", true)
        );
        let threads = &cpu.entries[1];
        assert_eq!(
            (threads.label.as_str(), threads.ok, threads.failed),
            ("cpu-threads 2", 3, 0)
        );
        let wall = &threads.metrics[&Metric::Wall];
        assert!(
            (wall.mean - 0.56).abs() < 1e-9 && wall.n == 3,
            "warm-up left out: {wall:?}"
        );
        let speedup = threads.speedup.as_ref().unwrap();
        assert!((speedup.median - 1.01 / 0.56).abs() < 1e-9, "{speedup:?}");
        let [low, high] = speedup.ci95;
        assert!(
            (low - 1.02 / 0.57).abs() < 1e-12 && (high - 1.00 / 0.55).abs() < 1e-12,
            "paired by round, the range of 3: {speedup:?}"
        );
        let io = &s.families[1];
        let broken = io.entries.iter().find(|e| e.label == "io-broken").unwrap();
        assert_eq!((broken.ok, broken.failed, broken.metrics.len()), (0, 3, 0));
        assert!(io.entries[1].has(Metric::ReqPerS));
        assert!(!cpu.entries[0].has(Metric::ReqPerS), "IO metrics only for IO");
        assert_eq!(s.runs["ok"] + s.runs["failed"], 19);
        assert_eq!(s.runner_ms_per_run.as_ref().unwrap().max, 3.0);
    }

    #[test]
    fn a_groups_config_line_is_its_baselines_whatever_ran_first() {
        let mut records = testdata::matrix_rounds(6);
        for r in records.iter_mut().filter(|r| r.entry == "cpu-threads 2") {
            r.report.as_mut().unwrap().config["cpu"]["workers"] = 2.into();
        }
        records.reverse(); // a round's drawn order can put any entry first
        let s = summarise(&records, &testdata::order());
        let cpu = &s.families[0];
        assert_eq!(
            cpu.config,
            serde_json::json!({ "urls": 1000 }),
            "cpu-sync's section"
        );
        let threads = cpu.entries.iter().find(|e| e.label == "cpu-threads 2").unwrap();
        assert_eq!(threads.own_keys, ["workers = 2"]);
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

    #[test]
    fn scenarios_are_groups_of_their_own() {
        let s = summarise(&testdata::task_costs(), &[]);
        let ids: Vec<String> = s.families.iter().map(FamilySummary::id).collect();
        assert_eq!(ids, ["cpu-spawn-only", "cpu-blocking-storm"]);
        let storm = &s.families[1];
        assert_eq!(storm.baseline, "cpu-sync");
        assert!(storm.same_work);
        assert_eq!(storm.entries.len(), 5);
        let tokio = &storm.entries[1];
        assert_eq!(tokio.unit.as_deref(), Some("task"));
        let per_unit = tokio.mean(Metric::PerUnit).unwrap();
        assert!((per_unit - 0.82 * 1.01 * 1e4).abs() < 1e-6, "{per_unit}");
        assert!(s.sweeps.is_empty());
    }

    #[test]
    fn sweep_points_form_series_in_value_order() {
        let mut records = testdata::idle_sweep();
        records.reverse();
        let s = summarise(&records, &[]);
        assert!(s.families.is_empty(), "sweep points are not family entries");
        let sweep = &s.sweeps[0];
        assert_eq!(sweep.axis, "units waiting");
        assert_eq!(sweep.values, [1.0, 1_000.0, 20_000.0, 100_000.0]);
        let labels: Vec<&str> = sweep.series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["threads", "tokio"]);
        let threads = &sweep.series[0];
        assert_eq!(threads.scenario, "idle-scale");
        let refused = threads.at(20_000.0).unwrap();
        assert_eq!((refused.ok, refused.failed), (0, 2));
        assert!(
            refused
                .error
                .as_deref()
                .unwrap()
                .starts_with("20000 threads would need"),
            "{:?}",
            refused.error
        );
        let rss = threads.at(1_000.0).unwrap().mean(Metric::RssPeak).unwrap();
        assert!((rss - 14.55).abs() < 1e-9, "{rss}");
        assert!(sweep.same_work);
    }

    #[test]
    fn different_work_at_one_sweep_value_is_flagged() {
        let mut records = testdata::idle_sweep();
        let r = records
            .iter_mut()
            .find(|r| r.entry == "threads @ scenario.units=1000")
            .unwrap();
        r.report.as_mut().unwrap().work.checksum = "ffffffffffffffff".into();
        assert!(!summarise(&records, &[]).sweeps[0].same_work);
    }

    #[test]
    fn an_entry_group_is_a_group_of_its_own_with_its_own_baseline() {
        let mut records = testdata::matrix();
        for r in records.iter_mut().filter(|r| r.entry == "io-tokio") {
            r.group = Some("equal budget: 50 in flight".into());
        }
        let s = summarise(&records, &testdata::order());
        let ids: Vec<String> = s.families.iter().map(FamilySummary::id).collect();
        assert_eq!(ids, ["cpu", "io", "io-equal-budget-50-in-flight"]);
        let group = &s.families[2];
        assert_eq!((group.baseline.as_str(), group.entries.len()), ("io-tokio", 1));
        assert_eq!(group.entries[0].in_flight, Some(50));
        assert!(s.families[1].entries.iter().all(|e| e.label != "io-tokio"));
    }

    #[test]
    fn unresolved_figures_are_counted_per_reason_without_the_runs_own_count() {
        let mut records = testdata::matrix();
        for (n, r) in records
            .iter_mut()
            .filter(|r| r.entry == "cpu-sync" && !r.warmup)
            .enumerate()
        {
            let rep = r.report.as_mut().unwrap();
            rep.sampler.unresolved = vec![format!(
                "threads.peak: {} fast-tier samples, fewer than 10",
                n + 3
            )];
            rep.threads.peak = None;
        }
        let s = summarise(&records, &testdata::order());
        let sync = &s.families[0].entries[0];
        assert_eq!(
            sync.unresolved.iter().collect::<Vec<_>>(),
            [(&"threads.peak: fewer than 10 fast-tier samples".to_string(), &3)]
        );
        assert!(
            !sync.has(Metric::ThreadsPeak),
            "a null figure is left out, never a number"
        );
    }

    #[test]
    fn a_chosen_reference_is_the_baseline_of_the_groups_that_hold_it() {
        let records = testdata::matrix_rounds(6);
        let s = summarise_against(&records, &testdata::order(), Some("cpu-threads 2"));
        let cpu = &s.families[0];
        assert_eq!(cpu.baseline, "cpu-threads 2");
        let sync = cpu.entries.iter().find(|e| e.label == "cpu-sync").unwrap();
        let median = sync.speedup.as_ref().unwrap().median;
        assert!(median < 0.6, "cpu-sync is slower than the reference: {median}");
        assert_eq!(
            s.families[1].baseline, "io-sync",
            "a group without it keeps its sync model"
        );
        let by_model = summarise_against(&records, &testdata::order(), Some("io-tokio"));
        assert_eq!(by_model.families[1].baseline, "io-tokio");
    }
}
