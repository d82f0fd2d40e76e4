//! The background sampler: process-tree CPU, system CPU, RSS, threads and processes.
//!
//! Exact beats sampled. The averages come from the kernel's own accounting over the window:
//! process CPU from `getrusage` (the process and its waited-for children), system CPU from
//! `/proc/stat` at the window's two ends, and the peak resident memory from the kernel's
//! high-water mark (`VmHWM`, reset at the window's start by writing `5` to
//! `/proc/self/clear_refs`; each child's own mark added).
//!
//! What only samples can give is read on two tiers by one thread:
//! - the fast tier reads this process's `/proc/self/stat` (threads, resident memory) every 1 ms
//!   at the start of the window, then every quarter of the time elapsed, at most every
//!   `interval_ms`: so a 20 ms run holds more than 10 samples, and a long run wakes the
//!   sampler about once per `interval_ms` (each wake-up costs it about 20 µs of CPU);
//! - the slow tier, every `interval_ms`, reads the children and the machine. The machine's CPU
//!   % is read over each slow span; the process tree's over spans of ten clock ticks (100 ms)
//!   per process at the least, since the kernel adds a thread's time on another core to the
//!   process clock only at its ticks.
//!
//! A process tree's PSS (`smaps_rollup` walks every mapping) is read by the slow tier only as
//! often as 0.1 % of a core allows, and once more as the work ends: each worker reads its own
//! as it exits, and this process its own as the first worker ends. A process that never had
//! children is not walked at all: its high-water mark is exact.
//!
//! A sampled figure with fewer than [`MIN_SAMPLES`] samples is `null`, and `sampler.unresolved`
//! says why. The sampler's own thread is never counted as the model's: its CPU time (its thread
//! clock) is subtracted from every process CPU figure, and it is left out of the thread count.
//! It keeps running aggregates, not a list of samples, so its memory stays flat. It reads
//! `/proc` directly: sysinfo's process refresh cost about 375 µs a sample (0.75 % of a core at
//! 50 ms), more than this whole sampler.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::counts::Counters;
use crate::report::{CpuStats, MemoryStats, ProcessStats, SamplerCost, ThreadStats};
use crate::sys::{self, MachineCpu};

mod reader;
mod tally;

use reader::Reader;
use tally::{Tally, Window};

/// The fewest samples a sampled figure needs; with fewer it is `null`.
pub const MIN_SAMPLES: u64 = 10;

/// The shortest window, in clock ticks, over which the machine's CPU % is given: its two ends
/// are each read to a tick, so 20 ticks bound the rounding to ±10 points.
const SYSTEM_AVG_TICKS: f64 = 20.0;

/// Read calls in the window's counts that are the harness's own: the read of `/proc/self/io` at
/// the window's start, and the sampler thread's last read of its own (made after its count).
/// The sampler's first read of its own is counted in its share, though made before the window:
/// it cancels the second.
const HARNESS_READS: u64 = 1;

/// The fast tier's first interval.
const FAST_FIRST: Duration = Duration::from_millis(1);

/// The share of a core the slow tier may spend walking the tree's PSS (`smaps_rollup` walks
/// every mapping of a process): a read waits until the reads so far, and its own expected cost,
/// fit within this share of the time elapsed.
const PSS_BUDGET: f64 = 0.001;

/// What a PSS read is expected to cost per process before one has been timed.
const PSS_FIRST_ESTIMATE: Duration = Duration::from_micros(100);

/// The handle a model uses to tell the sampler about its child processes.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    children: Arc<Mutex<Vec<u32>>>,
    peaks: Arc<Mutex<Vec<(u32, u64)>>>,
    ends: Arc<Mutex<Vec<EndReading>>>,
    had_children: Arc<AtomicBool>,
    /// The ended workers' allocations and bytes, as they said.
    allocations: Arc<Mutex<(u64, u64)>>,
    /// The sampler's thread, woken by a child's end reading to read this process's PSS beside it.
    sampler: Arc<std::sync::OnceLock<std::thread::Thread>>,
}

/// A child's reading of its own PSS just before it exited, and what the read cost it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EndReading {
    pub(crate) pid: u32,
    pub(crate) pss_mib: f64,
    pub(crate) cost: Duration,
}

impl Probe {
    /// Counts process `pid` (a child the model started) in CPU, memory, threads and processes
    /// until it exits.
    pub fn track_child(&self, pid: u32) {
        self.children.lock().expect("probe lock").push(pid);
        self.had_children.store(true, Ordering::SeqCst);
    }

    /// Counts `bytes` as child `pid`'s high-water mark in the window's peak (the child said it
    /// before it ended: the sampler reads the children's only at its slow tier, which a short
    /// run may not reach before they end).
    pub(crate) fn note_peak_bytes(&self, pid: u32, bytes: u64) {
        self.peaks.lock().expect("probe lock").push((pid, bytes));
    }

    /// Counts a child's reading of its own PSS as it ended in the tree's end reading; the read's
    /// cost is the sampler's, not the model's.
    pub(crate) fn note_end_pss(&self, reading: EndReading) {
        self.ends.lock().expect("probe lock").push(reading);
        if let Some(thread) = self.sampler.get() {
            thread.unpark();
        }
    }

    /// Counts a worker's allocations (what it said as it ended) in the window's.
    pub(crate) fn note_allocations(&self, (count, bytes): (u64, u64)) {
        let mut sum = self.allocations.lock().expect("probe lock");
        sum.0 += count;
        sum.1 += bytes;
    }

    fn ended_children(&self) -> usize {
        self.ends.lock().expect("probe lock").len()
    }

    /// The tracked children still alive at the sampler's last look.
    pub fn children(&self) -> Vec<u32> {
        self.pids()
    }

    fn pids(&self) -> Vec<u32> {
        self.children.lock().expect("probe lock").clone()
    }

    fn forget(&self, dead: &[u32]) {
        self.children
            .lock()
            .expect("probe lock")
            .retain(|p| !dead.contains(p));
    }
}

/// Everything the sampler measured over one window.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// CPU figures.
    pub cpu: CpuStats,
    /// Memory figures.
    pub memory: MemoryStats,
    /// Thread figures.
    pub threads: ThreadStats,
    /// Process figures.
    pub processes: ProcessStats,
    /// Fast-tier samples taken.
    pub samples: u64,
    /// The sampler's cost and what it could not resolve.
    pub cost: SamplerCost,
    /// The kernel's counts over the window, the sampler's own left out (`None` where `/proc`
    /// lacks them).
    pub counts: Option<Counters>,
    /// User-space instructions over the window, or why there is no count.
    pub instructions: Result<u64, String>,
}

/// A running sampler; [`Sampler::stop`] closes the window.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    taken: Arc<AtomicU64>,
    thread: JoinHandle<Tally>,
    probe: Probe,
    interval: Duration,
    started: Instant,
    cpu_start: Duration,
    machine_start: Option<MachineCpu>,
    hwm_reset: bool,
    counts_start: Option<Counters>,
    instructions: Result<(crate::counts::Instructions, u64), String>,
}

impl Sampler {
    /// Opens the window: resets the memory high-water mark, starts the sampling thread and
    /// waits for its first sample.
    pub fn start(interval: Duration) -> std::io::Result<Self> {
        let probe = Probe::default();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let taken = Arc::new(AtomicU64::new(0));
        let counted = taken.clone();
        let thread_probe = probe.clone();
        let (ready_tx, ready) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("concbench-sampler".into())
            .spawn(move || sample_loop(&thread_probe, interval, &stopped, &counted, &ready_tx))?;
        // Wait for the baseline sample, so the window starts measured.
        let _ = ready.recv_timeout(Duration::from_secs(5));
        let hwm_reset = sys::reset_peak_rss();
        Ok(Self {
            stop,
            taken,
            thread,
            probe,
            interval,
            started: Instant::now(),
            cpu_start: tree_cpu_time(),
            machine_start: MachineCpu::read(),
            hwm_reset,
            // Last: its own read of /proc/self/io is then the one read of the window's that is
            // the harness's (subtracted at the end).
            counts_start: Counters::of_process(),
            // After the sampler's thread started: a counter that inherits counts only the
            // threads and processes started after it.
            instructions: crate::counts::Instructions::open().and_then(|c| {
                let start = c.read().ok_or("reading the instruction counter failed")?;
                Ok((c, start))
            }),
        })
    }

    /// The probe to hand the model.
    pub fn probe(&self) -> &Probe {
        &self.probe
    }

    /// Fast-tier samples taken so far (tests wait on it instead of on the clock).
    pub fn samples_taken(&self) -> u64 {
        self.taken.load(Ordering::SeqCst)
    }

    /// Closes the window: stops the thread (which takes a last sample) and summarises.
    pub fn stop(self) -> Measured {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.thread().unpark();
        let mut tally = self.thread.join().unwrap_or_default();
        // First: every read below (the machine's CPU, the high-water mark) is the harness's.
        let counts_end = Counters::of_process();
        let instructions = match &self.instructions {
            Ok((counter, start)) => counter
                .read()
                .map(|end| end.saturating_sub(*start))
                .ok_or_else(|| "reading the instruction counter failed".to_string()),
            Err(why) => Err(why.clone()),
        };
        for (pid, hwm) in self.probe.peaks.lock().expect("probe lock").drain(..) {
            tally.child_hwm(pid, hwm);
        }
        let wall = self.started.elapsed();
        let cpu_used = tree_cpu_time().saturating_sub(self.cpu_start);
        let system_avg = match (self.machine_start, MachineCpu::read()) {
            (Some(before), Some(now)) => now.busy_pct_since(&before),
            _ => 0.0,
        };
        let counts = match (self.counts_start, counts_end, tally.own_counts) {
            (Some(start), Some(end), Some(own)) => {
                let mut c = end.since(start).since(own);
                c.reads = c.reads.saturating_sub(HARNESS_READS);
                let (count, bytes) = *self.probe.allocations.lock().expect("probe lock");
                c.allocations += count;
                c.allocated_bytes += bytes;
                Some(c)
            }
            _ => None,
        };
        let own_hwm = self.hwm_reset.then(sys::peak_rss_bytes).flatten();
        let window = Window {
            wall,
            cpu_used,
            system_avg,
            own_hwm,
            interval: self.interval,
        };
        Measured {
            counts,
            instructions,
            ..tally.summarise(&window)
        }
    }
}

fn tree_cpu_time() -> Duration {
    sys::cpu_time_self() + sys::cpu_time_children()
}

fn sample_loop(
    probe: &Probe,
    interval: Duration,
    stop: &AtomicBool,
    taken: &AtomicU64,
    ready: &mpsc::Sender<()>,
) -> Tally {
    let mut tally = Tally::default();
    let Some(mut reader) = Reader::new() else {
        let _ = ready.send(());
        return tally;
    };
    let start = Instant::now();
    let own_start = sys::cpu_time_this_thread();
    let _ = probe.sampler.set(std::thread::current());
    crate::alloc::leave_out_this_thread();
    reader.fast(&mut tally);
    taken.fetch_add(1, Ordering::SeqCst);
    reader.slow(probe, &mut tally, own_start, Duration::ZERO, interval);
    let counts_start = Counters::of_this_thread();
    let _ = ready.send(());
    let mut next_fast = start + FAST_FIRST;
    let mut next_slow = start + interval;
    loop {
        let next = next_fast.min(next_slow);
        // park_timeout is one futex wait; a channel's receive spins before it sleeps, which
        // costs more CPU than the sample itself. An early wake-up just loops.
        while !stop.load(Ordering::SeqCst) && Instant::now() < next {
            std::thread::park_timeout(next.saturating_duration_since(Instant::now()));
        }
        let stopping = stop.load(Ordering::SeqCst);
        let now = Instant::now();
        if stopping || now >= next_slow {
            let (own, elapsed) = (sys::cpu_time_this_thread(), now.duration_since(start));
            reader.slow(probe, &mut tally, own, elapsed, interval);
            // Behind (machine overloaded): skip, do not burst.
            next_slow = (next_slow + interval).max(now + interval / 2);
        }
        reader.fast(&mut tally);
        taken.fetch_add(1, Ordering::SeqCst);
        if tally.parent_pss.is_none() && probe.ended_children() > 0 {
            // The first worker has ended: this process still holds what it gave them.
            tally.parent_pss = sys::pss_mib_of(std::process::id());
        }
        if stopping {
            break;
        }
        next_fast = start
            + next_fast_sample(
                now.duration_since(start),
                interval,
                next_slow.duration_since(start),
            );
    }
    if probe.had_children.load(Ordering::SeqCst) {
        tally.end_pss(probe);
    }
    tally.own_cpu = sys::cpu_time_this_thread().saturating_sub(own_start);
    tally.own_counts = counts_start
        .zip(Counters::of_this_thread())
        .map(|(start, end)| end.since(start));
    tally
}

/// When, counted from the window's start, the fast tier samples next after a sample at
/// `elapsed`: a quarter of the time elapsed on (at least 1 ms, at most the interval), so a short
/// window holds many samples and a long one few; a sample that would fall within a step of the
/// slow tier's (at `next_slow`) waits for it, since every wake-up costs tens of µs on a VM.
fn next_fast_sample(elapsed: Duration, interval: Duration, next_slow: Duration) -> Duration {
    let step = (elapsed / 4).clamp(FAST_FIRST, interval.max(FAST_FIRST));
    if elapsed + step + step >= next_slow {
        next_slow
    } else {
        elapsed + step
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast tier's schedule, without a clock: a 100 ms window at the default 50 ms interval
    /// holds at least [`MIN_SAMPLES`] fast samples, and a long one wakes at most once an interval.
    #[test]
    fn the_fast_tier_samples_a_short_window_ten_times_and_a_long_one_sparingly() {
        let ms = Duration::from_millis;
        let samples_in = |window: Duration, interval: Duration| {
            let (mut at, mut next_slow, mut n) = (Duration::ZERO, interval, 1u64);
            loop {
                at = next_fast_sample(at, interval, next_slow);
                if at > window {
                    return n;
                }
                n += 1;
                if at >= next_slow {
                    next_slow += interval;
                }
            }
        };
        assert!(
            samples_in(ms(100), ms(50)) >= MIN_SAMPLES,
            "{}",
            samples_in(ms(100), ms(50))
        );
        assert!(
            samples_in(ms(20), ms(50)) >= MIN_SAMPLES,
            "{}",
            samples_in(ms(20), ms(50))
        );
        let long = samples_in(Duration::from_secs(60), ms(50));
        assert!(long <= 60_000 / 50 + 20, "{long} samples in a minute");
        assert_eq!(
            next_fast_sample(ms(0), ms(50), ms(50)),
            ms(1),
            "the first step is 1 ms"
        );
        assert_eq!(
            next_fast_sample(ms(40), ms(50), ms(50)),
            ms(50),
            "a sample near the slow one waits"
        );
    }

    /// Waits (bounded) until `sampler` has taken `n` fast samples.
    fn wait_for_samples(sampler: &Sampler, n: u64) {
        let begun = Instant::now();
        while sampler.samples_taken() < n && begun.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_window_of_ten_samples_resolves_the_fast_figures_and_the_sampler_is_not_a_thread() {
        let sampler = Sampler::start(Duration::from_millis(50)).unwrap();
        wait_for_samples(&sampler, MIN_SAMPLES);
        let m = sampler.stop();
        assert!(m.samples >= MIN_SAMPLES, "{m:?}");
        assert!(m.threads.peak.is_some(), "{m:?}");
        // Every sampled figure is either resolved or says why not.
        let unresolved = |name: &str| m.cost.unresolved.iter().any(|u| u.contains(name));
        assert_eq!(
            m.cpu.process_max_pct.is_none(),
            unresolved("cpu.process_max_pct"),
            "{m:?}"
        );
        assert_eq!(m.processes.peak.is_none(), unresolved("processes.peak"), "{m:?}");
    }

    #[test]
    fn a_process_without_children_walks_no_pss() {
        let sampler = Sampler::start(Duration::from_millis(10)).unwrap();
        let wall = Instant::now();
        let mut x = 0u64;
        while sampler.samples_taken() < 4 * MIN_SAMPLES && wall.elapsed() < Duration::from_secs(20) {
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
        }
        let m = sampler.stop();
        assert!(m.cost.slow_samples >= 4, "the slow tier ran: {m:?}");
        assert_eq!(m.memory.pss_peak_mib, None, "exact RSS, no PSS walk: {m:?}");
        assert!(m.memory.rss_peak_mib > 0.0, "{m:?}");
    }

    #[test]
    fn a_short_tree_takes_its_pss_from_the_workers_end_readings() {
        let sampler = Sampler::start(Duration::from_millis(50)).unwrap();
        let probe = sampler.probe().clone();
        // A child that ended before any slow-tier read: what it said as it ended.
        probe.track_child(u32::MAX - 1);
        probe.note_peak_bytes(u32::MAX - 1, 64 << 20);
        probe.note_end_pss(EndReading {
            pid: u32::MAX - 1,
            pss_mib: 40.0,
            cost: Duration::from_millis(3),
        });
        let m = sampler.stop();
        let own = sys::pss_mib_of(std::process::id()).unwrap();
        let pss = m.memory.pss_end_mib.expect("the end reading: {m:?}");
        assert!(
            pss >= 40.0 && (pss - 40.0 - own).abs() < own * 0.5 + 1.0,
            "this process's {own} + the child's 40 MiB: {m:?}"
        );
        assert_eq!(m.memory.pss_peak_mib, None, "no slow-tier read: {m:?}");
        assert!(
            m.cost.cpu_s >= 0.003,
            "the child's read is the sampler's cost: {m:?}"
        );
    }

    #[test]
    fn sampler_sees_this_process_and_a_child() {
        let sampler = Sampler::start(Duration::from_millis(10)).unwrap();
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        sampler.probe().track_child(child.id());
        let hold: Vec<u8> = vec![1; 32 << 20]; // 32 MiB, touched
        let (wall, own) = (Instant::now(), sys::cpu_time_this_thread());
        let mut x = 0u64;
        // Busy until forty fast samples (the slow tier, every 10 ms, has read the tree several
        // times by then): a sample count, not a duration, so a loaded machine takes longer
        // rather than failing.
        while sampler.samples_taken() < 4 * MIN_SAMPLES && wall.elapsed() < Duration::from_secs(20) {
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
        }
        let busy = (sys::cpu_time_this_thread() - own).as_secs_f64() / wall.elapsed().as_secs_f64();
        let m = sampler.stop();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(std::hint::black_box(&hold).iter().all(|&b| b == 1));
        assert!(m.samples >= MIN_SAMPLES, "{m:?}");
        assert_eq!(
            m.processes.peak,
            Some(2),
            "this process and the sleep child: {m:?}"
        );
        assert!(m.threads.peak.unwrap() >= 2, "test thread and child: {m:?}");
        assert!(m.memory.rss_peak_mib >= 32.0, "{m:?}");
        let pss = m.memory.pss_end_mib.expect("the end reading read the tree's PSS");
        assert!(
            pss >= 32.0 && pss <= m.memory.rss_peak_mib + 1.0,
            "PSS {pss} against {m:?}"
        );
        // The process's CPU holds at least what this thread used (other tests share the
        // process, so only a lower bound holds), less the rounding of clock ticks.
        assert!(
            m.cpu.process_avg_pct >= busy * 100.0 * 0.8,
            "busy {busy:.2}: {m:?}"
        );
        let unresolved = m
            .cost
            .unresolved
            .iter()
            .any(|u| u.starts_with("cpu.process_max_pct"));
        assert_eq!(m.cpu.process_max_pct.is_none(), unresolved, "{m:?}");
        assert!(
            m.cpu.system_avg_pct.is_some()
                || m.cost
                    .unresolved
                    .iter()
                    .any(|u| u.starts_with("cpu.system_avg_pct")),
            "{m:?}"
        );
    }
}
