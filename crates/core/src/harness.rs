//! What every model binary does around its own work: parse the command line and config, prepare
//! the inputs, open the measured window, run, close it, and print one report.
//!
//! Exit codes: 0 the run finished (failed requests are counted, not fatal); 1 the run could not
//! be done; 2 usage or config error.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;

use crate::config::{self, Config, ConfigError};
pub use crate::report::Family;
use crate::report::{IoStats, Moved, Report, SCHEMA_VERSION, ServeStats, UnitStats, Work};
use crate::sampler::{Probe, Sampler};

/// The command line every model binary takes.
#[derive(Debug, Parser)]
#[command(version, about = None, long_about = None)]
pub struct Args {
    /// TOML config file; without it the built-in defaults (= configs/default.toml) apply.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Override one key, e.g. `--set cpu.workers=4` or `--set 'io.endpoints=["/get"]'`.
    #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
    pub sets: Vec<String>,
    /// Internal: run as a worker process of a process model.
    #[arg(long, hide = true)]
    pub worker: bool,
    /// Internal: run as the HTTP target server of an IO model (`io.target = "spawn"`).
    #[arg(long, hide = true)]
    pub serve: bool,
    /// Internal: run as the load generator of a serving model.
    #[arg(long, hide = true)]
    pub loadgen: bool,
}

/// What a model returns from its measured run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Work done.
    pub work: Work,
    /// HTTP counters (io family).
    pub io: Option<IoStats>,
    /// Task-cost scenario figures.
    pub units: Option<UnitStats>,
    /// The serving family's figures.
    pub serve: Option<ServeStats>,
    /// What a process model moved to its workers.
    pub moved: Option<Moved>,
}

/// A concurrency model: the part of a binary that differs from the others.
pub trait Model {
    /// Binary name, e.g. `cpu-sync`.
    const NAME: &'static str;
    /// Family of the model.
    const FAMILY: Family;
    /// Workload name, e.g. `char-encoding`.
    const SCENARIO: &'static str;
    /// Inputs built before the measured window opens.
    type Input;
    /// The model's [`Hooks`].
    type Hooks: Hooks;

    /// Builds the inputs; not measured.
    fn prepare(cfg: &Config) -> anyhow::Result<Self::Input>;

    /// Does the measured work: build the runtime, pool or processes, run, collect. The input
    /// stays alive until the window closes, so memory figures include it to the end.
    fn run(cfg: &Config, input: &Self::Input, probe: &Probe) -> anyhow::Result<Outcome>;

    /// Checks the work after the measured window closed (not measured): e.g. that a database
    /// holds exactly the rows written.
    fn check(_cfg: &Config, _input: &Self::Input) -> anyhow::Result<()> {
        Ok(())
    }

    /// The workload's name in the report: [`Model::SCENARIO`] unless the config picks another.
    fn scenario(_cfg: &Config) -> String {
        Self::SCENARIO.into()
    }

    /// Runs the HTTP target server in this process (the hidden `--serve` mode of IO models).
    fn serve() -> anyhow::Result<()> {
        anyhow::bail!("{} has no server mode", Self::NAME)
    }

    /// Runs the load generator in this process (the hidden `--loadgen` mode of serving models).
    fn loadgen() -> anyhow::Result<()> {
        anyhow::bail!("{} has no load generator mode", Self::NAME)
    }
}

/// What a model may adjust around its run; every method has a default. A family's model trait
/// (e.g. `concbench_cpu::CpuModel`) extends it, and its [`Model`] names the model as `Hooks`.
pub trait Hooks {
    /// The runtime or mode within the model, where it has one.
    fn variant(_cfg: &Config) -> Option<String> {
        None
    }

    /// True when the model stands on a library discontinued upstream.
    fn legacy(_cfg: &Config) -> bool {
        false
    }

    /// Configures the process before anything starts (e.g. a runtime's thread-count variable).
    fn before_start(_cfg: &Config) {}

    /// The hidden worker mode of process models: reads a job on stdin, answers on stdout.
    fn worker() -> anyhow::Result<()> {
        anyhow::bail!("this model has no worker mode")
    }
}

/// The whole `main` of a model binary.
pub fn main<M: Model>() -> ExitCode {
    init_tracing();
    let args = Args::parse();
    if args.worker {
        let result = M::Hooks::worker();
        if result.is_ok() {
            crate::worker::say_peak();
        }
        return exit(result);
    }
    if args.serve {
        return exit(M::serve());
    }
    if args.loadgen {
        return exit(M::loadgen());
    }
    exit(run::<M>(&args).and_then(|report| print(&report)))
}

/// Loads the config of `args`, runs the model once and returns its report.
pub fn run<M: Model>(args: &Args) -> anyhow::Result<Report> {
    let cfg = config::load(args.config.as_deref(), &args.sets)?;
    M::Hooks::before_start(&cfg);
    let env = crate::env::collect();
    let input = M::prepare(&cfg).context("preparing the inputs")?;
    tracing::info!(model = M::NAME, "inputs ready; measuring");
    let sampler = Sampler::start(Duration::from_millis(cfg.sampler.interval_ms))
        .context("starting the sampler thread")?;
    let started_at = jiff::Timestamp::now();
    let t0 = Instant::now();
    let result = M::run(&cfg, &input, sampler.probe());
    let wall = t0.elapsed();
    let measured = sampler.stop();
    let mut outcome = result?;
    M::check(&cfg, &input).context("checking the work after the run")?;
    drop(input);
    if let Some(io) = &mut outcome.io {
        io.set_rates(wall.as_secs_f64());
    }
    if let Some(units) = &mut outcome.units {
        units.set_per_unit(wall.as_secs_f64());
    }
    if let Some(serve) = &mut outcome.serve {
        serve.set_rates(wall.as_secs_f64());
    }
    tracing::info!(model = M::NAME, wall_s = wall.as_secs_f64(), "done");
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        model: M::NAME.into(),
        variant: M::Hooks::variant(&cfg),
        legacy: M::Hooks::legacy(&cfg),
        family: M::FAMILY,
        scenario: M::scenario(&cfg),
        config: config::to_json(&cfg),
        started_at: started_at.to_string(),
        wall_s: wall.as_secs_f64(),
        work: outcome.work.clone(),
        io: outcome.io,
        units: outcome.units,
        serve: outcome.serve,
        moved: outcome.moved,
        cpu: measured.cpu,
        memory: measured.memory,
        threads: measured.threads,
        processes: measured.processes,
        samples: measured.samples,
        sampler: measured.cost,
        counts: measured
            .counts
            .map(|c| crate::counts::Counts::of(c, measured.instructions.clone(), outcome.work.units)),
        env,
    })
}

fn print(report: &Report) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(report).context("serialising the report")?;
    println!("{json}");
    Ok(())
}

fn exit(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            if err.downcast_ref::<ConfigError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default `warn`).
pub fn init_tracing() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    // `Targets` reads `warn`, `io_tokio=debug,warn` and the like without a regex engine, which
    // keeps regex out of every binary's build (`EnvFilter` needs one).
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse::<tracing_subscriber::filter::Targets>().ok())
        .unwrap_or_else(|| {
            tracing_subscriber::filter::Targets::new()
                .with_default(tracing_subscriber::filter::LevelFilter::WARN)
        });
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .finish()
        .with(filter)
        .try_init();
}
