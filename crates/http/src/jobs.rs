//! Handing out request indices and collecting their results, shared by every worker of a run.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::plan::Plan;
use crate::tally::{ErrorKind, Fetch, HttpTally, Scheduled, Timing};

/// The requests of a run (or a worker process's share): workers take the next index until none
/// is left and record each result. Taking and recording are a counter and a short lock, a few
/// tens of nanoseconds against a request's tens of microseconds or more.
///
/// Open loop (`io.rate` > 0): request `i` is due `i / rate` seconds after the schedule's start
/// (the first [`Jobs::next`], or the start a worker process is given). A worker waits until its
/// request is due, in its own way (a thread sleeps, a task awaits a timer), and a worker that is
/// busy reaches its next request late: that lateness is measured, not hidden.
#[derive(Debug)]
pub struct Jobs {
    plan: Arc<Plan>,
    next: AtomicUsize,
    first: usize,
    step: usize,
    end: usize,
    start: OnceLock<Instant>,
    tally: Mutex<HttpTally>,
}

/// A request taken from [`Jobs`]: its index and, open loop, when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    /// The request index.
    pub index: usize,
    due: Option<Instant>,
}

impl Ticket {
    /// How long to wait before sending: zero when it is due already, or in a closed loop.
    pub fn wait(&self) -> Duration {
        self.due.map_or(Duration::ZERO, |due| {
            due.saturating_duration_since(Instant::now())
        })
    }
}

impl Jobs {
    /// Every request of `plan`.
    pub fn new(plan: Arc<Plan>) -> Self {
        let end = plan.requests;
        Self::over(plan, 0..end)
    }

    /// The requests `range` of `plan`.
    pub fn over(plan: Arc<Plan>, range: Range<usize>) -> Self {
        Self::every(plan, range.start, 1, range.end)
    }

    /// The requests `first`, `first + step`, ... below `end` of `plan` (a worker process's share
    /// of an open-loop run, so that every process sends at the same rate all along).
    pub fn every(plan: Arc<Plan>, first: usize, step: usize, end: usize) -> Self {
        Self {
            plan,
            next: AtomicUsize::new(0),
            first,
            step: step.max(1),
            end,
            start: OnceLock::new(),
            tally: Mutex::default(),
        }
    }

    /// Starts the schedule at `start` instead of at the first [`Jobs::next`].
    pub fn starting_at(self, start: Instant) -> Self {
        let _ = self.start.set(start);
        self
    }

    /// The plan the requests come from.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The next request, if any is left.
    pub fn next(&self) -> Option<Ticket> {
        let start = *self.start.get_or_init(Instant::now);
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        let index = self.first.checked_add(k.checked_mul(self.step)?)?;
        (index < self.end).then(|| Ticket {
            index,
            due: self
                .plan
                .rate
                .map(|rate| start + Duration::from_secs_f64(index as f64 / rate)),
        })
    }

    /// Open loop: true when `ticket` is more than the request timeout overdue, so it is not
    /// sent; it is recorded as dropped. The run's length stays bounded however far behind a
    /// model falls.
    pub fn overdue(&self, ticket: &Ticket) -> bool {
        let Some(due) = ticket.due else { return false };
        if due.elapsed() <= self.plan.timeout {
            return false;
        }
        self.lock()
            .record(ticket.index, &Err(ErrorKind::Dropped), Timing::default());
        true
    }

    /// Counts the result of `ticket`, sent at `sent` and answered now.
    pub fn record(&self, ticket: &Ticket, fetch: &Fetch, sent: Instant) {
        self.record_at(ticket, fetch, sent, Instant::now());
    }

    /// Counts the result of `ticket`, sent at `sent` and answered at `done`, then does the
    /// client's work on it (`io.spin_rounds`, heavier for a heavy request under uneven load).
    pub fn record_at(&self, ticket: &Ticket, fetch: &Fetch, sent: Instant, done: Instant) {
        let scheduled = ticket.due.map(|due| Scheduled {
            delay: sent.saturating_duration_since(due),
            done_at: done.saturating_duration_since(*self.start.get().unwrap_or(&due)),
        });
        let timing = Timing {
            latency: done.saturating_duration_since(sent),
            scheduled,
        };
        self.lock().record(ticket.index, fetch, timing);
        // The client's work on the response (`io.spin_rounds`), after it is timed and counted,
        // on the thread that took it: what a heavy response costs is its slot's, not the
        // latency's.
        if fetch.is_ok() {
            self.plan.skew.spin_for(ticket.index);
        }
    }

    /// Sends every request left, one after another, on this thread: waits for each to be due,
    /// drops it if it is overdue, times and records it.
    pub fn drain(&self, mut get: impl FnMut(&Plan, usize) -> Fetch) {
        while self.step(&mut get) {}
    }

    /// [`Jobs::drain`] for the next request only; false when none was left.
    pub fn step(&self, get: impl FnOnce(&Plan, usize) -> Fetch) -> bool {
        let Some(ticket) = self.next() else { return false };
        std::thread::sleep(ticket.wait());
        if !self.overdue(&ticket) {
            let sent = Instant::now();
            let fetch = get(&self.plan, ticket.index);
            self.record(&ticket, &fetch, sent);
        }
        true
    }

    /// Adds a worker process's counts.
    pub fn merge(&self, part: &HttpTally) {
        self.lock().merge(part);
    }

    /// What was counted so far.
    pub fn tally(&self) -> HttpTally {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HttpTally> {
        self.tally.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{BodySink, Target};
    use crate::tally::Answer;
    use concbench_core::config::IoConfig;

    fn plan(requests: usize) -> Arc<Plan> {
        open_plan(requests, 0.0, 10_000)
    }

    fn open_plan(requests: usize, rate: f64, timeout_ms: u64) -> Arc<Plan> {
        let io = IoConfig {
            requests,
            rate,
            timeout_ms,
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

    #[test]
    fn every_takes_a_stride_of_the_indices() {
        let jobs = Jobs::every(plan(10), 1, 3, 10);
        let seen: Vec<usize> = std::iter::from_fn(|| jobs.next()).map(|t| t.index).collect();
        assert_eq!(seen, [1, 4, 7]);
    }

    #[test]
    fn closed_loop_tickets_are_due_at_once() {
        let jobs = Jobs::new(plan(3));
        let t = jobs.next().unwrap();
        assert_eq!((t.due, t.wait()), (None, Duration::ZERO));
        assert!(!jobs.overdue(&t));
    }

    #[test]
    fn open_loop_request_i_is_due_i_over_rate_after_the_start() {
        let start = Instant::now() + Duration::from_secs(60);
        let jobs = Jobs::every(open_plan(100, 100.0, 10_000), 0, 7, 100).starting_at(start);
        let dues: Vec<Duration> = std::iter::from_fn(|| jobs.next())
            .map(|t| t.due.unwrap() - start)
            .take(3)
            .collect();
        assert_eq!(dues, [0, 70, 140].map(Duration::from_millis));
        let t = jobs.next().unwrap();
        assert!(
            t.wait() > Duration::from_secs(59),
            "not due for a minute: {:?}",
            t.wait()
        );
    }

    #[test]
    fn overdue_requests_are_dropped_counted_and_never_sent() {
        // 1 ms timeout, the schedule started a second ago: every request is long overdue.
        let jobs = Jobs::new(open_plan(4, 1000.0, 1)).starting_at(Instant::now() - Duration::from_secs(1));
        let mut sent = 0;
        jobs.drain(|_, _| {
            sent += 1;
            Ok(Answer {
                status: 200,
                bytes: 0,
            })
        });
        let t = jobs.tally();
        assert_eq!((sent, t.requests(), t.ok()), (0, 4, 0));
        assert_eq!(t.errors()[&ErrorKind::Dropped], 4);
        let open = t.open_loop(1000.0, 4);
        assert_eq!(
            (open.dropped, open.late),
            (4, 0),
            "dropped requests were not sent, so not late"
        );
    }

    #[test]
    fn a_late_send_is_counted_in_the_corrected_latency_not_the_plain_one() {
        let jobs = Jobs::new(open_plan(2, 10.0, 10_000));
        let first = jobs.next().unwrap();
        let due = first.due.unwrap();
        // Sent 40 ms late, answered 5 ms later.
        jobs.record_at(
            &first,
            &Ok(Answer {
                status: 200,
                bytes: 0,
            }),
            due + Duration::from_millis(40),
            due + Duration::from_millis(45),
        );
        let stats = jobs.tally().stats();
        let open = jobs.tally().open_loop(10.0, 2);
        assert!(
            (stats.latency_ms.p50 - 5.0).abs() < 0.01,
            "{:?}",
            stats.latency_ms
        );
        assert!(
            (open.corrected_ms.p50 - 45.0).abs() < 0.05,
            "{:?}",
            open.corrected_ms
        );
        assert!(
            (open.send_delay_ms.max - 40.0).abs() < 0.05,
            "{:?}",
            open.send_delay_ms
        );
        assert_eq!(open.late, 1, "40 ms is past the 10 ms of lateness allowed");
        assert!(
            (open.achieved_per_s - 1.0 / 0.045).abs() < 0.1,
            "one response in 45 ms: {}",
            open.achieved_per_s
        );
        assert!((open.schedule_s - 0.2).abs() < 1e-9);
    }
}
