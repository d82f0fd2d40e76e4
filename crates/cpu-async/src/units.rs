//! The task-cost scenarios as async tasks: one task per unit on the configured runtime, sleeping
//! with the runtime's own timer (idle-scale is in [`crate::idle`]); `blocking-storm` makes its
//! blocking calls inside the task, blocking the executor thread as the article showed.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use concbench_core::config::Config;
use concbench_core::cpu::UnitRun;
use concbench_core::workload::units::{self, UnitTally};

/// One unit: sleep natively (the sleep scenarios), then work.
async fn unit<F: Future<Output = ()>>(cfg: Arc<Config>, i: usize, sleep: impl FnOnce(Duration) -> F) -> u64 {
    if units::sleeps(&cfg) {
        sleep(units::sleep_of(&cfg, i)).await;
    }
    units::work(&cfg, i)
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
            .map(|i| tokio::spawn(unit(cfg.clone(), i, tokio::time::sleep)))
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
                .map(|i| ex.spawn(unit(cfg.clone(), i, sleep)))
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
            .map(|i| async_std::task::spawn(unit(cfg.clone(), i, async_std::task::sleep)))
            .collect();
        let mut tally = UnitTally::default();
        for (i, task) in tasks.into_iter().enumerate() {
            tally.add(i, task.await);
        }
        Ok(run(tally))
    })
}
