//! What the matrix runs and in which order: the selected entries, each swept entry expanded into
//! its points and each CPU entry into its scenarios, checked against the models' config; then
//! the warm-ups and the repeats, round-robin (every job once per round, in an order drawn anew
//! each round, so drift of the machine falls on all alike).

use std::path::Path;

use anyhow::{Context, bail};
use concbench_core::config::{self, CpuKernel, ScenarioName};
use concbench_core::report::Family;

use std::time::Duration;

use crate::config::{Entry, Repeats, RunnerConfig, Sweep};
use crate::record::{PilotPlan, RunRecord, ShortOfPlan, Stop, StopReason, SweepPoint};
use crate::stats;
use crate::summary;

/// One configuration the matrix runs: an entry (a sweep point is an entry with the swept keys
/// added to its `set`), its family, the scenario its config selects, and its place in a sweep.
#[derive(Debug, Clone)]
pub struct Job {
    /// The entry, with the scenario and sweep keys in its overrides.
    pub entry: Entry,
    /// The model's family.
    pub family: Family,
    /// The scenario its runs do (`main`: the family's workload).
    pub scenario: String,
    /// Its place in a sweep, for a sweep point.
    pub sweep: Option<SweepPoint>,
    /// The entry's group, if it names one.
    pub group: Option<String>,
    /// An A/A control: the label of the baseline it runs a second time.
    pub control: Option<String>,
    /// A Python entry's interpreter (its `py.python`; empty: the run's default); `None` for a
    /// Rust model.
    pub python: Option<String>,
}

/// One run of the schedule.
#[derive(Debug, Clone, Copy)]
pub struct Slot<'a> {
    /// What runs.
    pub job: &'a Job,
    /// The round (warm-ups and measured rounds counted separately, from 0).
    pub index: usize,
    /// An unmeasured warm-up.
    pub warmup: bool,
}

/// The selected entries (`only`: labels or model names; empty: all), expanded into jobs, each
/// checked by loading its effective config from `file` and `sets` (an error names the entry).
pub fn jobs(
    runner: &RunnerConfig,
    file: Option<&Path>,
    sets: &[String],
    only: &[String],
) -> anyhow::Result<Vec<Job>> {
    let mut jobs: Vec<Job> = Vec::new();
    for (entry, sweep) in expand(runner, select(runner, only)?) {
        for entry in scenarios(runner, entry) {
            let job = job(entry, sweep.clone(), file, sets)?;
            let (name, scenario) = (job.entry.name(), &job.scenario);
            if jobs
                .iter()
                .any(|j| j.entry.name() == name && &j.scenario == scenario)
            {
                bail!(
                    "two runs of the matrix are both \"{name}\" on scenario {scenario}: a sweep repeats a value, or two entries share a label"
                );
            }
            jobs.push(job);
        }
    }
    if runner.control {
        let controls = controls(&jobs, runner.reference.as_deref());
        jobs.extend(controls);
    }
    Ok(jobs)
}

/// Checks `entry`'s effective config and reads the scenario it selects.
fn job(entry: Entry, sweep: Option<SweepPoint>, file: Option<&Path>, sets: &[String]) -> anyhow::Result<Job> {
    let mut all = sets.to_vec();
    all.extend(entry.set_args());
    let effective = config::load(file, &all).with_context(|| format!("entry \"{}\"", entry.name()))?;
    let family = entry.family();
    // IO models run the HTTP workload whatever `[scenario]` says.
    // A CPU entry on another kernel than char-encoding is a group of its own, named by the kernel.
    let scenario = match family {
        Family::Cpu if effective.scenario.name != ScenarioName::Main => effective.scenario.name.name(),
        Family::Cpu if effective.cpu.kernel != CpuKernel::CharEncoding => effective.cpu.kernel.name(),
        Family::Cpu | Family::Io | Family::Serve => "main",
    };
    Ok(Job {
        control: None,
        python: concbench_core::python::is_python(&entry.model).then(|| effective.py.python.clone()),
        group: entry.group.clone(),
        entry,
        family,
        scenario: scenario.to_string(),
        sweep,
    })
}

/// A CPU entry once per scenario of `runner.scenarios`, or per kernel of `runner.kernels`
/// (when one lists some); any other once, and so is an entry that sets `scenario.name` or
/// `cpu.kernel` itself: it chose its work.
fn scenarios(runner: &RunnerConfig, entry: Entry) -> Vec<Entry> {
    let chose = entry.set.contains_key("scenario.name") || entry.set.contains_key("cpu.kernel");
    if entry.family() != Family::Cpu || chose {
        return vec![entry];
    }
    let per = |key: &str, names: Vec<&str>| -> Vec<Entry> {
        names
            .into_iter()
            .map(|name| {
                let mut e = entry.clone();
                e.label = Some(entry.name());
                e.set.insert(key.into(), toml::Value::from(name));
                e
            })
            .collect()
    };
    if !runner.scenarios.is_empty() {
        per(
            "scenario.name",
            runner.scenarios.iter().map(|s| s.name()).collect(),
        )
    } else if !runner.kernels.is_empty() {
        per("cpu.kernel", runner.kernels.iter().map(|k| k.name()).collect())
    } else {
        vec![entry]
    }
}

/// Each entry once, or, when a sweep names it, once per value of each such sweep (the swept key
/// and the `with` keys added to the entry's overrides, the label saying the point).
fn expand(runner: &RunnerConfig, entries: Vec<Entry>) -> Vec<(Entry, Option<SweepPoint>)> {
    let mut out = Vec::new();
    for entry in entries {
        let sweeps: Vec<&Sweep> = runner.sweep.iter().filter(|s| s.covers(&entry)).collect();
        if sweeps.is_empty() {
            out.push((entry, None));
            continue;
        }
        for sweep in sweeps {
            out.extend((0..sweep.values.len()).map(|i| point(&entry, sweep, i)));
        }
    }
    out
}

/// `entry` at the `i`th value of `sweep`.
fn point(entry: &Entry, sweep: &Sweep, i: usize) -> (Entry, Option<SweepPoint>) {
    let series = entry.name();
    let value = &sweep.values[i];
    let mut point = entry.clone();
    point.set.insert(sweep.key.clone(), value.clone());
    for (key, values) in &sweep.with {
        point.set.insert(key.clone(), values[i].clone());
    }
    point.label = Some(format!("{series} @ {}={value}", sweep.key));
    let at = SweepPoint {
        axis: sweep.axis(),
        key: sweep.key.clone(),
        value: value
            .as_float()
            .or_else(|| value.as_integer().map(|v| v as f64))
            .expect("sweep values are numbers (validated)"),
        series,
    };
    (point, Some(at))
}

/// The entries of `runner.models` that `only` names (all when it is empty).
fn select(runner: &RunnerConfig, only: &[String]) -> anyhow::Result<Vec<Entry>> {
    let entries: Vec<Entry> = runner
        .models
        .iter()
        .filter(|e| only.is_empty() || only.iter().any(|o| e.is_picked(o)))
        .cloned()
        .collect();
    if entries.is_empty() {
        let asked = format!("--models {} matches", only.join(","));
        return Err(crate::UsageError::no_entry(&asked, runner).into());
    }
    Ok(entries)
}

/// Round `index` of `jobs`, each once, in an order drawn anew each round (a Fisher-Yates
/// shuffle seeded by the round, so a resumed matrix draws the same): an entry that always ran
/// first, or a control always beside its twin, would see drift the others do not (randomised
/// interleaved trials, Abedi and Brecht, ICPE 2017). Warm-ups run in matrix order, without the
/// A/A controls.
pub fn round<'a>(jobs: &[&'a Job], index: usize, warmup: bool) -> Vec<Slot<'a>> {
    let slot = |job| Slot { job, index, warmup };
    if warmup {
        return jobs
            .iter()
            .filter(|j| j.control.is_none())
            .map(|&j| slot(j))
            .collect();
    }
    let mut slots: Vec<Slot<'a>> = jobs.iter().map(|&j| slot(j)).collect();
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64 ^ (index as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    for i in (1..slots.len()).rev() {
        let j = (splitmix(&mut seed) % (i as u64 + 1)) as usize;
        slots.swap(i, j);
    }
    slots
}

/// The next number of the SplitMix64 sequence at `state`.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An A/A control for each group of `jobs` of two entries or more (family, scenario and group;
/// sweeps have none): its
/// baseline run a second time, labelled `<baseline> (A/A control)`. The baseline is the one the
/// summary will choose: `reference` where the group holds it, else the family's sync model, else
/// the group's first entry.
pub fn controls(jobs: &[Job], reference: Option<&str>) -> Vec<Job> {
    let mut out: Vec<Job> = Vec::new();
    let plain: Vec<&Job> = jobs
        .iter()
        .filter(|j| j.sweep.is_none() && j.control.is_none())
        .collect();
    for job in &plain {
        let same = |j: &&&Job| j.family == job.family && j.scenario == job.scenario && j.group == job.group;
        if out
            .iter()
            .any(|c| c.family == job.family && c.scenario == job.scenario && c.group == job.group)
        {
            continue;
        }
        let group: Vec<&Job> = plain.iter().filter(same).copied().collect();
        if group.len() < 2 {
            continue; // nothing to compare: no resolution to state
        }
        let sync = concbench_core::catalogue::sync_model(job.family).map_or("", |m| m.name);
        let chosen = reference.and_then(|r| group.iter().find(|j| j.entry.name() == r || j.entry.model == r));
        let baseline = chosen
            .or_else(|| group.iter().find(|j| j.entry.model == sync))
            .unwrap_or(&group[0]);
        let name = baseline.entry.name();
        let mut control = (*baseline).clone();
        control.entry.label = Some(format!("{name} (A/A control)"));
        control.control = Some(name);
        out.push(control);
    }
    out
}

/// What the matrix does after `done` measured rounds.
#[derive(Debug)]
pub enum Next<'a> {
    /// Stop; with `repeats = "auto"`, why.
    Stop(Option<Stop>),
    /// Run these jobs as the next round.
    Run(Vec<&'a Job>),
}

/// The next step after `done` measured rounds in `elapsed`. With a fixed count: every job until
/// the count is reached. With `repeats = "auto"`, two stages: every job for the first
/// `min_rounds` rounds (the pilot); then each entry's rounds are fixed from its pilot ratios
/// ([`planned_rounds`]) and the rounds go on with the entries that have not yet run theirs, each
/// with its group's baseline (a ratio pairs the two in one round), until all have or a limit
/// ends the rounds. The interval is never looked at to decide: that would make it miss more
/// often than it says.
pub fn next<'a>(
    runner: &RunnerConfig,
    done: usize,
    elapsed: Duration,
    jobs: &'a [Job],
    records: &[RunRecord],
    order: &[String],
) -> Next<'a> {
    let all = || Next::Run(jobs.iter().collect());
    match runner.repeats {
        Repeats::Fixed(n) if done >= n => return Next::Stop(None),
        Repeats::Fixed(_) => return all(),
        Repeats::Auto if done == 0 => return all(),
        Repeats::Auto => {}
    }
    let plan = (done >= runner.auto.min_rounds).then(|| Plan::of(runner, records, order));
    if let Some(why) = stop_reason(runner, done, elapsed, plan.as_ref()) {
        return Next::Stop(Some(why));
    }
    match plan {
        None => all(),
        Some(plan) => Next::Run(plan.open_jobs(jobs)),
    }
}

/// The rounds the pilot fixed for each entry, and how many each has run.
#[derive(Debug)]
struct Plan {
    /// Per group (its baseline and scenario) and entry: (label, planned, done).
    entries: Vec<PlannedEntry>,
    pilot: usize,
}

#[derive(Debug)]
struct PlannedEntry {
    baseline: String,
    scenario: String,
    label: String,
    planned: usize,
    done: usize,
}

impl Plan {
    fn of(runner: &RunnerConfig, records: &[RunRecord], order: &[String]) -> Self {
        let pilot = runner.auto.min_rounds;
        let first: Vec<RunRecord> = records.iter().filter(|r| r.index < pilot).cloned().collect();
        let reference = runner.reference.as_deref();
        let planned = summary::summarise_against(&first, order, reference);
        let now = summary::summarise_against(records, order, reference);
        let mut entries = Vec::new();
        for f in &planned.families {
            for e in &f.entries {
                let Some(p) = &e.speedup else { continue };
                let done = now
                    .families
                    .iter()
                    .find(|g| g.id() == f.id())
                    .and_then(|g| g.entries.iter().find(|x| x.label == e.label))
                    .and_then(|x| x.speedup.as_ref())
                    .map_or(0, |s| s.n);
                entries.push(PlannedEntry {
                    baseline: f.baseline.clone(),
                    scenario: f.scenario.clone(),
                    label: e.label.clone(),
                    planned: stats::planned_rounds(&p.ratios, runner.auto.target_pct, runner.auto.max_rounds),
                    done,
                });
            }
        }
        Self { entries, pilot }
    }

    fn open(&self) -> impl Iterator<Item = &PlannedEntry> {
        self.entries.iter().filter(|e| e.done < e.planned)
    }

    /// The jobs of the entries still short of their rounds, with their groups' baselines.
    fn open_jobs<'a>(&self, jobs: &'a [Job]) -> Vec<&'a Job> {
        let wanted: Vec<(&str, &str)> = self
            .open()
            .flat_map(|e| {
                [
                    (e.label.as_str(), e.scenario.as_str()),
                    (e.baseline.as_str(), e.scenario.as_str()),
                ]
            })
            .collect();
        jobs.iter()
            .filter(|j| {
                let name = j.entry.name();
                // A group's control runs in every round its baseline runs.
                wanted.iter().any(|(label, scenario)| {
                    (*label == name || j.control.as_deref() == Some(*label)) && *scenario == j.scenario
                })
            })
            .collect()
    }

    /// `6 to 24 rounds (most: io-threads 1000)`.
    fn pilot_plan(&self, target_pct: f64) -> PilotPlan {
        let most = self.entries.iter().max_by_key(|e| e.planned);
        let least = self.entries.iter().map(|e| e.planned).min().unwrap_or(self.pilot);
        PilotPlan {
            pilot: self.pilot,
            least,
            most: most.map_or(least, |m| m.planned),
            most_entry: most.filter(|m| m.planned > least).map(|m| m.label.clone()),
            target_pct,
        }
    }
}

/// The labels in matrix order, each once.
pub fn order(jobs: &[Job]) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for name in jobs.iter().map(|j| j.entry.name()) {
        if !order.contains(&name) {
            order.push(name);
        }
    }
    order
}

/// The measured rounds the progress bar plans for: the fixed count, or auto's minimum.
pub fn planned_rounds(runner: &RunnerConfig) -> usize {
    match runner.repeats {
        Repeats::Fixed(n) => n,
        Repeats::Auto => runner.auto.min_rounds,
    }
}

/// Why `repeats = "auto"` stops after `done` rounds in `elapsed`: every entry has run the rounds
/// its pilot planned, or the round limit or the time budget ended the rounds; `None` to go on.
fn stop_reason(runner: &RunnerConfig, done: usize, elapsed: Duration, plan: Option<&Plan>) -> Option<Stop> {
    let auto = &runner.auto;
    let reason = if plan.is_some_and(|p| p.open().next().is_none()) {
        StopReason::PlanMet
    } else if done >= auto.max_rounds {
        StopReason::RoundLimit {
            limit: auto.max_rounds,
        }
    } else if elapsed.as_secs() >= auto.budget_s {
        StopReason::TimeBudget {
            budget_s: auto.budget_s,
        }
    } else {
        return None;
    };
    Some(Stop {
        reason,
        rounds: done,
        plan: plan.map(|p| p.pilot_plan(auto.target_pct)),
        short: plan.map_or(Vec::new(), |p| {
            p.open()
                .map(|e| ShortOfPlan {
                    entry: e.label.clone(),
                    done: e.done,
                    planned: e.planned,
                })
                .collect()
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata;
    use std::collections::BTreeSet;

    fn auto(min_rounds: usize) -> RunnerConfig {
        RunnerConfig {
            repeats: Repeats::Auto,
            auto: crate::config::Auto {
                min_rounds,
                target_pct: 5.0,
                max_rounds: 20,
                budget_s: 100,
            },
            ..RunnerConfig::default()
        }
    }

    fn job(label: &str, model: &str, family: Family) -> Job {
        Job {
            control: None,
            python: None,
            entry: Entry::with(model, label, &[]),
            family,
            scenario: "main".into(),
            sweep: None,
            group: None,
        }
    }

    #[test]
    fn an_entry_that_chose_its_work_is_not_run_on_every_kernel() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.toml");
        std::fs::write(
            &file,
            r#"[runner]
kernels = ["char-encoding", "sqrt-sum"]
models = [
  "cpu-sync",
  { model = "cpu-threads", set = { "scenario.name" = "switch", "scenario.units" = 2 }, label = "switch" },
  { model = "cpu-threads", set = { "cpu.kernel" = "sqrt-sum" }, label = "sqrt only" },
]
"#,
        )
        .unwrap();
        let (_, runner) = crate::config::load(Some(&file), &[]).unwrap();
        let jobs = jobs(&runner, Some(&file), &[], &[]).unwrap();
        let got: Vec<(String, &str)> = jobs
            .iter()
            .map(|j| (j.entry.name(), j.scenario.as_str()))
            .collect();
        let want = [
            ("cpu-sync", "main"),
            ("cpu-sync", "sqrt-sum"),
            ("switch", "switch"),
            ("sqrt only", "sqrt-sum"),
            // The one group of two entries gets its A/A control; a group of one has none.
            ("cpu-sync (A/A control)", "sqrt-sum"),
        ];
        assert_eq!(got, want.map(|(l, s)| (l.to_string(), s)));
        assert_eq!(jobs[4].control.as_deref(), Some("cpu-sync"));
    }

    #[test]
    fn a_round_runs_each_job_once_in_an_order_drawn_anew_and_warm_ups_run_no_control() {
        let mut jobs: Vec<Job> = ["cpu-sync", "cpu-threads", "cpu-async", "cpu-rayon", "cpu-procs"]
            .iter()
            .map(|m| job(m, m, Family::Cpu))
            .collect();
        let controls = controls(&jobs, None);
        assert_eq!(controls.len(), 1);
        assert_eq!(
            (controls[0].entry.name(), controls[0].control.as_deref()),
            ("cpu-sync (A/A control)".to_string(), Some("cpu-sync"))
        );
        jobs.extend(controls);
        let all: Vec<&Job> = jobs.iter().collect();
        let names = |slots: &[Slot]| slots.iter().map(|s| s.job.entry.name()).collect::<Vec<_>>();
        assert_eq!(
            names(&round(&all, 0, true)),
            ["cpu-sync", "cpu-threads", "cpu-async", "cpu-rayon", "cpu-procs"],
            "a warm-up: matrix order, no control"
        );
        let (mut firsts, mut control_places, mut orders) =
            (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        for index in 0..40 {
            let order = names(&round(&all, index, false));
            let mut sorted = order.clone();
            sorted.sort();
            let mut want: Vec<String> = all.iter().map(|j| j.entry.name()).collect();
            want.sort();
            assert_eq!(sorted, want, "each job once");
            assert_eq!(
                order,
                names(&round(&all, index, false)),
                "the same round draws the same order"
            );
            firsts.insert(order[0].clone());
            control_places.insert(order.iter().position(|n| n.ends_with("(A/A control)")).unwrap());
            orders.insert(order);
        }
        assert!(firsts.len() >= 5, "no job always runs first: {firsts:?}");
        assert!(
            control_places.len() >= 5,
            "the control moves about: {control_places:?}"
        );
        assert!(orders.len() >= 30, "{} orders in 40 rounds", orders.len());
    }

    #[test]
    fn auto_rounds_go_on_with_the_unresolved_entries_and_their_baseline() {
        let records = testdata::matrix_rounds(6);
        let order = testdata::order();
        let jobs = [
            job("cpu-sync", "cpu-sync", Family::Cpu),
            job("cpu-threads 2", "cpu-threads", Family::Cpu),
            job("io-sync", "io-sync", Family::Io),
            job("io-tokio", "io-tokio", Family::Io),
        ];
        let runner = auto(6);
        let run =
            |done, elapsed, records: &[RunRecord]| match next(&runner, done, elapsed, &jobs, records, &order)
            {
                Next::Run(jobs) => Ok(jobs.iter().map(|j| j.entry.name()).collect::<Vec<_>>()),
                Next::Stop(why) => Err(why),
            };
        // cpu-threads 2: ±2.7 %, so its 6 pilot rounds are its plan; io-tokio: (10 + d) / (0.3 + d)
        // over d = 0 … 0.05, ±7 %, so the pilot plans 12 rounds for it.
        assert_eq!(
            run(6, Duration::ZERO, &records),
            Ok(vec!["io-sync".into(), "io-tokio".into()])
        );
        assert_eq!(
            run(3, Duration::ZERO, &records).unwrap().len(),
            4,
            "every job before min_rounds"
        );
        let why = run(6, Duration::from_secs(100), &records).unwrap_err().unwrap();
        assert_eq!(why.reason, StopReason::TimeBudget { budget_s: 100 });
        assert_eq!(why.rounds, 6);
        let plan = why.plan.as_ref().unwrap();
        assert_eq!((plan.pilot, plan.least, plan.most), (6, 6, 12));
        assert_eq!(plan.most_entry.as_deref(), Some("io-tokio"));
        assert_eq!(
            why.short,
            [ShortOfPlan {
                entry: "io-tokio".into(),
                done: 6,
                planned: 12
            }],
            "names who is short of the plan"
        );
        let cpu_only: Vec<RunRecord> = records.into_iter().filter(|r| r.family == Family::Cpu).collect();
        let why = run(6, Duration::ZERO, &cpu_only).unwrap_err().unwrap();
        assert_eq!((why.reason, why.rounds), (StopReason::PlanMet, 6));
        assert!(why.short.is_empty());
        // The plan comes from the pilot alone: twelve rounds of io-tokio end the rounds.
        let twelve = testdata::matrix_rounds(12);
        let eleven = testdata::matrix_rounds(11);
        assert_eq!(
            run(11, Duration::ZERO, &eleven),
            Ok(vec!["io-sync".into(), "io-tokio".into()])
        );
        let why = run(12, Duration::ZERO, &twelve).unwrap_err().unwrap();
        assert_eq!((why.reason, why.rounds), (StopReason::PlanMet, 12));
        let fixed = RunnerConfig {
            repeats: Repeats::Fixed(3),
            ..RunnerConfig::default()
        };
        assert!(matches!(
            next(&fixed, 3, Duration::ZERO, &jobs, &[], &order),
            Next::Stop(None)
        ));
        assert!(matches!(next(&fixed, 2, Duration::ZERO, &jobs, &[], &order), Next::Run(j) if j.len() == 4));
    }
}
