//! Running the matrix: check every entry's config, find (or build) the binaries, start one
//! bench-server for the IO family, run the warm-ups and then the repeats round-robin (every entry
//! once per round, so drift of the machine falls on all alike), record each run as it ends.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use concbench_core::config::{self, Config, Entry, Sweep};
use concbench_core::report::Report;
use concbench_core::worker::announced_url;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::exec;
use crate::export::{self, Meta};
use crate::record::{self, Log, Outcome, RunRecord, SweepPoint};
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

/// Runs the matrix; `stop` is set by Ctrl-C.
pub fn run(opts: &Options, stop: &Arc<AtomicBool>) -> anyhow::Result<Done> {
    let cfg = config::load(opts.config.as_deref(), &opts.sets)?;
    let jobs = jobs(&cfg, opts)?;
    let entries: Vec<Entry> = jobs.iter().map(|j| j.entry.clone()).collect();
    let needs_server =
        cfg.io.target == "spawn" && entries.iter().any(|e| record::family_of(&e.model) == "io");
    let bin_dir = binaries(opts.bin_dir.clone(), &entries, needs_server)?;
    let dir = out_dir(opts)?;
    let mut log = Log::open(&dir.join("runs.jsonl"))?;
    let started_at = jiff::Timestamp::now().to_string();
    let server = if needs_server {
        Some(Server::start(&bin_dir)?)
    } else {
        None
    };

    let plan = plan(&jobs, cfg.runner.warmup, cfg.runner.repeats);
    let bar = progress(plan.len(), opts.quiet);
    let limit = Duration::from_secs(cfg.runner.run_timeout_s);
    let mut records = Vec::with_capacity(plan.len());
    for (job, index, warmup) in &plan {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let entry = &job.entry;
        bar.set_message(format!(
            "{}{}{}",
            entry.name(),
            if job.scenario == "main" {
                String::new()
            } else {
                format!(" [{}]", job.scenario)
            },
            if *warmup { " (warm-up)" } else { "" }
        ));
        let mut args = Vec::new();
        if let Some(file) = &opts.config {
            args.extend(["--config".to_string(), file.display().to_string()]);
        }
        let mut sets = opts.sets.clone();
        sets.extend(entry.set_args());
        let own_target = entry.set.contains_key("io.target");
        if let (Some(server), "io", false) = (&server, record::family_of(&entry.model), own_target) {
            sets.push(format!("io.target={}", server.url));
        }
        for set in sets {
            args.extend(["--set".to_string(), set]);
        }
        let record = run_one(&bin_dir, job, *index, *warmup, args, limit, stop)?;
        log.append(&record)?;
        if record.outcome != Outcome::Ok {
            bar.println(format!(
                "{} run {}: {:?}",
                record.entry, record.index, record.outcome
            ));
        }
        records.push(record);
        bar.inc(1);
    }
    bar.finish_and_clear();
    drop(server);
    let interrupted = stop.load(Ordering::SeqCst);
    let mut order: Vec<String> = Vec::new();
    for name in entries.iter().map(Entry::name) {
        if !order.contains(&name) {
            order.push(name);
        }
    }
    let summary = summary::summarise(&records, &order);
    let meta = Meta {
        command: opts.command.clone(),
        config: opts.config.as_ref().map(|p| p.display().to_string()),
        started_at,
        finished_at: jiff::Timestamp::now().to_string(),
        interrupted,
    };
    std::fs::write(dir.join("meta.json"), serde_json::to_string_pretty(&meta)? + "\n")
        .context("writing meta.json")?;
    export::write_all(&dir, &summary, &meta)?;
    Ok(Done {
        dir,
        summary,
        interrupted,
    })
}

/// Re-renders the exports of an earlier run from its `runs.jsonl` (and `meta.json`).
pub fn report(dir: &Path) -> anyhow::Result<Summary> {
    let records = record::read(&dir.join("runs.jsonl"))?;
    let meta: Meta = std::fs::read_to_string(dir.join("meta.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    // Without a matrix order, entries come in the order of their first run.
    let summary = summary::summarise(&records, &[]);
    export::write_all(dir, &summary, &meta)?;
    Ok(summary)
}

/// One configuration the matrix runs: an entry (a sweep point is an entry with the swept keys
/// added to its `set`), the scenario its config selects, and its place in a sweep.
#[derive(Debug, Clone)]
struct Job {
    entry: Entry,
    scenario: String,
    sweep: Option<SweepPoint>,
}

/// The selected entries, each swept entry expanded into its points, each checked by loading its
/// effective config (an error names the entry and the key).
fn jobs(cfg: &Config, opts: &Options) -> anyhow::Result<Vec<Job>> {
    let mut jobs = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (entry, sweep) in expand(cfg, select(cfg, &opts.only)?) {
        let cpu = record::family_of(&entry.model) == "cpu";
        let variants: Vec<Entry> = if cpu && !cfg.runner.scenarios.is_empty() {
            cfg.runner
                .scenarios
                .iter()
                .map(|scenario| {
                    let mut e = entry.clone();
                    e.label = Some(entry.name());
                    e.set
                        .insert("scenario.name".into(), toml::Value::from(scenario.name()));
                    e
                })
                .collect()
        } else {
            vec![entry]
        };
        for entry in variants {
            let mut sets = opts.sets.clone();
            sets.extend(entry.set_args());
            let effective = config::load(opts.config.as_deref(), &sets)
                .with_context(|| format!("entry \"{}\"", entry.name()))?;
            // IO models run the HTTP workload whatever `[scenario]` says.
            let scenario = if cpu {
                effective.scenario.name.name()
            } else {
                "main"
            };
            if !seen.insert((entry.name(), scenario)) {
                bail!(
                    "two runs of the matrix are both \"{}\" on scenario {scenario}: a sweep repeats a value, or two entries share a label",
                    entry.name()
                );
            }
            jobs.push(Job {
                entry,
                scenario: scenario.to_string(),
                sweep: sweep.clone(),
            });
        }
    }
    Ok(jobs)
}

/// Each entry once, or, when a sweep names it, once per value of each such sweep (the swept key
/// and the `with` keys added to the entry's overrides, the label saying the point).
fn expand(cfg: &Config, entries: Vec<Entry>) -> Vec<(Entry, Option<SweepPoint>)> {
    let mut out = Vec::new();
    for entry in entries {
        let sweeps: Vec<&Sweep> = cfg.runner.sweep.iter().filter(|s| s.covers(&entry)).collect();
        if sweeps.is_empty() {
            out.push((entry, None));
            continue;
        }
        let series = entry.name();
        for sweep in sweeps {
            for (i, value) in sweep.values.iter().enumerate() {
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
                    series: series.clone(),
                };
                out.push((point, Some(at)));
            }
        }
    }
    out
}

fn select(cfg: &Config, only: &[String]) -> anyhow::Result<Vec<Entry>> {
    let entries: Vec<Entry> = cfg
        .runner
        .models
        .iter()
        .filter(|e| only.is_empty() || only.iter().any(|o| e.is_named(o)))
        .cloned()
        .collect();
    if entries.is_empty() {
        let names: Vec<String> = cfg.runner.models.iter().map(Entry::name).collect();
        bail!(
            "--models {} matches no entry of runner.models ({})",
            only.join(","),
            names.join(", ")
        );
    }
    Ok(entries)
}

/// The warm-ups, then the repeats, each round visiting every job once.
fn plan(jobs: &[Job], warmup: usize, repeats: usize) -> Vec<(Job, usize, bool)> {
    let rounds = (0..warmup)
        .map(|i| (i, true))
        .chain((0..repeats).map(|i| (i, false)));
    rounds
        .flat_map(|(i, w)| jobs.iter().map(move |j| (j.clone(), i, w)))
        .collect()
}

fn run_one(
    bin_dir: &Path,
    job: &Job,
    index: usize,
    warmup: bool,
    args: Vec<String>,
    limit: Duration,
    stop: &AtomicBool,
) -> anyhow::Result<RunRecord> {
    let begin = Instant::now();
    let entry = &job.entry;
    let mut cmd = Command::new(bin_dir.join(&entry.model));
    cmd.args(&args);
    let done = exec::run(cmd, limit, stop).with_context(|| format!("starting {}", entry.model))?;
    let parsed = (done.code == Some(0)).then(|| serde_json::from_str::<Report>(&done.stdout));
    let (outcome, report, stderr_tail) = match parsed {
        _ if done.timed_out => (Outcome::Timeout, None, Some(exec::tail(&done.stderr, 20))),
        _ if done.interrupted => (Outcome::Interrupted, None, Some(exec::tail(&done.stderr, 20))),
        Some(Ok(report)) => (Outcome::Ok, Some(report), None),
        Some(Err(err)) => {
            let tail = format!(
                "stdout is not a report ({err}); stderr: {}",
                exec::tail(&done.stderr, 20)
            );
            (Outcome::Failed, None, Some(tail))
        }
        None => (Outcome::Failed, None, Some(exec::tail(&done.stderr, 20))),
    };
    let mut record = RunRecord {
        entry: entry.name(),
        model: entry.model.clone(),
        family: record::family_of(&entry.model).into(),
        scenario: job.scenario.clone(),
        sweep: job.sweep.clone(),
        index,
        warmup,
        outcome,
        exit_code: done.code,
        signal: done.signal,
        stderr_tail,
        args,
        elapsed_s: done.elapsed.as_secs_f64(),
        runner_ms: 0.0,
        report,
    };
    record.runner_ms = (begin.elapsed().saturating_sub(done.elapsed)).as_secs_f64() * 1000.0;
    Ok(record)
}

/// The folder with the model binaries (and bench-server when the matrix needs one); builds them
/// (release) when some are missing.
fn binaries(given: Option<PathBuf>, entries: &[Entry], needs_server: bool) -> anyhow::Result<PathBuf> {
    let dir = match given {
        Some(dir) => dir,
        None => std::env::current_exe()
            .context("finding this executable")?
            .parent()
            .context("this executable has no folder")?
            .to_path_buf(),
    };
    let mut wanted: Vec<&str> = entries.iter().map(|e| e.model.as_str()).collect();
    if needs_server {
        wanted.push("bench-server");
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
            "{} already holds a run; choose another --out (nothing is overwritten)",
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

/// The bench-server of the matrix, stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(bin_dir: &Path) -> anyhow::Result<Self> {
        let exe = bin_dir.join("bench-server");
        let mut child = Command::new(&exe)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", exe.display()))?;
        let stdout = child.stdout.take().expect("stdout was piped");
        let mut server = Self {
            child,
            url: String::new(),
        };
        // On an error `server` drops here, which stops the child.
        server.url = announced_url(stdout, Duration::from_secs(10))?;
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
