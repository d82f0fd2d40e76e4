//! What the sampler reads of `/proc`, on its two tiers.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

use super::Probe;
use super::tally::Tally;
use crate::sys::{self, ProcStat};

/// What the slow tier last read of the children, added to each fast sample of this process.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Children {
    pub(super) count: u64,
    pub(super) threads: u64,
    pub(super) rss_bytes: u64,
}

/// The share of the machine's CPUs busy over `span`, %, from the idle time they added over it.
pub(super) fn busy_pct(idle_s: f64, span: Duration) -> f64 {
    let capacity = span.as_secs_f64() * sys::online_cpus() as f64;
    ((1.0 - idle_s / capacity.max(1e-9)) * 100.0).clamp(0.0, 100.0)
}

/// `read()` and the instant it read at: the midpoint of two clock readings around it, retried
/// (three times at most) when the thread was preempted between them, which would skew a
/// percentage over a short span.
pub(super) fn clocked<T>(read: impl Fn() -> T) -> (Instant, T) {
    let mut best: Option<(Duration, Instant, T)> = None;
    for _ in 0..3 {
        let before = Instant::now();
        let value = read();
        let gap = before.elapsed();
        let at = before + gap / 2;
        if gap < Duration::from_micros(20) {
            return (at, value);
        }
        if best.as_ref().is_none_or(|b| gap < b.0) {
            best = Some((gap, at, value));
        }
    }
    let (_, at, value) = best.expect("three tries");
    (at, value)
}

/// Reads `/proc`, keeping the last slow-tier reading so each CPU figure is a difference over
/// its own span.
pub(super) struct Reader {
    pub(super) me: File,
    /// `/proc/uptime`, for the machine's idle time.
    pub(super) uptime: Option<File>,
    pub(super) children: Children,
    /// The last mark a process CPU % was read from.
    pub(super) last_cpu: Option<SlowMark>,
    /// When the machine's idle time was last read, and what it was, s.
    pub(super) last_machine: Option<(Instant, Option<f64>)>,
    pub(super) slow_reads: u64,
}

/// The cumulative CPU counters at one slow-tier sample.
#[derive(Debug, Clone, Copy)]
pub(super) struct SlowMark {
    pub(super) at: Instant,
    /// This process's CPU time (all threads, exact).
    pub(super) own_process: Duration,
    /// The live children's CPU ticks.
    pub(super) ticks: u64,
    /// The sampler thread's own CPU time.
    pub(super) own: Duration,
}

impl Reader {
    pub(super) fn new() -> Option<Self> {
        Some(Self {
            me: File::open("/proc/self/stat").ok()?,
            uptime: File::open("/proc/uptime").ok(),
            children: Children::default(),
            last_cpu: None,
            last_machine: None,
            slow_reads: 0,
        })
    }

    pub(super) fn me(&self) -> Option<ProcStat> {
        let mut buf = [0u8; 1024];
        let n = self.me.read_at(&mut buf, 0).ok()?;
        ProcStat::parse(std::str::from_utf8(&buf[..n]).ok()?)
    }

    /// The machine's idle time, s: `/proc/uptime`, read from the open file (a read of
    /// `/proc/stat` cost 36-39 µs here, most of the slow tier's cost).
    pub(super) fn machine_idle(&self) -> Option<f64> {
        let mut buf = [0u8; 128];
        let n = self.uptime.as_ref()?.read_at(&mut buf, 0).ok()?;
        sys::parse_idle_s(std::str::from_utf8(&buf[..n]).ok()?)
    }

    /// One fast sample: this process now, its children as the slow tier last read them.
    pub(super) fn fast(&mut self, tally: &mut Tally) {
        let Some(me) = self.me() else { return };
        let threads = me.threads.saturating_sub(1) + self.children.threads;
        tally.threads.add(threads as f64);
        let own = (me.rss_pages * sys::page_size()) as f64;
        tally.rss_first.get_or_insert(own);
        tally.rss.add(own + self.children.rss_bytes as f64);
    }

    /// One slow sample, `elapsed` into the window: the children and the machine, and CPU % over
    /// the span since the last.
    pub(super) fn slow(
        &mut self,
        probe: &Probe,
        tally: &mut Tally,
        own: Duration,
        elapsed: Duration,
        interval: Duration,
    ) {
        let (children, ticks) = self.read_children(probe, tally, elapsed);
        self.children = children;
        let (at, own_process) = clocked(sys::cpu_time_process);
        let machine = self.machine_idle();
        if let Some((then, before)) = self.last_machine {
            let span = at.duration_since(then);
            if span < interval / 2 {
                return;
            }
            if let (Some(before), Some(now)) = (before, machine) {
                tally.system_pct.add(busy_pct(now - before, span));
            }
            tally.processes.add((1 + children.count) as f64);
        }
        self.last_machine = Some((at, machine));
        let mark = SlowMark {
            at,
            own_process,
            ticks,
            own,
        };
        // CPU time comes in clock ticks: the kernel adds a thread's running time on another core
        // to the process clock only at its scheduler ticks, and children's `stat` counts 10 ms
        // ticks. A span holds ten ticks of this process and ten of each child, so that one tick
        // moves the figure by 10 % at most.
        let tick = Duration::from_secs_f64(1.0 / sys::ticks_per_second());
        let min_span = (interval / 2).max(tick * 10 * (1 + children.count as u32));
        match self.last_cpu {
            Some(last) if at.duration_since(last.at) >= min_span => {
                let span = at.duration_since(last.at).as_secs_f64();
                let cpu_s = own_process.saturating_sub(last.own_process).as_secs_f64()
                    + ticks.saturating_sub(last.ticks) as f64 / sys::ticks_per_second();
                let own_s = own.saturating_sub(last.own).as_secs_f64();
                tally.process_pct.add(((cpu_s - own_s) / span * 100.0).max(0.0));
                self.last_cpu = Some(mark);
            }
            Some(_) => {}
            None => self.last_cpu = Some(mark),
        }
    }

    /// The live children's threads, resident memory and CPU ticks; their high-water marks go
    /// into `tally`, and the dead are forgotten.
    pub(super) fn read_children(
        &mut self,
        probe: &Probe,
        tally: &mut Tally,
        elapsed: Duration,
    ) -> (Children, u64) {
        // A child's high-water mark is in its `status` file, three times the cost of `stat`:
        // read every fourth slow sample (the sampled tree total stays the floor of the peak).
        self.slow_reads += 1;
        let read_peaks = self.slow_reads % 4 == 1;
        let mut children = Children::default();
        let (mut ticks, mut dead) = (0, Vec::new());
        for pid in probe.pids() {
            let Some(stat) = sys::proc_stat(pid) else {
                dead.push(pid);
                continue;
            };
            children.count += 1;
            children.threads += stat.threads;
            children.rss_bytes += stat.rss_pages * sys::page_size();
            ticks += stat.cpu_ticks;
            if let Some(hwm) = sys::peak_rss_bytes_of(pid).filter(|_| read_peaks) {
                tally.child_hwm(pid, hwm);
            }
        }
        probe.forget(&dead);
        // A tree's PSS is read within a budget of the time elapsed, so a long run is read
        // several times and a short one relies on the end reading. A process that never had
        // children is not read at all: its resident high-water mark is exact, and
        // `smaps_rollup` walks every mapping (about 14 ms a read for a 1 GiB process on this
        // VM), the sampler's largest cost.
        if children.count > 0 && tally.pss_due(1 + children.count, elapsed) {
            tally.tree_pss(probe);
        }
        (children, ticks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machines_busy_share_is_what_its_idle_time_leaves_of_its_cpus() {
        let cpus = sys::online_cpus() as f64;
        let span = Duration::from_millis(100);
        assert_eq!(busy_pct(0.1 * cpus, span), 0.0, "idle throughout");
        assert_eq!(busy_pct(0.0, span), 100.0, "never idle");
        assert!((busy_pct(0.05 * cpus, span) - 50.0).abs() < 1e-9);
        assert_eq!(
            busy_pct(0.2 * cpus, span),
            0.0,
            "rounding past the span is clamped"
        );
        assert_eq!(sys::parse_idle_s("72470.42 114493.76\n"), Some(114_493.76));
        assert_eq!(sys::parse_idle_s("72470.42"), None);
    }
}
