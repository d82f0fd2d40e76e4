//! The task-cost scenarios: what one unit of concurrency does, written once so that a task, a
//! thread, a process and a loop iteration do exactly the same work. Each unit returns a value;
//! the checksum over `(unit index, value)` is the same in every model for the same config.

use std::time::Duration;

use concbench_core::config::{Config, ScenarioName};
use concbench_core::report::Work;
use concbench_core::seq::mix;

pub use concbench_core::work::{SQUARES, STORM_CALLS};

/// How long unit `i` sleeps: `sleep_ms`, or for `sleep-variable` a seeded fraction of it.
pub fn sleep_of(cfg: &Config, i: usize) -> Duration {
    let full = Duration::from_millis(cfg.scenario.sleep_ms);
    match cfg.scenario.name {
        ScenarioName::SleepVariable => {
            let fraction = (mix(cfg.cpu.seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) >> 11) as f64
                / (1u64 << 53) as f64;
            full.mul_f64(fraction)
        }
        _ => full,
    }
}

/// The blocking part of a unit: everything but the sleep (which each model does its own way)
/// and the idle wait. Returns the unit's value. `blocking-sleep`'s sleep is blocking and so
/// part of it: `std::thread::sleep` on whatever thread runs the unit.
pub fn work(cfg: &Config, i: usize) -> u64 {
    match cfg.scenario.name {
        ScenarioName::BlockingStorm => storm(),
        ScenarioName::BlockingSleep => {
            let nap = sleep_of(cfg, i);
            std::thread::sleep(nap);
            nap.as_micros() as u64
        }
        ScenarioName::SqliteInsert | ScenarioName::SqliteRead => crate::sqlite::unit(cfg, i),
        ScenarioName::FileRead => crate::files::unit(cfg, i),
        ScenarioName::Squares => squares(),
        ScenarioName::SleepFixed | ScenarioName::SleepVariable => sleep_of(cfg, i).as_micros() as u64,
        ScenarioName::Main | ScenarioName::SpawnOnly | ScenarioName::IdleScale | ScenarioName::Switch => 0,
    }
}

/// True when the scenario's units are blocking IO that an async model runs on its runtime's
/// blocking pool (the SQLite scenarios), as a user of an async runtime would.
pub fn on_blocking_pool(cfg: &Config) -> bool {
    matches!(
        cfg.scenario.name,
        ScenarioName::SqliteInsert | ScenarioName::SqliteRead
    )
}

/// True when the scenario's units sleep.
pub fn sleeps(cfg: &Config) -> bool {
    matches!(
        cfg.scenario.name,
        ScenarioName::SleepFixed | ScenarioName::SleepVariable
    )
}

/// `STORM_CALLS` calls of `sched_yield` (`thread::sleep(Duration::ZERO)` makes no system call).
fn storm() -> u64 {
    for _ in 0..STORM_CALLS {
        std::thread::yield_now();
    }
    STORM_CALLS
}

/// Builds the first `SQUARES` squares and checks them; the value is their wrapping sum.
fn squares() -> u64 {
    let v: Vec<u64> = (0..SQUARES).map(|x| x * x).collect();
    let sum = v.iter().fold(0u64, |a, &x| a.wrapping_add(x));
    assert!(
        v.len() as u64 == SQUARES && v[1000] == 1_000_000,
        "the squares are wrong"
    );
    std::hint::black_box(sum)
}

/// How long idle units are held once all have arrived: two sampler intervals, so that the
/// sampler's peak includes them.
pub fn hold(cfg: &Config) -> Duration {
    Duration::from_millis(2 * cfg.sampler.interval_ms)
}

/// Waits until `n` units have arrived at `arrived`, at most `IDLE_BOUND`.
pub fn wait_arrivals(arrived: &std::sync::atomic::AtomicUsize, n: usize) -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    while arrived.load(std::sync::atomic::Ordering::SeqCst) < n {
        anyhow::ensure!(
            start.elapsed() < IDLE_BOUND,
            "only {} of {n} units started within {IDLE_BOUND:?}",
            arrived.load(std::sync::atomic::Ordering::SeqCst)
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

/// The bound on waiting for idle units to start.
pub const IDLE_BOUND: Duration = Duration::from_secs(300);

/// What the units of a run returned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitTally {
    /// Units finished.
    pub units: u64,
    /// Order-independent checksum over `(index, value)`.
    pub checksum: u64,
}

impl UnitTally {
    /// Counts unit `i` with its value.
    pub fn add(&mut self, i: usize, value: u64) {
        self.units += 1;
        self.checksum = self.checksum.wrapping_add(mix(((i as u64) << 32) ^ value));
    }

    /// Both tallies together.
    pub fn merge(mut self, other: UnitTally) -> Self {
        self.units += other.units;
        self.checksum = self.checksum.wrapping_add(other.checksum);
        self
    }

    /// The work block of the report.
    pub fn work(&self) -> Work {
        Work {
            units: self.units,
            bytes: 0,
            checksum: format!("{:016x}", self.checksum),
        }
    }
}

/// What every model must report for `cfg`, computed one unit after another without sleeping.
pub fn expected(cfg: &Config) -> UnitTally {
    let mut t = UnitTally::default();
    if cfg.scenario.name == ScenarioName::Switch {
        for i in 0..2 {
            t.add(i, crate::switch::expected_value(cfg.scenario.switches, i));
        }
        return t;
    }
    for i in 0..cfg.scenario.units {
        // The storm's value is its call count, the blocking sleep's its length; making the
        // calls or sleeping would only cost time.
        let value = match cfg.scenario.name {
            ScenarioName::BlockingStorm => STORM_CALLS,
            ScenarioName::BlockingSleep => sleep_of(cfg, i).as_micros() as u64,
            ScenarioName::SqliteInsert => crate::sqlite::unit_sum(i, cfg.scenario.rows),
            ScenarioName::SqliteRead => crate::sqlite::table_sum(cfg.scenario.units, cfg.scenario.rows),
            ScenarioName::FileRead => crate::files::expected(cfg, i),
            _ => work(cfg, i),
        };
        t.add(i, value);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(name: ScenarioName) -> Config {
        let mut c = Config::default();
        c.scenario.name = name;
        c.scenario.units = 20;
        c
    }

    #[test]
    fn variable_sleeps_are_seeded_fractions() {
        let c = cfg(ScenarioName::SleepVariable);
        let sleeps: Vec<Duration> = (0..20).map(|i| sleep_of(&c, i)).collect();
        assert!(sleeps.iter().all(|d| *d <= Duration::from_millis(50)));
        assert!(sleeps.windows(2).any(|w| w[0] != w[1]), "they vary");
        assert_eq!(
            sleeps,
            (0..20).map(|i| sleep_of(&c, i)).collect::<Vec<_>>(),
            "and repeat"
        );
        assert_eq!(
            sleep_of(&cfg(ScenarioName::SleepFixed), 3),
            Duration::from_millis(50)
        );
    }

    #[test]
    fn a_blocking_sleep_blocks_the_calling_thread_for_sleep_ms() {
        let mut c = cfg(ScenarioName::BlockingSleep);
        c.scenario.sleep_ms = 20;
        let start = std::time::Instant::now();
        assert_eq!(work(&c, 0), 20_000);
        assert!(start.elapsed() >= Duration::from_millis(20), "the thread slept");
        assert_eq!(expected(&c).units, 20);
        // The same values as sleep-fixed's, which sleep the model's own way.
        let mut fixed = c.clone();
        fixed.scenario.name = ScenarioName::SleepFixed;
        assert_eq!(expected(&c), expected(&fixed));
    }

    #[test]
    fn unit_values_and_checksums() {
        assert_eq!(work(&cfg(ScenarioName::BlockingStorm), 0), STORM_CALLS);
        assert_eq!(
            work(&cfg(ScenarioName::Squares), 0),
            (0..SQUARES).fold(0u64, |a, x| a.wrapping_add(x * x))
        );
        let e = expected(&cfg(ScenarioName::SpawnOnly));
        assert_eq!(e.units, 20);
        let mut halves = UnitTally::default();
        for i in (10..20).chain(0..10) {
            halves.add(i, 0);
        }
        assert_eq!(halves, e, "order does not matter");
        assert_ne!(expected(&cfg(ScenarioName::SleepVariable)).checksum, e.checksum);
    }
}
