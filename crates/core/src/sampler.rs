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
//! A sampled figure with fewer than [`MIN_SAMPLES`] samples is `null`, and `sampler.unresolved`
//! says why. The sampler's own thread is never counted as the model's: its CPU time (its thread
//! clock) is subtracted from every process CPU figure, and it is left out of the thread count.
//! It keeps running aggregates, not a list of samples, so its memory stays flat. It reads
//! `/proc` directly: sysinfo's process refresh cost about 375 µs a sample (0.75 % of a core at
//! 50 ms), more than this whole sampler.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::report::{CpuStats, MemoryStats, ProcessStats, SamplerCost, ThreadStats};
use crate::sys::{self, MachineCpu, ProcStat};

const MIB: f64 = 1024.0 * 1024.0;

/// The fewest samples a sampled figure needs; with fewer it is `null`.
pub const MIN_SAMPLES: u64 = 10;

/// The shortest window, in clock ticks, over which the machine's CPU % is given: its two ends
/// are each read to a tick, so 20 ticks bound the rounding to ±10 points.
const SYSTEM_AVG_TICKS: f64 = 20.0;

/// The fast tier's first interval.
const FAST_FIRST: Duration = Duration::from_millis(1);

/// The handle a model uses to tell the sampler about its child processes.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    children: Arc<Mutex<Vec<u32>>>,
    peaks: Arc<Mutex<Vec<(u32, u64)>>>,
}

impl Probe {
    /// Counts process `pid` (a child the model started) in CPU, memory, threads and processes
    /// until it exits.
    pub fn track_child(&self, pid: u32) {
        self.children.lock().expect("probe lock").push(pid);
    }

    /// Counts `bytes` as child `pid`'s high-water mark in the window's peak (the child said it
    /// before it ended: the sampler reads the children's only at its slow tier, which a short
    /// run may not reach before they end).
    pub(crate) fn note_peak_bytes(&self, pid: u32, bytes: u64) {
        self.peaks.lock().expect("probe lock").push((pid, bytes));
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
        for (pid, hwm) in self.probe.peaks.lock().expect("probe lock").drain(..) {
            tally.child_hwm(pid, hwm);
        }
        let wall = self.started.elapsed();
        let cpu_used = tree_cpu_time().saturating_sub(self.cpu_start);
        let system_avg = match (self.machine_start, MachineCpu::read()) {
            (Some(before), Some(now)) => now.busy_pct_since(&before),
            _ => 0.0,
        };
        let own_hwm = self.hwm_reset.then(sys::peak_rss_bytes).flatten();
        let window = Window {
            wall,
            cpu_used,
            system_avg,
            own_hwm,
            interval: self.interval,
        };
        tally.summarise(&window)
    }
}

fn tree_cpu_time() -> Duration {
    sys::cpu_time_self() + sys::cpu_time_children()
}

/// What the window's two ends give exactly.
struct Window {
    wall: Duration,
    cpu_used: Duration,
    /// Whole-machine CPU over the window, %.
    system_avg: f64,
    /// This process's high-water mark over the window, bytes (`None`: not reset).
    own_hwm: Option<u64>,
    interval: Duration,
}

/// Running maximum, sum and count of a sampled figure.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Agg {
    n: u64,
    max: f64,
    sum: f64,
}

impl Agg {
    fn add(&mut self, v: f64) {
        self.max = if self.n == 0 { v } else { self.max.max(v) };
        self.sum += v;
        self.n += 1;
    }

    fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }
}

/// The aggregates of a window's samples.
#[derive(Debug, Clone, Default)]
struct Tally {
    /// Fast tier: tree threads (the sampler's excluded).
    threads: Agg,
    /// Fast tier: tree resident bytes.
    rss: Agg,
    /// This process's resident bytes at the first sample (the window's start).
    rss_first: Option<f64>,
    /// Slow tier (spans of half an interval or more): tree CPU %, sampler excluded.
    process_pct: Agg,
    /// Slow tier: machine CPU %.
    system_pct: Agg,
    /// Slow tier: processes of the tree.
    processes: Agg,
    /// The children's own high-water marks, bytes, as last read.
    children_hwm: Vec<(u32, u64)>,
    /// Slow tier (every sample with children, every fourth without): the largest PSS of the
    /// tree, MiB.
    pss_max: Option<f64>,
    /// Whether a PSS read included a child (a tree whose children no read saw has no PSS).
    pss_saw_children: bool,
    own_cpu: Duration,
}

/// What the slow tier last read of the children, added to each fast sample of this process.
#[derive(Debug, Clone, Copy, Default)]
struct Children {
    count: u64,
    threads: u64,
    rss_bytes: u64,
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
    reader.fast(&mut tally);
    taken.fetch_add(1, Ordering::SeqCst);
    reader.slow(probe, &mut tally, own_start, interval);
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
            reader.slow(probe, &mut tally, sys::cpu_time_this_thread(), interval);
            // Behind (machine overloaded): skip, do not burst.
            next_slow = (next_slow + interval).max(now + interval / 2);
        }
        reader.fast(&mut tally);
        taken.fetch_add(1, Ordering::SeqCst);
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
    tally.own_cpu = sys::cpu_time_this_thread().saturating_sub(own_start);
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

/// `read()` and the instant it read at: the midpoint of two clock readings around it, retried
/// (three times at most) when the thread was preempted between them, which would skew a
/// percentage over a short span.
fn clocked<T>(read: impl Fn() -> T) -> (Instant, T) {
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
struct Reader {
    me: File,
    machine: Option<File>,
    children: Children,
    /// The last mark a process CPU % was read from.
    last_cpu: Option<SlowMark>,
    /// When the machine's CPU times were last read, and what they were.
    last_machine: Option<(Instant, Option<MachineCpu>)>,
    slow_reads: u64,
}

/// The cumulative CPU counters at one slow-tier sample.
#[derive(Debug, Clone, Copy)]
struct SlowMark {
    at: Instant,
    /// This process's CPU time (all threads, exact).
    own_process: Duration,
    /// The live children's CPU ticks.
    ticks: u64,
    /// The sampler thread's own CPU time.
    own: Duration,
}

impl Reader {
    fn new() -> Option<Self> {
        Some(Self {
            me: File::open("/proc/self/stat").ok()?,
            machine: File::open("/proc/stat").ok(),
            children: Children::default(),
            last_cpu: None,
            last_machine: None,
            slow_reads: 0,
        })
    }

    fn me(&self) -> Option<ProcStat> {
        let mut buf = [0u8; 1024];
        let n = self.me.read_at(&mut buf, 0).ok()?;
        ProcStat::parse(std::str::from_utf8(&buf[..n]).ok()?)
    }

    /// The machine's CPU times: the first line of `/proc/stat`, read from the open file.
    fn machine(&self) -> Option<MachineCpu> {
        let mut buf = [0u8; 256];
        let n = self.machine.as_ref()?.read_at(&mut buf, 0).ok()?;
        let text = std::str::from_utf8(&buf[..n]).ok()?;
        MachineCpu::parse(text.lines().next()?)
    }

    /// One fast sample: this process now, its children as the slow tier last read them.
    fn fast(&mut self, tally: &mut Tally) {
        let Some(me) = self.me() else { return };
        let threads = me.threads.saturating_sub(1) + self.children.threads;
        tally.threads.add(threads as f64);
        let own = (me.rss_pages * sys::page_size()) as f64;
        tally.rss_first.get_or_insert(own);
        tally.rss.add(own + self.children.rss_bytes as f64);
    }

    /// One slow sample: the children and the machine, and CPU % over the span since the last.
    fn slow(&mut self, probe: &Probe, tally: &mut Tally, own: Duration, interval: Duration) {
        let (children, ticks) = self.read_children(probe, tally);
        self.children = children;
        let (at, own_process) = clocked(sys::cpu_time_process);
        let machine = self.machine();
        if let Some((then, before)) = self.last_machine {
            if at.duration_since(then) < interval / 2 {
                return;
            }
            if let (Some(before), Some(now)) = (before, machine) {
                tally.system_pct.add(now.busy_pct_since(&before));
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
    fn read_children(&mut self, probe: &Probe, tally: &mut Tally) -> (Children, u64) {
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
        // A tree with children is read every slow sample, so a short run of worker processes
        // still gets a PSS read with them alive. A process that never had children is not read
        // at all: its resident high-water mark is exact, and `smaps_rollup` walks every mapping
        // (about 14 ms a read for a 1 GiB process on this VM), the sampler's largest cost.
        if children.count > 0 || (read_peaks && tally.pss_saw_children) {
            tally.tree_pss(probe);
        }
        (children, ticks)
    }
}

impl Tally {
    /// Reads the tree's PSS (this process and its live children, each page shared with N of
    /// them counted 1/N) and keeps the largest. `smaps_rollup` walks every mapping, so a process
    /// alone is read with the children's high-water marks, every fourth slow sample.
    fn tree_pss(&mut self, probe: &Probe) {
        let Some(own) = sys::pss_mib_of(std::process::id()) else {
            return;
        };
        let children: Vec<f64> = probe.pids().into_iter().filter_map(sys::pss_mib_of).collect();
        self.pss_saw_children |= !children.is_empty();
        let pss = own + children.iter().sum::<f64>();
        self.pss_max = Some(self.pss_max.map_or(pss, |m| m.max(pss)));
    }

    /// Raises child `pid`'s high-water mark to `hwm` bytes (read by the slow tier, or said by the
    /// child as it ended).
    fn child_hwm(&mut self, pid: u32, hwm: u64) {
        match self.children_hwm.iter_mut().find(|(p, _)| *p == pid) {
            Some(entry) => entry.1 = entry.1.max(hwm),
            None => self.children_hwm.push((pid, hwm)),
        }
    }

    fn summarise(&self, w: &Window) -> Measured {
        let wall_s = w.wall.as_secs_f64().max(1e-9);
        let own = self.own_cpu.as_secs_f64();
        let mut unresolved = Vec::new();
        let mut resolved = |agg: &Agg, name: &str, tier: &str| {
            if agg.n >= MIN_SAMPLES {
                return true;
            }
            unresolved.push(format!(
                "{name}: {} {tier} samples, fewer than {MIN_SAMPLES}",
                agg.n
            ));
            false
        };
        let fast_ok = resolved(&self.threads, "threads.peak, memory.rss_avg_mib", "fast-tier");
        let cpu_ok = resolved(&self.process_pct, "cpu.process_max_pct", "slow-tier");
        let slow_ok = resolved(
            &self.system_pct,
            "cpu.system_max_pct, processes.peak",
            "slow-tier",
        );
        let children_hwm: u64 = self.children_hwm.iter().map(|(_, b)| b).sum();
        // A tree with children that no PSS read saw (they lived between two reads) would show
        // the parent alone.
        let pss_ok = self.children_hwm.is_empty() || self.pss_saw_children;
        if !pss_ok {
            unresolved.push("memory.pss_peak_mib: no slow-tier read saw the children alive".into());
        }
        let sampled_peak = self.rss.max;
        let (peak, source) = match w.own_hwm {
            Some(hwm) => (((hwm + children_hwm) as f64).max(sampled_peak), "high-water mark"),
            None => (sampled_peak, "sampled"),
        };
        let cpu_pct = ((w.cpu_used.as_secs_f64() - own) / wall_s * 100.0).max(0.0);
        // /proc/stat counts whole clock ticks: over a short window its two ends' rounding is
        // most of the figure (a 3 ms window reads 0, 50 or 100 %).
        let ticks = wall_s * sys::ticks_per_second();
        let system_ok = ticks >= SYSTEM_AVG_TICKS;
        if !system_ok {
            unresolved.push(format!(
                "cpu.system_avg_pct: a window shorter than {SYSTEM_AVG_TICKS} clock ticks of /proc/stat ({:.0} ms)",
                SYSTEM_AVG_TICKS / sys::ticks_per_second() * 1000.0
            ));
        }
        Measured {
            cpu: CpuStats {
                process_avg_pct: round2(cpu_pct),
                process_max_pct: cpu_ok.then(|| round2(self.process_pct.max)),
                system_avg_pct: system_ok.then(|| round2(w.system_avg)),
                system_max_pct: slow_ok.then(|| round2(self.system_pct.max)),
            },
            memory: MemoryStats {
                rss_peak_mib: round2(peak / MIB),
                rss_avg_mib: fast_ok.then(|| round2(self.rss.mean() / MIB)),
                rss_start_mib: self.rss_first.map(|b| round2(b / MIB)),
                rss_peak_source: source.into(),
                pss_peak_mib: self.pss_max.filter(|_| pss_ok).map(round2),
            },
            threads: ThreadStats {
                peak: fast_ok.then_some(self.threads.max as u64),
            },
            processes: ProcessStats {
                peak: slow_ok.then_some(self.processes.max as u64),
            },
            samples: self.threads.n,
            cost: SamplerCost {
                interval_ms: w.interval.as_millis() as u64,
                cpu_s: (own * 1e6).round() / 1e6,
                overhead_pct: round2(own / wall_s * 100.0),
                fast_samples: self.threads.n,
                slow_samples: self.system_pct.n,
                min_samples: MIN_SAMPLES,
                unresolved,
            },
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agg(values: &[f64]) -> Agg {
        let mut a = Agg::default();
        for v in values {
            a.add(*v);
        }
        a
    }

    fn window(own_hwm: Option<u64>) -> Window {
        Window {
            wall: Duration::from_millis(200),
            cpu_used: Duration::from_millis(302),
            system_avg: 55.555,
            own_hwm,
            interval: Duration::from_millis(50),
        }
    }

    #[test]
    fn the_machines_cpu_over_a_window_of_a_few_ticks_is_unresolved() {
        let w = Window {
            wall: Duration::from_millis(30),
            ..window(None)
        };
        let m = Tally::default().summarise(&w);
        assert_eq!(m.cpu.system_avg_pct, None);
        assert!(
            m.cost
                .unresolved
                .iter()
                .any(|u| u.starts_with("cpu.system_avg_pct: a window shorter than 20 clock ticks")),
            "{:?}",
            m.cost.unresolved
        );
    }

    #[test]
    fn exact_figures_come_from_the_window_and_the_sampler_is_subtracted() {
        let many: Vec<f64> = (0..12).map(|i| i as f64).collect();
        let tally = Tally {
            threads: agg(&many),
            rss: agg(&[(10 << 20) as f64, (30 << 20) as f64]),
            process_pct: agg(&[100.0; 10]),
            system_pct: agg(&[40.0, 90.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
            processes: agg(&[1.0; 10]),
            children_hwm: vec![(7, 8 << 20)],
            pss_max: Some(12.345),
            pss_saw_children: true,
            own_cpu: Duration::from_millis(2),
            rss_first: Some((6 << 20) as f64),
        };
        let m = tally.summarise(&window(Some(40 << 20)));
        assert_eq!(
            m.memory.pss_peak_mib,
            Some(12.35),
            "the largest PSS read, rounded"
        );
        assert_eq!(
            m.cpu.process_avg_pct, 150.0,
            "(302 − 2 ms of the sampler) over 200 ms"
        );
        assert_eq!(
            m.cpu.system_avg_pct,
            Some(55.56),
            "from the window's ends, 20 ticks apart"
        );
        assert_eq!(m.cpu.system_max_pct, Some(90.0));
        assert_eq!(m.memory.rss_peak_mib, 48.0, "own high-water mark + the child's");
        assert_eq!(m.memory.rss_peak_source, "high-water mark");
        assert_eq!(m.memory.rss_start_mib, Some(6.0), "the window's first sample");
        assert_eq!(m.threads.peak, Some(11));
        assert_eq!((m.samples, m.cost.slow_samples), (12, 10));
        assert!(m.cost.unresolved.is_empty(), "{:?}", m.cost.unresolved);
        assert_eq!(m.cost.overhead_pct, 1.0);
        let sampled = tally.summarise(&window(None));
        assert_eq!(
            (
                sampled.memory.rss_peak_mib,
                sampled.memory.rss_peak_source.as_str()
            ),
            (30.0, "sampled")
        );
    }

    #[test]
    fn too_few_samples_are_null_with_the_reason() {
        let tally = Tally {
            threads: agg(&[3.0; 4]),
            rss: agg(&[1e6; 4]),
            process_pct: agg(&[50.0; 2]),
            ..Tally::default()
        };
        let m = tally.summarise(&window(Some(1 << 20)));
        assert_eq!(m.threads.peak, None);
        assert_eq!(m.memory.rss_avg_mib, None);
        assert_eq!((m.cpu.process_max_pct, m.cpu.system_max_pct), (None, None));
        assert_eq!(m.processes.peak, None);
        assert_eq!(m.memory.rss_peak_mib, 1.0, "the high-water mark needs no samples");
        assert_eq!(m.cost.unresolved.len(), 3, "{:?}", m.cost.unresolved);
        assert!(m.cost.unresolved[0].contains("4 fast-tier samples, fewer than 10"));
    }

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
        let pss = m.memory.pss_peak_mib.expect("the slow tier read the tree's PSS");
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
