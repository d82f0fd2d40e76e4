//! The task-cost scenarios as async tasks: one task per unit on the configured runtime, sleeping
//! with the runtime's own timer (idle-scale is in [`crate::idle`]); `blocking-storm` and
//! `blocking-sleep` make their blocking calls inside the task, blocking the executor thread as the
//! article showed. The SQLite units, blocking IO, go to the runtime's blocking pool
//! (`spawn_blocking`, `smol::unblock`), as a user of the runtime would send them; file-read uses
//! the runtime's file API (`tokio::fs`, `smol::fs`, `async_std::fs`), which runs each call on
//! the runtime's blocking threads too.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use concbench_core::config::{Config, ScenarioName};
use concbench_cpu::files;
use concbench_cpu::model::UnitRun;
use concbench_cpu::units::{self, UnitTally};

/// A unit's blocking work, for the runtime's blocking pool.
type Blocking = Box<dyn FnOnce() -> u64 + Send>;

/// One unit: sleep natively (the sleep scenarios), then work: on the blocking pool where the
/// scenario's work is blocking IO (SQLite), with the runtime's own file API for file-read.
async fn unit<F, B, R>(
    cfg: Arc<Config>,
    i: usize,
    sleep: impl FnOnce(Duration) -> F,
    offload: impl FnOnce(Blocking) -> B,
    read: impl FnOnce(PathBuf) -> R,
) -> u64
where
    F: Future<Output = ()>,
    B: Future<Output = u64>,
    R: Future<Output = std::io::Result<Vec<u8>>>,
{
    if units::sleeps(&cfg) {
        sleep(units::sleep_of(&cfg, i)).await;
    }
    if cfg.scenario.name == ScenarioName::FileRead {
        let path = files::path_of(Path::new(&cfg.scenario.data), i);
        return match read(path.clone()).await {
            Ok(bytes) => files::value(&bytes),
            Err(err) => {
                concbench_cpu::fail(format!("reading {}: {err}", path.display()));
                0
            }
        };
    }
    if units::on_blocking_pool(&cfg) {
        let cfg = cfg.clone();
        return offload(Box::new(move || units::work(&cfg, i))).await;
    }
    units::work(&cfg, i)
}

/// tokio's blocking pool; a unit that panicked there is recorded as failed.
async fn tokio_blocking(work: Blocking) -> u64 {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|_| {
        concbench_cpu::fail("a unit panicked on tokio's blocking pool".into());
        0
    })
}

/// The unit a run's tasks return, by task.
fn run(tally: UnitTally) -> UnitRun {
    UnitRun {
        tally,
        unit: "task",
        ..UnitRun::default()
    }
}

/// The units on a tokio runtime built by `builder`.
pub fn on_tokio(mut builder: tokio::runtime::Builder, cfg: &Config) -> anyhow::Result<UnitRun> {
    let rt = builder
        .enable_time()
        .build()
        .context("building the tokio runtime")?;
    let cfg = Arc::new(cfg.clone());
    rt.block_on(async {
        let tasks: Vec<_> = (0..cfg.scenario.units)
            .map(|i| {
                tokio::spawn(unit(
                    cfg.clone(),
                    i,
                    tokio::time::sleep,
                    tokio_blocking,
                    |path: PathBuf| tokio::fs::read(path),
                ))
            })
            .collect();
        let mut tally = UnitTally::default();
        for (i, task) in tasks.into_iter().enumerate() {
            tally.add(i, task.await.context("a unit task failed")?);
        }
        Ok(run(tally))
    })
}

/// The units on a smol executor run by `workers` threads (the calling thread among them).
pub fn on_smol(workers: usize, cfg: &Config) -> anyhow::Result<UnitRun> {
    let ex = smol::Executor::new();
    let (stop, stopped) = smol::channel::bounded::<()>(1);
    let cfg = Arc::new(cfg.clone());
    std::thread::scope(|s| {
        for _ in 1..workers {
            s.spawn(|| smol::block_on(ex.run(stopped.recv())));
        }
        let run = smol::block_on(ex.run(async {
            let sleep = |d| async move {
                smol::Timer::after(d).await;
            };
            let tasks: Vec<_> = (0..cfg.scenario.units)
                .map(|i| {
                    ex.spawn(unit(cfg.clone(), i, sleep, smol::unblock, |path: PathBuf| {
                        smol::fs::read(path)
                    }))
                })
                .collect();
            let mut tally = UnitTally::default();
            for (i, task) in tasks.into_iter().enumerate() {
                tally.add(i, task.await);
            }
            Ok(run(tally))
        }));
        drop(stop);
        run
    })
}

/// The units on async-std's executor.
pub fn on_async_std(cfg: &Config) -> anyhow::Result<UnitRun> {
    let cfg = Arc::new(cfg.clone());
    async_std::task::block_on(async {
        let tasks: Vec<_> = (0..cfg.scenario.units)
            .map(|i| {
                async_std::task::spawn(unit(
                    cfg.clone(),
                    i,
                    async_std::task::sleep,
                    async_std::task::spawn_blocking,
                    |path: PathBuf| async_std::fs::read(path),
                ))
            })
            .collect();
        let mut tally = UnitTally::default();
        for (i, task) in tasks.into_iter().enumerate() {
            tally.add(i, task.await);
        }
        Ok(run(tally))
    })
}
