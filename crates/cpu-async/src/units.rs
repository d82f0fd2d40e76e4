//! The task-cost scenarios as async tasks: one task per unit on the configured runtime, sleeping
//! with the runtime's own timer. idle-scale tasks wait on a closed-when-released channel, which
//! works on every runtime; `blocking-storm` makes its blocking calls inside the task, blocking the
//! executor thread as the article showed.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use concbench_core::config::{Config, ScenarioName};
use concbench_core::cpu::UnitRun;
use concbench_core::sys;
use concbench_core::workload::units::{self, IDLE_BOUND, UnitTally};

/// What idle units share: the arrival count and the gate they wait on.
#[derive(Clone)]
struct Idle {
    arrived: Arc<AtomicUsize>,
    gate: smol::channel::Receiver<()>,
}

/// One unit: wait at the gate (idle-scale), sleep natively (the sleep scenarios), then work.
async fn unit<F: Future<Output = ()>>(
    cfg: Arc<Config>,
    i: usize,
    idle: Option<Idle>,
    sleep: impl FnOnce(Duration) -> F,
) -> u64 {
    if let Some(idle) = idle {
        idle.arrived.fetch_add(1, Ordering::SeqCst);
        let _ = idle.gate.recv().await; // returns when the run drops the sender
    }
    if units::sleeps(&cfg) {
        sleep(units::sleep_of(&cfg, i)).await;
    }
    units::work(&cfg, i)
}

/// The parts of a run that do not depend on the runtime.
struct Plan {
    cfg: Arc<Config>,
    idle: Option<Idle>,
    release: Option<smol::channel::Sender<()>>,
    rss_before_mib: Option<f64>,
}

impl Plan {
    fn new(cfg: &Config) -> Self {
        let (release, gate) = smol::channel::bounded::<()>(1);
        let idle = cfg.scenario.name == ScenarioName::IdleScale;
        Plan {
            cfg: Arc::new(cfg.clone()),
            idle: idle.then(|| Idle {
                arrived: Arc::new(AtomicUsize::new(0)),
                gate,
            }),
            release: Some(release),
            rss_before_mib: if idle { sys::rss_mib() } else { None },
        }
    }

    /// After spawning: for idle-scale, wait (yielding to the runtime) until every unit waits,
    /// measure, hold them for the sampler, then release them.
    async fn release<Y: Future<Output = ()>>(
        &mut self,
        yield_now: impl Fn() -> Y,
    ) -> anyhow::Result<Option<f64>> {
        let mut rss = None;
        if let Some(idle) = &self.idle {
            let start = Instant::now();
            while idle.arrived.load(Ordering::SeqCst) < self.cfg.scenario.units {
                anyhow::ensure!(
                    start.elapsed() < IDLE_BOUND,
                    "the idle units did not all start within {IDLE_BOUND:?}"
                );
                yield_now().await;
            }
            rss = sys::rss_mib();
            std::thread::sleep(units::hold(&self.cfg)); // every unit is parked; nothing to run
        }
        self.release = None; // closes the gate's channel: every waiting unit goes on
        Ok(rss)
    }

    fn run(self, tally: UnitTally, rss_all_started_mib: Option<f64>) -> UnitRun {
        UnitRun {
            tally,
            unit: "task",
            rss_before_mib: self.rss_before_mib,
            rss_all_started_mib,
        }
    }
}

/// The units on a tokio runtime built by `builder`.
pub fn on_tokio(mut builder: tokio::runtime::Builder, cfg: &Config) -> anyhow::Result<UnitRun> {
    let rt = builder
        .enable_time()
        .build()
        .context("building the tokio runtime")?;
    let mut plan = Plan::new(cfg);
    rt.block_on(async {
        let tasks: Vec<_> = (0..cfg.scenario.units)
            .map(|i| tokio::spawn(unit(plan.cfg.clone(), i, plan.idle.clone(), tokio::time::sleep)))
            .collect();
        let rss = plan.release(tokio::task::yield_now).await?;
        let mut tally = UnitTally::default();
        for (i, task) in tasks.into_iter().enumerate() {
            tally.add(i, task.await.context("a unit task failed")?);
        }
        Ok(plan.run(tally, rss))
    })
}

/// The units on a smol executor run by `workers` threads (the calling thread among them).
pub fn on_smol(workers: usize, cfg: &Config) -> anyhow::Result<UnitRun> {
    let ex = smol::Executor::new();
    let (stop, stopped) = smol::channel::bounded::<()>(1);
    let mut plan = Plan::new(cfg);
    std::thread::scope(|s| {
        for _ in 1..workers {
            s.spawn(|| smol::block_on(ex.run(stopped.recv())));
        }
        let run = smol::block_on(ex.run(async {
            let sleep = |d| async move {
                smol::Timer::after(d).await;
            };
            let tasks: Vec<_> = (0..cfg.scenario.units)
                .map(|i| ex.spawn(unit(plan.cfg.clone(), i, plan.idle.clone(), sleep)))
                .collect();
            let rss = plan.release(smol::future::yield_now).await?;
            let mut tally = UnitTally::default();
            for (i, task) in tasks.into_iter().enumerate() {
                tally.add(i, task.await);
            }
            Ok(plan.run(tally, rss))
        }));
        drop(stop);
        run
    })
}

/// The units on async-std's executor.
pub fn on_async_std(cfg: &Config) -> anyhow::Result<UnitRun> {
    let mut plan = Plan::new(cfg);
    async_std::task::block_on(async {
        let tasks: Vec<_> = (0..cfg.scenario.units)
            .map(|i| {
                async_std::task::spawn(unit(
                    plan.cfg.clone(),
                    i,
                    plan.idle.clone(),
                    async_std::task::sleep,
                ))
            })
            .collect();
        let rss = plan.release(async_std::task::yield_now).await?;
        let mut tally = UnitTally::default();
        for (i, task) in tasks.into_iter().enumerate() {
            tally.add(i, task.await);
        }
        Ok(plan.run(tally, rss))
    })
}
