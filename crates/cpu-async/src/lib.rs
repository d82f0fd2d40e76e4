//! cpu-async: one async task per `cpu.chunk` items (URLs, numbers, records) on the runtime `cpu.runtime` names. The tasks
//! never await inside their loop, as the study's coroutines did not: this shows what an async
//! runtime does with CPU-bound work.
//!
//! - `tokio-current-thread`: one thread (the asyncio analogue);
//! - `tokio-multi-thread`: tokio's work-stealing scheduler on `cpu.workers` threads;
//! - `smol`: a `smol::Executor` run by `cpu.workers` threads;
//! - `async-std`: async-std's executor on `cpu.workers` threads (discontinued upstream: legacy).
//!
//! Building and dropping the runtime are inside the measured window. In the task-cost scenarios
//! each unit is one task (see `units.rs`).
//!
//! Run it: `cargo run --release --bin cpu-async -- --set cpu.runtime=tokio-multi-thread --set cpu.workers=2`.

mod idle;
mod switch;
mod units;

use std::ops::Range;
use std::sync::Arc;

use anyhow::Context;
use concbench_core::config::{AsyncRuntime, ScenarioName};
use concbench_core::{Config, Hooks, Probe};
use concbench_cpu::kernel::{Input, Tally};
use concbench_cpu::model::{CpuModel, UnitRun};

/// Async tasks on a configurable runtime.
pub struct CpuAsync;

impl CpuModel for CpuAsync {
    const NAME: &'static str = "cpu-async";

    fn count(cfg: &Config, urls: &Arc<Input>, _probe: &Probe) -> anyhow::Result<Tally> {
        let chunks = urls.chunks(cfg.cpu.job_items());
        let workers = cfg.cpu.workers;
        let tally = match cfg.cpu.runtime {
            AsyncRuntime::TokioCurrentThread => on_tokio(tokio_builder(None), urls, chunks)?,
            AsyncRuntime::TokioMultiThread => on_tokio(tokio_builder(Some(workers)), urls, chunks)?,
            AsyncRuntime::Smol => on_smol(workers, urls, chunks),
            AsyncRuntime::AsyncStd => on_async_std(urls, chunks),
        };
        Ok(tally)
    }

    fn run_units(cfg: &Config, _probe: &Probe) -> anyhow::Result<UnitRun> {
        let workers = cfg.cpu.workers;
        match cfg.cpu.runtime {
            _ if cfg.scenario.name == ScenarioName::IdleScale => idle_units(cfg),
            _ if cfg.scenario.name == ScenarioName::Switch => switch_units(cfg),
            AsyncRuntime::TokioCurrentThread => units::on_tokio(tokio_builder(None), cfg),
            AsyncRuntime::TokioMultiThread => units::on_tokio(tokio_builder(Some(workers)), cfg),
            AsyncRuntime::Smol => units::on_smol(workers, cfg),
            AsyncRuntime::AsyncStd => units::on_async_std(cfg),
        }
    }
}

/// switch's two tasks on the configured runtime.
fn switch_units(cfg: &Config) -> anyhow::Result<UnitRun> {
    let workers = cfg.cpu.workers;
    match cfg.cpu.runtime {
        AsyncRuntime::TokioCurrentThread => switch::on_tokio(tokio_builder(None), cfg),
        AsyncRuntime::TokioMultiThread => switch::on_tokio(tokio_builder(Some(workers)), cfg),
        AsyncRuntime::Smol => switch::on_smol(workers, cfg),
        AsyncRuntime::AsyncStd => switch::on_async_std(cfg),
    }
}

/// idle-scale's lean units on the configured runtime.
fn idle_units(cfg: &Config) -> anyhow::Result<UnitRun> {
    let workers = cfg.cpu.workers;
    match cfg.cpu.runtime {
        AsyncRuntime::TokioCurrentThread => idle::on_tokio(tokio_builder(None), cfg),
        AsyncRuntime::TokioMultiThread => idle::on_tokio(tokio_builder(Some(workers)), cfg),
        AsyncRuntime::Smol => idle::on_smol(workers, cfg),
        AsyncRuntime::AsyncStd => idle::on_async_std(cfg),
    }
}

impl Hooks for CpuAsync {
    fn variant(cfg: &Config) -> Option<String> {
        Some(cfg.cpu.runtime.name().into())
    }

    fn legacy(cfg: &Config) -> bool {
        cfg.cpu.runtime == AsyncRuntime::AsyncStd
    }

    fn before_start(cfg: &Config) {
        if cfg.cpu.runtime == AsyncRuntime::AsyncStd {
            set_async_std_threads(cfg.cpu.workers);
        }
    }
}

/// async-std sizes its global executor from `ASYNC_STD_THREAD_COUNT` when first used.
#[allow(unsafe_code)]
fn set_async_std_threads(workers: usize) {
    // SAFETY: called from `main` before the sampler or any runtime starts a thread, so no other
    // thread can be reading the environment.
    unsafe { std::env::set_var("ASYNC_STD_THREAD_COUNT", workers.to_string()) };
}

fn count(input: &Input, range: Range<usize>) -> Tally {
    input.tally(range)
}

fn tokio_builder(workers: Option<usize>) -> tokio::runtime::Builder {
    match workers {
        None => tokio::runtime::Builder::new_current_thread(),
        Some(n) => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(n);
            b
        }
    }
}

fn on_tokio(
    mut builder: tokio::runtime::Builder,
    urls: &Arc<Input>,
    chunks: Vec<Range<usize>>,
) -> anyhow::Result<Tally> {
    let rt = builder.build().context("building the tokio runtime")?;
    rt.block_on(async {
        let tasks: Vec<_> = chunks
            .into_iter()
            .map(|range| {
                let urls = Arc::clone(urls);
                tokio::spawn(async move { count(&urls, range) })
            })
            .collect();
        let mut tally = Tally::default();
        for task in tasks {
            tally = tally.merge(task.await.context("a counting task failed")?);
        }
        Ok(tally)
    })
}

fn on_smol(workers: usize, urls: &Arc<Input>, chunks: Vec<Range<usize>>) -> Tally {
    let ex = smol::Executor::new();
    let (stop, stopped) = smol::channel::bounded::<()>(1);
    std::thread::scope(|s| {
        // The calling thread is one of the `workers` threads that run the executor.
        for _ in 1..workers {
            s.spawn(|| smol::block_on(ex.run(stopped.recv())));
        }
        let tally = smol::block_on(ex.run(async {
            let tasks: Vec<_> = chunks
                .into_iter()
                .map(|range| {
                    let urls = Arc::clone(urls);
                    ex.spawn(async move { count(&urls, range) })
                })
                .collect();
            let mut tally = Tally::default();
            for task in tasks {
                tally = tally.merge(task.await);
            }
            tally
        }));
        drop(stop); // closes the channel: every helper thread's `recv` returns
        tally
    })
}

fn on_async_std(urls: &Arc<Input>, chunks: Vec<Range<usize>>) -> Tally {
    async_std::task::block_on(async {
        let tasks: Vec<_> = chunks
            .into_iter()
            .map(|range| {
                let urls = Arc::clone(urls);
                async_std::task::spawn(async move { count(&urls, range) })
            })
            .collect();
        let mut tally = Tally::default();
        for task in tasks {
            tally = tally.merge(task.await);
        }
        tally
    })
}
