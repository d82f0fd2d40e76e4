//! Handing out request indices and collecting their results, shared by every worker of a run.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::plan::Plan;
use crate::tally::{Fetch, HttpTally};

/// The requests of a run (or a worker process's shard): workers take the next index until none is
/// left and record each result. Taking and recording are a counter and a short lock, a few tens of
/// nanoseconds against a request's tens of microseconds or more.
#[derive(Debug)]
pub struct Jobs {
    plan: Arc<Plan>,
    next: AtomicUsize,
    end: usize,
    tally: Mutex<HttpTally>,
}

impl Jobs {
    /// Every request of `plan`.
    pub fn new(plan: Arc<Plan>) -> Self {
        let end = plan.requests;
        Self::over(plan, 0..end)
    }

    /// The requests `range` of `plan`.
    pub fn over(plan: Arc<Plan>, range: Range<usize>) -> Self {
        Self {
            plan,
            next: AtomicUsize::new(range.start),
            end: range.end,
            tally: Mutex::default(),
        }
    }

    /// The plan the requests come from.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The next request index, if any is left.
    pub fn next(&self) -> Option<usize> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        (i < self.end).then_some(i)
    }

    /// Counts the result of request `i`.
    pub fn record(&self, i: usize, fetch: &Fetch, latency: Duration) {
        self.tally
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record(i, fetch, latency);
    }

    /// Runs `get` on every index left, one after another, timing and recording each.
    pub fn drain(&self, mut get: impl FnMut(&Plan, usize) -> Fetch) {
        while self.step(&mut get) {}
    }

    /// Runs `get` on the next index, timing and recording it; false when none was left.
    pub fn step(&self, get: impl FnOnce(&Plan, usize) -> Fetch) -> bool {
        let Some(i) = self.next() else { return false };
        let start = Instant::now();
        let fetch = get(&self.plan, i);
        self.record(i, &fetch, start.elapsed());
        true
    }

    /// Adds a worker process's counts.
    pub fn merge(&self, part: &HttpTally) {
        self.tally.lock().unwrap_or_else(|e| e.into_inner()).merge(part);
    }

    /// What was counted so far.
    pub fn tally(&self) -> HttpTally {
        self.tally.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{BodySink, Target};
    use crate::tally::Answer;
    use concbench_core::config::IoConfig;

    fn plan(requests: usize) -> Arc<Plan> {
        let io = IoConfig {
            requests,
            ..IoConfig::default()
        };
        Arc::new(Plan::new(
            &io,
            Target::parse("http://127.0.0.1:9").unwrap(),
            BodySink::default(),
        ))
    }

    #[test]
    fn hands_out_every_index_once_across_threads() {
        let plan = plan(1000);
        let jobs = Jobs::new(plan);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    jobs.drain(|_, i| {
                        Ok(Answer {
                            status: 200,
                            bytes: i as u64,
                        })
                    })
                });
            }
        });
        let t = jobs.tally();
        assert_eq!(t.requests(), 1000);
        assert_eq!(t.work().bytes, 999 * 1000 / 2, "each index exactly once");
        assert_eq!(jobs.next(), None);
    }

    #[test]
    fn a_shard_covers_its_range_only() {
        let plan = plan(10);
        let jobs = Jobs::over(plan, 3..6);
        let mut seen = vec![];
        jobs.drain(|_, i| {
            seen.push(i);
            Ok(Answer {
                status: 200,
                bytes: 0,
            })
        });
        assert_eq!(seen, [3, 4, 5]);
    }
}
