//! idle-scale as lean as the published benchmarks: a unit registers with one shared gate,
//! counts itself as arrived, and awaits the gate's one notification; its future holds a
//! reference to the gate and the notification's waiter, nothing else. The run keeps each
//! spawned task's join handle; with `scenario.async_units = "futures"` the units are plain
//! futures in one `FuturesUnordered` that a single task drives, so no task is spawned per unit.
//!
//! The gate is tokio's `Notify`, which needs no tokio runtime, so every runtime waits on the same
//! thing.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use concbench_core::config::{AsyncUnits, Config};
use concbench_core::sys;
use concbench_cpu::model::UnitRun;
use concbench_cpu::units::{self, IDLE_BOUND, UnitTally};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::Notify;

/// Where the units wait.
pub struct Gate {
    notify: Notify,
    arrived: AtomicUsize,
}

/// One idle unit: register, arrive, wait for the one wake-up.
async fn unit(gate: &'static Gate) -> u64 {
    let notified = gate.notify.notified();
    let mut notified = std::pin::pin!(notified);
    // Registered before it counts as arrived, so the release cannot be missed.
    notified.as_mut().enable();
    gate.arrived.fetch_add(1, Ordering::SeqCst);
    notified.await;
    0
}

/// The size of one unit's future, bytes.
fn future_bytes(gate: &'static Gate) -> u64 {
    std::mem::size_of_val(&unit(gate)) as u64
}

/// Every unit as a plain future, driven by the one task that polls this: the count that finished.
async fn drive(gate: &'static Gate, n: usize) -> usize {
    let mut set: FuturesUnordered<_> = (0..n).map(|_| unit(gate)).collect();
    let mut done = 0;
    while set.next().await.is_some() {
        done += 1;
    }
    done
}

/// One run's gate and what it measured before the first unit.
struct Idle {
    cfg: Config,
    gate: &'static Gate,
    rss_before_mib: Option<f64>,
}

impl Idle {
    fn new(cfg: &Config) -> Self {
        // One gate per run, for the process's life: a 'static reference is all a unit holds.
        let gate = Box::leak(Box::new(Gate {
            notify: Notify::new(),
            arrived: AtomicUsize::new(0),
        }));
        Self {
            cfg: cfg.clone(),
            gate,
            rss_before_mib: sys::rss_mib(),
        }
    }

    fn spawned(&self) -> bool {
        self.cfg.scenario.async_units == AsyncUnits::Spawned
    }

    /// After starting the units: wait (yielding) until every unit waits, read the resident
    /// memory, hold them for the sampler, then wake them all.
    async fn release<Y: Future<Output = ()>>(
        &self,
        yield_now: impl Fn() -> Y,
    ) -> anyhow::Result<Option<f64>> {
        let start = Instant::now();
        while self.gate.arrived.load(Ordering::SeqCst) < self.cfg.scenario.units {
            anyhow::ensure!(
                start.elapsed() < IDLE_BOUND,
                "the idle units did not all start within {IDLE_BOUND:?}"
            );
            yield_now().await;
        }
        let rss = sys::rss_mib();
        std::thread::sleep(units::hold(&self.cfg)); // every unit is parked; nothing to run
        self.gate.notify.notify_waiters();
        Ok(rss)
    }

    fn run(&self, tally: UnitTally, rss_all_started_mib: Option<f64>) -> UnitRun {
        UnitRun {
            tally,
            unit: if self.spawned() { "task" } else { "future" },
            rss_before_mib: self.rss_before_mib,
            rss_all_started_mib,
            future_bytes: Some(future_bytes(self.gate)),
            pss_mib: None,
        }
    }

    /// The tally of `n` units that each returned 0 (in index order).
    fn tally(n: usize) -> UnitTally {
        let mut tally = UnitTally::default();
        for i in 0..n {
            tally.add(i, 0);
        }
        tally
    }
}

/// idle-scale on a tokio runtime built by `builder`.
pub fn on_tokio(mut builder: tokio::runtime::Builder, cfg: &Config) -> anyhow::Result<UnitRun> {
    let rt = builder.build().context("building the tokio runtime")?;
    let idle = Idle::new(cfg);
    let (n, gate) = (cfg.scenario.units, idle.gate);
    rt.block_on(async {
        if idle.spawned() {
            let handles: Vec<_> = (0..n).map(|_| tokio::spawn(unit(gate))).collect();
            let rss = idle.release(tokio::task::yield_now).await?;
            let mut tally = UnitTally::default();
            for (i, handle) in handles.into_iter().enumerate() {
                tally.add(i, handle.await.context("a unit task failed")?);
            }
            return Ok(idle.run(tally, rss));
        }
        let driver = tokio::spawn(drive(gate, n));
        let rss = idle.release(tokio::task::yield_now).await?;
        let done = driver.await.context("the driving task failed")?;
        Ok(idle.run(Idle::tally(done), rss))
    })
}

/// idle-scale on a smol executor run by `workers` threads (the calling thread among them).
pub fn on_smol(workers: usize, cfg: &Config) -> anyhow::Result<UnitRun> {
    let ex = smol::Executor::new();
    let (stop, stopped) = smol::channel::bounded::<()>(1);
    let idle = Idle::new(cfg);
    let (n, gate) = (cfg.scenario.units, idle.gate);
    std::thread::scope(|s| {
        for _ in 1..workers {
            s.spawn(|| smol::block_on(ex.run(stopped.recv())));
        }
        let run = smol::block_on(ex.run(async {
            if idle.spawned() {
                let tasks: Vec<_> = (0..n).map(|_| ex.spawn(unit(gate))).collect();
                let rss = idle.release(smol::future::yield_now).await?;
                let mut tally = UnitTally::default();
                for (i, task) in tasks.into_iter().enumerate() {
                    tally.add(i, task.await);
                }
                return Ok(idle.run(tally, rss));
            }
            let driver = ex.spawn(drive(gate, n));
            let rss = idle.release(smol::future::yield_now).await?;
            Ok(idle.run(Idle::tally(driver.await), rss))
        }));
        drop(stop);
        run
    })
}

/// idle-scale on async-std's executor.
pub fn on_async_std(cfg: &Config) -> anyhow::Result<UnitRun> {
    let idle = Idle::new(cfg);
    let (n, gate) = (cfg.scenario.units, idle.gate);
    async_std::task::block_on(async {
        if idle.spawned() {
            let tasks: Vec<_> = (0..n).map(|_| async_std::task::spawn(unit(gate))).collect();
            let rss = idle.release(async_std::task::yield_now).await?;
            let mut tally = UnitTally::default();
            for (i, task) in tasks.into_iter().enumerate() {
                tally.add(i, task.await);
            }
            return Ok(idle.run(tally, rss));
        }
        let driver = async_std::task::spawn(drive(gate, n));
        let rss = idle.release(async_std::task::yield_now).await?;
        Ok(idle.run(Idle::tally(driver.await), rss))
    })
}
