//! Running the matrix: find (or build) the binaries, start one bench-server for the IO family,
//! run the schedule ([`crate::schedule`]) with each run a child process, record each run as it
//! ends, then summarise and export.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use concbench_core::python;
use concbench_core::report::{Family, Report};
use concbench_core::worker::SpawnedServer;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::RunnerConfig;
use crate::exec;
use crate::export;
use crate::noise;
use crate::record::{self, Ending, Log, Meta, RunRecord};
use crate::resume;
use crate::schedule::{self, Job, Slot};
use crate::summary::{self, Summary};

/// What `runner` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The config file (built-in defaults without it).
    pub config: Option<PathBuf>,
    /// `--set` overrides for every run.
    pub sets: Vec<String>,
    /// Only entries whose label or model is listed.
    pub only: Vec<String>,
    /// Output folder (default `results/runs/<UTC time>[-label]`).
    pub out: Option<PathBuf>,
    /// Suffix of the default output folder.
    pub label: Option<String>,
    /// No progress bar and no closing table.
    pub quiet: bool,
    /// Where the model binaries are (default: next to this executable).
    pub bin_dir: Option<PathBuf>,
    /// The command line, for the report.
    pub command: String,
    /// `--reference`: the baseline of the groups that hold it (overrides `runner.reference`).
    pub reference: Option<String>,
    /// `--resume`: continue the interrupted matrix in `out` instead of starting one.
    pub resume: bool,
    /// `--force`: resume although the config or the commit changed.
    pub force: bool,
}

/// What a matrix run produced.
#[derive(Debug)]
pub struct Done {
    /// The output folder.
    pub dir: PathBuf,
    /// The statistics.
    pub summary: Summary,
    /// True when Ctrl-C stopped it early.
    pub interrupted: bool,
}

/// Runs the matrix; `stop` is set by Ctrl-C. With `opts.resume`, continues the one in
/// `opts.out` ([`crate::resume`]).
pub fn run(opts: &Options, stop: &Arc<AtomicBool>) -> anyhow::Result<Done> {
    let (cfg, mut runner) = crate::config::load(opts.config.as_deref(), &opts.sets)?;
    if let Some(reference) = &opts.reference {
        choose_reference(&mut runner, reference)?;
    }
    let jobs = schedule::jobs(&runner, opts.config.as_deref(), &opts.sets, &opts.only)?;
    let needs_server = cfg.io.target == "spawn" && jobs.iter().any(|j| j.family == Family::Io);
    let bin_dir = binaries(opts.bin_dir.clone(), &jobs, needs_server)?;
    let effective = serde_json::json!({
        "models": concbench_core::config::to_json(&cfg),
        "runner": serde_json::to_value(&runner).context("the runner's config as JSON")?,
    });
    let commit = concbench_core::env::collect().git_sha;
    let (dir, mut meta, done) = folder(opts, &runner, effective, commit)?;
    let server = match needs_server {
        true => Some(SpawnedServer::binary(&bin_dir.join("bench-server"))?),
        false => None,
    };
    let mut python = BTreeMap::new();
    for spec in jobs.iter().filter_map(|j| j.python.as_deref()) {
        if !python.contains_key(spec) {
            let env = crate::python::provide(bin_dir.parent().unwrap_or(&bin_dir), spec, stop);
            if let Err(why) = &env {
                eprintln!("runner: the Python entries cannot run: {why}");
            }
            python.insert(spec.to_string(), env);
        }
    }
    let run = Run {
        opts,
        bin_dir: &bin_dir,
        python: &python,
        server: server.as_ref().map(|s| s.url.as_str()),
        limit: Duration::from_secs(runner.run_timeout_s),
        stop,
        jobs: &jobs,
        order: schedule::order(&jobs),
        bar: progress(
            jobs.len() * (runner.warmup + schedule::planned_rounds(&runner)),
            opts.quiet,
        ),
    };
    let (records, stopped) = run.rounds(&runner, &mut Log::open(&dir.join("runs.jsonl"))?, done)?;
    run.bar.finish_and_clear();
    let order = run.order;
    drop(server);
    meta.finished_at = jiff::Timestamp::now().to_string();
    meta.interrupted = stop.load(Ordering::SeqCst);
    meta.stopped = stopped.map(crate::record::Stopped::Typed);
    write_meta(&dir, &meta)?;
    let summary = summary::summarise_with(&records, &order, &summary::Settings::of(&meta));
    export::write_all(&dir, &summary, &meta, &records)?;
    Ok(Done {
        dir,
        summary,
        interrupted: meta.interrupted,
    })
}

/// The output folder, its `meta.json` (written) and the records already in it: a new folder, or
/// with `--resume` the interrupted matrix's, checked against `effective` and `commit`.
fn folder(
    opts: &Options,
    runner: &RunnerConfig,
    effective: serde_json::Value,
    commit: String,
) -> anyhow::Result<(PathBuf, Meta, Vec<RunRecord>)> {
    let (dir, meta, done) = match opts.resume {
        true => {
            let dir = opts.out.clone().context("--resume names the folder")?;
            let meta = resume::check(&dir, &effective, &commit, opts.force)?;
            let done = resume::done_records(&dir)?;
            (dir, meta, done)
        }
        false => (
            out_dir(opts)?,
            started(opts, runner, effective, commit),
            Vec::new(),
        ),
    };
    write_meta(&dir, &meta)?;
    Ok((dir, meta, done))
}

/// The `meta.json` of a matrix that starts now: what it was asked and what it read, written
/// before its first run so that an interrupted matrix can be resumed.
fn started(opts: &Options, runner: &RunnerConfig, effective: serde_json::Value, commit: String) -> Meta {
    Meta {
        command: opts.command.clone(),
        config: opts.config.as_ref().map(|p| p.display().to_string()),
        started_at: jiff::Timestamp::now().to_string(),
        finished_at: String::new(),
        interrupted: false,
        stopped: None,
        reference: runner.reference.clone(),
        margin_pct: runner.margin_pct,
        sets: opts.sets.clone(),
        only: opts.only.clone(),
        effective: Some(effective),
        commit: Some(commit),
        drawn_order: true,
    }
}

fn write_meta(dir: &Path, meta: &Meta) -> anyhow::Result<()> {
    std::fs::write(dir.join("meta.json"), serde_json::to_string_pretty(meta)? + "\n")
        .context("writing meta.json")
}

/// Re-renders the exports of an earlier run from its `runs.jsonl` (and `meta.json`).
pub fn report(dir: &Path) -> anyhow::Result<Summary> {
    let records = record::read(&dir.join("runs.jsonl"))?;
    let meta = Meta::read(dir);
    // Without a matrix order, entries come in the order of their first run.
    let summary = summary::summarise_with(&records, &[], &summary::Settings::of(&meta));
    export::write_all(dir, &summary, &meta, &records)?;
    Ok(summary)
}

/// What every run of one matrix shares.
struct Run<'a> {
    opts: &'a Options,
    bin_dir: &'a Path,
    /// The Python entries' environments by interpreter (`py.python`), or why there is none.
    python: &'a BTreeMap<String, Result<crate::python::Python, String>>,
    /// The URL of the matrix's bench-server, when it started one.
    server: Option<&'a str>,
    limit: Duration,
    stop: &'a AtomicBool,
    jobs: &'a [Job],
    /// The labels in matrix order.
    order: Vec<String>,
    bar: ProgressBar,
}

impl Run<'_> {
    /// The warm-ups, then the measured rounds until the schedule says enough (or `stop`); the
    /// records, and why `repeats = "auto"` stopped.
    /// `done`: the records of a resumed matrix, whose slots are not run again.
    fn rounds(
        &self,
        runner: &RunnerConfig,
        log: &mut Log,
        done: Vec<RunRecord>,
    ) -> anyhow::Result<(Vec<RunRecord>, Option<crate::record::Stop>)> {
        let recorded = resume::recorded(&done);
        // A resumed matrix's time budget counts the measured runs it already has.
        let spent: f64 = done.iter().filter(|r| !r.warmup).map(|r| r.elapsed_s).sum();
        let mut records = done;
        for index in 0..runner.warmup {
            let all: Vec<&Job> = self.jobs.iter().collect();
            if !self.round(&all, index, true, log, (&mut records, &recorded))? {
                return Ok((records, None));
            }
        }
        let now = Instant::now();
        let begin = now.checked_sub(Duration::from_secs_f64(spent)).unwrap_or(now);
        for index in 0.. {
            let next = schedule::next(runner, index, begin.elapsed(), self.jobs, &records, &self.order);
            let jobs = match next {
                schedule::Next::Stop(reason) => return Ok((records, reason)),
                schedule::Next::Run(jobs) => jobs,
            };
            if !self.round(&jobs, index, false, log, (&mut records, &recorded))? {
                break;
            }
        }
        Ok((records, None))
    }

    /// Runs round `index` of `jobs` (each once), appending each record to `log` as it ends;
    /// false when `stop` cut it short.
    /// A slot in `recorded` (a resumed matrix's) is not run again.
    fn round(
        &self,
        jobs: &[&Job],
        index: usize,
        warmup: bool,
        log: &mut Log,
        (records, recorded): (&mut Vec<RunRecord>, &resume::Recorded),
    ) -> anyhow::Result<bool> {
        let slots: Vec<Slot> = schedule::round(jobs, index, warmup)
            .into_iter()
            .filter(|slot| !recorded.contains(&resume::key(slot)))
            .collect();
        let left = self.bar.length().unwrap_or(0).saturating_sub(self.bar.position());
        if left < slots.len() as u64 {
            self.bar.inc_length(slots.len() as u64 - left);
        }
        for slot in &slots {
            if self.stop.load(Ordering::SeqCst) {
                return Ok(false);
            }
            self.bar.set_message(slot_message(slot));
            let record = self.one(slot)?;
            log.append(&record)?;
            if record.outcome != Ending::Ok {
                self.bar.println(format!(
                    "{} run {}: {:?}",
                    record.entry, record.index, record.outcome
                ));
            }
            records.push(record);
            self.bar.inc(1);
        }
        Ok(!self.stop.load(Ordering::SeqCst))
    }

    /// The model's arguments: the config file, the runner's `--set`s, the entry's, and the
    /// matrix's bench-server as the target of an IO entry that names none of its own.
    fn args(&self, job: &Job) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(file) = &self.opts.config {
            args.extend(["--config".to_string(), file.display().to_string()]);
        }
        let mut sets = self.opts.sets.clone();
        sets.extend(job.entry.set_args());
        let own_target = job.entry.set.contains_key("io.target");
        if let (Some(url), Family::Io, false) = (self.server, job.family, own_target) {
            sets.push(format!("io.target={url}"));
        }
        for set in sets {
            args.extend(["--set".to_string(), set]);
        }
        args
    }

    /// Times the noise probe, then runs one slot as a child process and records how it ended.
    fn one(&self, slot: &Slot) -> anyhow::Result<RunRecord> {
        let probe_ms = noise::probe_ms();
        let begin = Instant::now();
        let (job, args) = (slot.job, self.args(slot.job));
        let env = job.python.as_ref().map(|spec| self.python.get(spec));
        let mut cmd = match env {
            None => Command::new(self.bin_dir.join(&job.entry.model)),
            Some(Some(Ok(py))) => py.command(&job.entry.model),
            Some(Some(Err(why))) => return Ok(could_not_run(slot, args, probe_ms, why)),
            Some(None) => return Ok(could_not_run(slot, args, probe_ms, "no environment was made")),
        };
        cmd.args(&args).env("CONCBENCH_BIN_DIR", self.bin_dir);
        let done =
            exec::run(cmd, self.limit, self.stop).with_context(|| format!("starting {}", job.entry.model))?;
        let (outcome, report, stderr_tail) = ending(&done);
        let mut record = RunRecord {
            exit_code: done.code,
            signal: done.signal,
            stderr_tail,
            elapsed_s: done.elapsed.as_secs_f64(),
            report,
            ..record_of(slot, args, probe_ms, outcome)
        };
        record.runner_ms = (begin.elapsed().saturating_sub(done.elapsed)).as_secs_f64() * 1000.0;
        Ok(record)
    }
}

/// The record of a slot that was never started, and why.
fn could_not_run(slot: &Slot, args: Vec<String>, probe_ms: f64, why: &str) -> RunRecord {
    RunRecord {
        stderr_tail: Some(format!("error: could not run: {why}")),
        ..record_of(slot, args, probe_ms, Ending::CouldNotRun)
    }
}

/// The record of `slot` run with `args`, as it ended, before its process's figures are in.
fn record_of(slot: &Slot, args: Vec<String>, probe_ms: f64, outcome: Ending) -> RunRecord {
    let job = slot.job;
    RunRecord {
        entry: job.entry.name(),
        model: job.entry.model.clone(),
        family: job.family,
        scenario: job.scenario.clone(),
        sweep: job.sweep.clone(),
        group: job.group.clone(),
        control: job.control.clone(),
        probe_ms: Some(probe_ms),
        index: slot.index,
        warmup: slot.warmup,
        outcome,
        exit_code: None,
        signal: None,
        stderr_tail: None,
        args,
        elapsed_s: 0.0,
        runner_ms: 0.0,
        report: None,
    }
}

/// The progress bar's message for a slot: the entry, its scenario, whether a warm-up.
fn slot_message(slot: &Slot) -> String {
    let job = slot.job;
    let scenario = match job.scenario.as_str() {
        "main" => String::new(),
        other => format!(" [{other}]"),
    };
    let warmup = if slot.warmup { " (warm-up)" } else { "" };
    format!("{}{scenario}{warmup}", job.entry.name())
}

/// How a finished child ended: its report when it exited 0 with one, else the tail of its stderr.
fn ending(done: &exec::Finished) -> (Ending, Option<Report>, Option<String>) {
    let parsed = (done.code == Some(0)).then(|| serde_json::from_str::<Report>(&done.stdout));
    let tail = || Some(exec::tail(&done.stderr, 20));
    match parsed {
        _ if done.timed_out => (Ending::Timeout, None, tail()),
        _ if done.interrupted => (Ending::Interrupted, None, tail()),
        Some(Ok(report)) => (Ending::Ok, Some(report), None),
        Some(Err(err)) => {
            let tail = format!(
                "stdout is not a report ({err}); stderr: {}",
                exec::tail(&done.stderr, 20)
            );
            (Ending::Failed, None, Some(tail))
        }
        None => (Ending::Failed, None, tail()),
    }
}

/// `--reference`: the baseline of the groups that hold it; a name that is no entry is the
/// user's to mend (exit 2).
fn choose_reference(runner: &mut RunnerConfig, reference: &str) -> anyhow::Result<()> {
    if !runner.models.iter().any(|e| e.is_named(reference)) {
        return Err(crate::UsageError::no_entry(&format!("--reference {reference} names"), runner).into());
    }
    runner.reference = Some(reference.to_owned());
    Ok(())
}

/// The folder with the model binaries (and bench-server when the matrix needs one); builds them
/// (release) when some are missing.
fn binaries(given: Option<PathBuf>, jobs: &[Job], needs_server: bool) -> anyhow::Result<PathBuf> {
    let dir = match given {
        Some(dir) => dir,
        None => std::env::current_exe()
            .context("finding this executable")?
            .parent()
            .context("this executable has no folder")?
            .to_path_buf(),
    };
    let mut wanted: Vec<&str> = jobs
        .iter()
        .map(|j| j.entry.model.as_str())
        .filter(|m| !python::is_python(m))
        .collect();
    if needs_server {
        wanted.push("bench-server");
    }
    if jobs
        .iter()
        .any(|j| python::is_python(&j.entry.model) && j.family == Family::Serve)
    {
        wanted.push("serve-sync"); // the Python servers' load generator
    }
    let missing = |dir: &Path| -> Vec<String> {
        wanted
            .iter()
            .filter(|m| !dir.join(m).is_file())
            .map(|m| m.to_string())
            .collect()
    };
    let absent = missing(&dir);
    if absent.is_empty() {
        return Ok(dir);
    }
    eprintln!(
        "runner: {} missing in {}; building them: cargo build --release --workspace --bins",
        absent.join(", "),
        dir.display()
    );
    let status = Command::new("cargo")
        .args(["build", "--release", "--workspace", "--bins"])
        .status()
        .context("running cargo to build the model binaries")?;
    if !status.success() {
        bail!("cargo build --release --workspace --bins failed: {status}");
    }
    let still = missing(&dir);
    if !still.is_empty() {
        bail!(
            "{} still missing in {} after building",
            still.join(", "),
            dir.display()
        );
    }
    Ok(dir)
}

fn out_dir(opts: &Options) -> anyhow::Result<PathBuf> {
    let dir = match &opts.out {
        Some(dir) => dir.clone(),
        None => {
            let stamp = jiff::Timestamp::now().strftime("%Y-%m-%dT%H%M%SZ").to_string();
            let name = match &opts.label {
                Some(label) => format!("{stamp}-{label}"),
                None => stamp,
            };
            PathBuf::from("results").join("runs").join(name)
        }
    };
    if dir.join("runs.jsonl").exists() {
        bail!(
            "{} already holds a run; choose another --out (nothing is overwritten), or continue it with --resume",
            dir.display()
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn progress(len: usize, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    if quiet {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    } else {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{bar:30} {pos}/{len} runs, ETA {eta}  {msg}")
            .expect("a valid template");
        bar.set_style(style);
    }
    bar
}
