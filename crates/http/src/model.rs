//! What the IO models share: the target (spawned or external), the job list, the counters and
//! the [`Model`] plumbing. An IO model implements [`IoModel`]: only how it sends the requests.

use std::marker::PhantomData;
use std::sync::Arc;

use anyhow::Context;
use concbench_core::config::ConfigError;
use concbench_core::harness::{Family, Hooks, Model, Outcome};
use concbench_core::{Config, Probe};

use crate::jobs::Jobs;
use concbench_core::worker::SpawnedServer;

use crate::plan::{BodySink, Plan, Target};

/// The scenario name of the IO family.
pub const SCENARIO: &str = "http";

/// An IO-bound model: sends every request of the shared job list its own way.
pub trait IoModel: Hooks {
    /// Binary name, e.g. `io-tokio`.
    const NAME: &'static str;

    /// Sends every request of `jobs` (measured): build the runtime, pool or processes, send,
    /// record each result in `jobs`.
    fn fetch(cfg: &Config, jobs: &Arc<Jobs>, probe: &Probe) -> anyhow::Result<()>;

    /// The most requests this model can have in flight under `cfg`: its budget, which the report
    /// names so that entries with different budgets are never ranked as alike.
    fn in_flight_max(cfg: &Config) -> usize;

    /// True when this model, under `cfg`, runs the async client and so takes `io.client` =
    /// `"lean"` or `"bare"`; the blocking models (ureq) refuse them with exit 2.
    fn lean_client(_cfg: &Config) -> bool {
        false
    }

    /// Checks, before the measured window, that the run can be done (e.g. that the OS allows
    /// the threads it needs).
    fn preflight(_cfg: &Config) -> anyhow::Result<()> {
        Ok(())
    }
}

/// The inputs of an IO run: the plan, and the server when this process started one.
#[derive(Debug)]
pub struct IoInput {
    plan: Arc<Plan>,
    // Dropped after the measured window closes, so the server's CPU and exit are not measured.
    _server: Option<SpawnedServer>,
}

/// The [`Model`] of an [`IoModel`]: `harness::main::<Io<IoTokio>>()`.
pub struct Io<M>(PhantomData<M>);

impl<M: IoModel> Model for Io<M> {
    const NAME: &'static str = M::NAME;
    const FAMILY: Family = Family::Io;
    const SCENARIO: &'static str = SCENARIO;
    type Input = IoInput;
    type Hooks = M;

    fn prepare(cfg: &Config) -> anyhow::Result<IoInput> {
        if crate::lean::serves(cfg.io.client) && !M::lean_client(cfg) {
            return Err(ConfigError {
                origin: "the config".into(),
                position: None,
                key: "io.client".into(),
                message: format!(
                    "{}{} sends with ureq: \"{}\" is for the async models (io-tokio, io-smol, \
                     io-async-std, io-hybrid loop-per-thread, io-compio, io-monoio)",
                    M::NAME,
                    M::variant(cfg).map_or(String::new(), |v| format!(" ({v})")),
                    cfg.io.client.name()
                ),
            }
            .into());
        }
        M::preflight(cfg)?;
        let (target, server) = if cfg.io.target == "spawn" {
            let server = SpawnedServer::own()?;
            (Target::parse(&server.url)?, Some(server))
        } else {
            (Target::parse(&cfg.io.target)?, None)
        };
        let timeout = std::time::Duration::from_millis(cfg.io.timeout_ms);
        target.check_reachable(timeout)?;
        let sink = BodySink::create(cfg.io.sink)?;
        Ok(IoInput {
            plan: Arc::new(Plan::new(&cfg.io, target, sink)),
            _server: server,
        })
    }

    fn run(cfg: &Config, input: &IoInput, probe: &Probe) -> anyhow::Result<Outcome> {
        let jobs = Arc::new(Jobs::new(input.plan.clone()));
        M::fetch(cfg, &jobs, probe)?;
        input.plan.sink.check()?;
        let tally = jobs.tally();
        anyhow::ensure!(
            tally.requests() == cfg.io.requests as u64,
            "{} of {} requests were counted: work was lost",
            tally.requests(),
            cfg.io.requests
        );
        let mut io = tally.stats();
        io.in_flight_max = M::in_flight_max(cfg).min(cfg.io.requests) as u64;
        io.open_loop = input.plan.rate.map(|rate| tally.open_loop(rate, cfg.io.requests));
        Ok(Outcome {
            work: tally.work(),
            io: Some(io),
            units: None,
            serve: None,
            moved: None,
        })
    }

    fn serve() -> anyhow::Result<()> {
        let opts = concbench_server::Options {
            watch_stdin: true,
            ..Default::default()
        };
        concbench_server::run(&opts).context("running bench-server")
    }
}
