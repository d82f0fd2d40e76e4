//! The switch scenario as two tasks passing the token through the runtime's own channel:
//! tokio's `mpsc`, smol's and async-std's `async-channel` (the same crate under both names),
//! each bounded to one token.

use anyhow::Context;
use concbench_core::config::Config;
use concbench_cpu::model::UnitRun;
use concbench_cpu::switch::{Ends, relay_async};

/// A unit's ends of tokio's channels.
struct Tokio(tokio::sync::mpsc::Sender<u64>, tokio::sync::mpsc::Receiver<u64>);

impl Ends for Tokio {
    async fn send(&mut self, token: u64) -> bool {
        self.0.send(token).await.is_ok()
    }
    async fn recv(&mut self) -> Option<u64> {
        self.1.recv().await
    }
}

/// A unit's ends of `async-channel` (smol's and async-std's channel).
struct Channel(smol::channel::Sender<u64>, smol::channel::Receiver<u64>);

impl Ends for Channel {
    async fn send(&mut self, token: u64) -> bool {
        self.0.send(token).await.is_ok()
    }
    async fn recv(&mut self) -> Option<u64> {
        self.1.recv().await.ok()
    }
}

fn tokio_pair() -> (Tokio, Tokio) {
    let (to_1, from_0) = tokio::sync::mpsc::channel(1);
    let (to_0, from_1) = tokio::sync::mpsc::channel(1);
    (Tokio(to_1, from_1), Tokio(to_0, from_0))
}

fn channel_pair() -> (Channel, Channel) {
    let (to_1, from_0) = smol::channel::bounded(1);
    let (to_0, from_1) = smol::channel::bounded(1);
    (Channel(to_1, from_1), Channel(to_0, from_0))
}

fn run(mine: u64, theirs: u64) -> UnitRun {
    UnitRun::of_values("task", [mine, theirs])
}

/// Two tokio tasks on the runtime `builder` makes.
pub fn on_tokio(mut builder: tokio::runtime::Builder, cfg: &Config) -> anyhow::Result<UnitRun> {
    let rt = builder.build().context("building the tokio runtime")?;
    let n = cfg.scenario.switches;
    rt.block_on(async move {
        let (zero, one) = tokio_pair();
        let a = tokio::spawn(relay_async(0, n, zero));
        let b = tokio::spawn(relay_async(1, n, one));
        let (mine, theirs) = (a.await.context("unit 0")?, b.await.context("unit 1")?);
        Ok(run(mine, theirs))
    })
}

/// Two tasks on a smol executor run by `workers` threads.
pub fn on_smol(workers: usize, cfg: &Config) -> anyhow::Result<UnitRun> {
    let ex = smol::Executor::new();
    let (stop, stopped) = smol::channel::bounded::<()>(1);
    let n = cfg.scenario.switches;
    std::thread::scope(|s| {
        for _ in 1..workers {
            s.spawn(|| smol::block_on(ex.run(stopped.recv())));
        }
        let (zero, one) = channel_pair();
        let (mine, theirs) = smol::block_on(ex.run(async {
            let a = ex.spawn(relay_async(0, n, zero));
            let b = ex.spawn(relay_async(1, n, one));
            (a.await, b.await)
        }));
        drop(stop);
        Ok(run(mine, theirs))
    })
}

/// Two async-std tasks.
pub fn on_async_std(cfg: &Config) -> anyhow::Result<UnitRun> {
    let n = cfg.scenario.switches;
    let (zero, one) = channel_pair();
    let (mine, theirs) = async_std::task::block_on(async {
        let a = async_std::task::spawn(relay_async(0, n, zero));
        let b = async_std::task::spawn(relay_async(1, n, one));
        (a.await, b.await)
    });
    Ok(run(mine, theirs))
}
