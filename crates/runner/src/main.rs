//! `runner`: runs the concbench matrix, or re-renders an earlier run's exports.
//!
//! `runner [--config FILE] [--set section.key=value]... [--models a,b] [--out DIR] [--label L] [--quiet]`
//! `runner report DIR`
//! `runner merge DIR DIR... --out DIR`
//!
//! Exit codes: 0 the matrix finished (failed runs are recorded, not fatal); 1 it could not run;
//! 2 usage or config error; 130 interrupted by Ctrl-C (what finished is kept and summarised).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};
use concbench_core::config::ConfigError;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Runs the concbench matrix: repeats, statistics, exports, plots"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// TOML config file; without it the built-in defaults (= configs/default.toml) apply.
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// Override one key for every run, e.g. `--set runner.repeats=3`.
    #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
    sets: Vec<String>,
    /// Only these entries (labels or model names), comma-separated.
    #[arg(long, value_delimiter = ',')]
    models: Vec<String>,
    /// Output folder (default results/runs/<UTC time>[-label]); must not hold a run already.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Suffix of the default output folder.
    #[arg(long)]
    label: Option<String>,
    /// The entry (label or model name) every other entry of its group is compared with,
    /// instead of the sync model (overrides `runner.reference`).
    #[arg(long, value_name = "LABEL")]
    reference: Option<String>,
    /// No progress bar and no closing table.
    #[arg(long, short)]
    quiet: bool,
    /// Folder of the model binaries (default: next to this executable).
    #[arg(long, hide = true)]
    bin_dir: Option<PathBuf>,
    /// Continue the interrupted matrix in DIR with the config, `--set`s and `--models` it was
    /// started with (refused when they or the binaries' commit changed, unless `--force`).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["config", "sets", "models", "out", "label", "reference"])]
    resume: Option<PathBuf>,
    /// With `--resume`: continue although the config or the commit changed (warned).
    #[arg(long, requires = "resume")]
    force: bool,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Compare two run folders: NEW's median over OLD's for every metric of every matched entry,
    /// with a 95 % bootstrap interval and a verdict; writes NEW/compare.md.
    Compare {
        /// The earlier run's folder.
        old: PathBuf,
        /// The later run's folder.
        new: PathBuf,
        /// Compare even when the runs did different work.
        #[arg(long)]
        force: bool,
        /// Exit 1 when a wall time got slower by more than PCT percent beyond its interval.
        #[arg(long, value_name = "PCT")]
        threshold: Option<f64>,
    },
    /// Put folders of the same config from several machines in one report (OUT/report.md):
    /// each machine's figures and paired speed-ups side by side, and where the ranking changes.
    Merge {
        /// The run folders, one per machine.
        #[arg(required = true, num_args = 2..)]
        dirs: Vec<PathBuf>,
        /// Where the merged report goes.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Merge although the folders were built at different commits.
        #[arg(long)]
        force: bool,
    },
    /// Re-render summary.json, summary.csv, report.md and the plots from DIR/runs.jsonl.
    Report {
        /// A folder written by an earlier run.
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    concbench_core::harness::init_tracing();
    let cli = Cli::parse();
    if let Some(Cmd::Compare {
        old,
        new,
        force,
        threshold,
    }) = &cli.command
    {
        let opts = runner::compare::Options {
            old: old.clone(),
            new: new.clone(),
            force: *force,
            threshold: *threshold,
        };
        return compare(&opts);
    }
    if let Some(Cmd::Merge { dirs, out, force }) = &cli.command {
        return match runner::merge::run(dirs, out, *force) {
            Ok(_) => {
                println!("{}", out.join("report.md").display());
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: {err:#}");
                ExitCode::from(2)
            }
        };
    }
    if let Some(Cmd::Report { dir }) = &cli.command {
        return match runner::matrix::report(dir) {
            Ok(summary) => {
                print!("{}", runner::table::render(&summary));
                let config = runner::record::Meta::read(dir).config;
                let conclusions = runner::conclusions::conclude(&summary, config.as_deref());
                print!("{}", runner::export::answers::terminal(&conclusions));
                println!("written: {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(err) => fail(&err),
        };
    }
    matrix(cli)
}

/// What `cli` asks the matrix to do; with `--resume`, what the interrupted matrix was asked.
fn options(cli: Cli) -> anyhow::Result<runner::matrix::Options> {
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let mut opts = runner::matrix::Options {
        config: cli.config,
        sets: cli.sets,
        only: cli.models,
        out: cli.out,
        label: cli.label,
        quiet: cli.quiet,
        bin_dir: cli.bin_dir,
        command,
        reference: cli.reference,
        resume: cli.resume.is_some(),
        force: cli.force,
    };
    if let Some(dir) = cli.resume {
        let asked = runner::resume::asked(&dir)?;
        opts.config = asked.config;
        opts.sets = asked.sets;
        opts.only = asked.only;
        opts.reference = asked.reference;
        opts.command = asked.command;
        opts.out = Some(dir);
    }
    Ok(opts)
}

/// Runs the matrix `cli` asks for; Ctrl-C stops it, keeping what finished.
fn matrix(cli: Cli) -> ExitCode {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    if let Err(err) = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)) {
        eprintln!("warning: Ctrl-C will not be caught: {err}");
    }
    let opts = match options(cli) {
        Ok(opts) => opts,
        Err(err) => return fail(&err),
    };
    match runner::matrix::run(&opts, &stop) {
        Ok(done) => {
            if !opts.quiet {
                eprint!("{}", runner::table::render(&done.summary));
                let config = opts.config.as_ref().map(|p| p.display().to_string());
                let conclusions = runner::conclusions::conclude(&done.summary, config.as_deref());
                eprint!("{}", runner::export::answers::terminal(&conclusions));
            }
            println!("{}", done.dir.display());
            if done.interrupted {
                eprintln!(
                    "interrupted: the runs that finished are in {}",
                    done.dir.display()
                );
                ExitCode::from(130)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(err) => fail(&err),
    }
}

/// `runner compare`: 0, 1 when a wall time passed `--threshold`, 2 when the runs cannot be
/// compared.
fn compare(opts: &runner::compare::Options) -> ExitCode {
    match runner::compare::run(opts) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn fail(err: &anyhow::Error) -> ExitCode {
    eprintln!("error: {err:#}");
    if err.chain().any(|e| {
        e.downcast_ref::<ConfigError>().is_some() || e.downcast_ref::<runner::UsageError>().is_some()
    }) {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}
