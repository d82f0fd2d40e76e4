//! The background sampler: process-tree CPU, system CPU, RSS, threads and processes.
//!
//! A thread samples every `interval_ms` over the measured window with sysinfo and keeps average and
//! maximum. The average process CPU does not come from samples but from the kernel's exact
//! accounting (`getrusage` of the process and its waited-for children) over the window, because
//! at the kernel's 100 Hz tick one 50 ms sample moves in steps of 20 points. The sampler measures
//! its own CPU time, so its cost is in every report.

use std::collections::HashMap;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

use crate::report::{CpuStats, MemoryStats, ProcessStats, SamplerCost, ThreadStats};
use crate::sys;

const MIB: f64 = 1024.0 * 1024.0;

/// The handle a model uses to tell the sampler about its child processes.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    children: Arc<Mutex<Vec<u32>>>,
}

impl Probe {
    /// Counts process `pid` (a child the model started) in CPU, memory, threads and processes
    /// until it exits.
    pub fn track_child(&self, pid: u32) {
        self.children.lock().expect("probe lock").push(pid);
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
    /// Samples taken.
    pub samples: u64,
    /// The sampler's own cost.
    pub cost: SamplerCost,
}

/// A running sampler; [`Sampler::stop`] closes the window.
pub struct Sampler {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<Series>,
    probe: Probe,
    interval: Duration,
    started: Instant,
    cpu_start: Duration,
}

impl Sampler {
    /// Opens the window: takes the first sample and starts the sampling thread.
    pub fn start(interval: Duration) -> std::io::Result<Self> {
        let probe = Probe::default();
        let (stop, stopped) = mpsc::channel();
        let thread_probe = probe.clone();
        let (ready_tx, ready) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("concbench-sampler".into())
            .spawn(move || sample_loop(&thread_probe, interval, &stopped, &ready_tx))?;
        // Wait for the baseline sample, so the window starts measured.
        let _ = ready.recv_timeout(Duration::from_secs(5));
        Ok(Self {
            stop,
            thread,
            probe,
            interval,
            started: Instant::now(),
            cpu_start: tree_cpu_time(),
        })
    }

    /// The probe to hand the model.
    pub fn probe(&self) -> &Probe {
        &self.probe
    }

    /// Closes the window: takes a last sample and summarises.
    pub fn stop(self) -> Measured {
        let wall = self.started.elapsed();
        let cpu_used = tree_cpu_time().saturating_sub(self.cpu_start);
        let _ = self.stop.send(());
        let series = self.thread.join().unwrap_or_default();
        series.summarise(wall, cpu_used, self.interval)
    }
}

fn tree_cpu_time() -> Duration {
    sys::cpu_time_self() + sys::cpu_time_children()
}

/// One sample of the process tree and the machine.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Sample {
    /// Length of the interval this sample covers, seconds.
    span_s: f64,
    process_pct: f64,
    system_pct: f64,
    rss_bytes: u64,
    threads: u64,
    processes: u64,
}

#[derive(Debug, Clone, Default)]
struct Series {
    samples: Vec<Sample>,
    own_cpu: Duration,
}

fn sample_loop(
    probe: &Probe,
    interval: Duration,
    stop: &mpsc::Receiver<()>,
    ready: &mpsc::Sender<()>,
) -> Series {
    let own_start = sys::cpu_time_this_thread();
    let mut series = Series::default();
    let Ok(mut reader) = Reader::new() else {
        let _ = ready.send(());
        return series;
    };
    let mut last = Instant::now();
    // The baseline: memory counts from it; CPU figures are differences, so they start after it.
    series.samples.push(reader.take(probe, 0.0));
    let _ = ready.send(());
    let mut next = last + interval;
    loop {
        let wait = next.saturating_duration_since(Instant::now());
        let stopping = match stop.recv_timeout(wait) {
            Err(RecvTimeoutError::Timeout) => false,
            Ok(()) | Err(RecvTimeoutError::Disconnected) => true,
        };
        let now = Instant::now();
        let span = now.duration_since(last).as_secs_f64();
        last = now;
        series.samples.push(reader.take(probe, span));
        if stopping {
            break;
        }
        next += interval;
        if next < now {
            next = now + interval; // fell behind (machine overloaded): skip, do not burst
        }
    }
    series.own_cpu = sys::cpu_time_this_thread().saturating_sub(own_start);
    series
}

/// Reads the process tree through sysinfo and the machine's CPU times, keeping the last reading
/// so each sample is a difference over its own interval.
///
/// sysinfo's own `cpu_usage` figures refresh the machine's CPU times at most every 200 ms, too
/// slowly for a 50 ms sampler, so CPU % here is computed from accumulated CPU times instead.
struct Reader {
    system: System,
    me: u32,
    cpu_ms: HashMap<u32, u64>,
    machine: Option<sys::MachineCpu>,
}

impl Reader {
    fn new() -> Result<Self, sysinfo::Error> {
        Ok(Self {
            system: System::new()?,
            me: std::process::id(),
            cpu_ms: HashMap::new(),
            machine: None,
        })
    }

    fn take(&mut self, probe: &Probe, span_s: f64) -> Sample {
        let tracked: Vec<u32> = std::iter::once(self.me).chain(probe.pids()).collect();
        let pids: Vec<Pid> = tracked.iter().map(|&p| Pid::from_u32(p)).collect();
        let kind = ProcessRefreshKind::nothing().with_cpu().with_memory();
        self.system
            .refresh_processes_specifics(ProcessesToUpdate::Some(&pids), true, kind);
        let mut sample = Sample {
            span_s,
            ..Sample::default()
        };
        let mut dead = Vec::new();
        let mut cpu_ms_delta = 0;
        for (&raw, pid) in tracked.iter().zip(&pids) {
            match (self.system.process(*pid), sys::thread_count(raw)) {
                (Some(p), Some(threads)) => {
                    let now = p.accumulated_cpu_time();
                    let before = self.cpu_ms.insert(raw, now).unwrap_or(now);
                    cpu_ms_delta += now.saturating_sub(before);
                    sample.rss_bytes += p.memory();
                    sample.threads += threads;
                    sample.processes += 1;
                }
                _ => dead.push(raw),
            }
        }
        for pid in &dead {
            self.cpu_ms.remove(pid);
        }
        probe.forget(&dead);
        if span_s > 0.0 {
            sample.process_pct = cpu_ms_delta as f64 / 10.0 / span_s;
        }
        let machine = sys::MachineCpu::read();
        if let (Some(before), Some(now)) = (self.machine, machine) {
            sample.system_pct = now.busy_pct_since(&before);
        }
        self.machine = machine;
        sample
    }
}

impl Series {
    fn summarise(&self, wall: Duration, cpu_used: Duration, interval: Duration) -> Measured {
        let wall_s = wall.as_secs_f64().max(1e-9);
        // CPU percentages need a sample long enough to hold a few clock ticks.
        let min_span = interval.as_secs_f64() / 2.0;
        let cpu_samples: Vec<&Sample> = self.samples.iter().filter(|s| s.span_s >= min_span).collect();
        let max = |f: fn(&Sample) -> f64, of: &[&Sample]| of.iter().map(|s| f(s)).fold(0.0, f64::max);
        let weighted = |f: fn(&Sample) -> f64| {
            let span: f64 = self.samples.iter().map(|s| s.span_s).sum();
            if span <= 0.0 {
                return 0.0;
            }
            self.samples.iter().map(|s| f(s) * s.span_s).sum::<f64>() / span
        };
        let all: Vec<&Sample> = self.samples.iter().collect();
        let rss_mean = if all.is_empty() {
            0.0
        } else {
            all.iter().map(|s| s.rss_bytes as f64).sum::<f64>() / all.len() as f64
        };
        let own = self.own_cpu.as_secs_f64();
        Measured {
            cpu: CpuStats {
                process_avg_pct: round2(cpu_used.as_secs_f64() / wall_s * 100.0),
                process_max_pct: round2(max(|s| s.process_pct, &cpu_samples)),
                system_avg_pct: round2(weighted(|s| s.system_pct)),
                system_max_pct: round2(max(|s| s.system_pct, &cpu_samples)),
            },
            memory: MemoryStats {
                rss_peak_mib: round2(max(|s| s.rss_bytes as f64, &all) / MIB),
                rss_avg_mib: round2(rss_mean / MIB),
            },
            threads: ThreadStats {
                peak: all.iter().map(|s| s.threads).max().unwrap_or(0),
            },
            processes: ProcessStats {
                peak: all.iter().map(|s| s.processes).max().unwrap_or(0),
            },
            samples: self.samples.len() as u64,
            cost: SamplerCost {
                interval_ms: interval.as_millis() as u64,
                cpu_s: (own * 1e6).round() / 1e6,
                overhead_pct: round2(own / wall_s * 100.0),
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

    fn sample(span_s: f64, process_pct: f64, rss_mib: u64, threads: u64) -> Sample {
        Sample {
            span_s,
            process_pct,
            system_pct: process_pct / 2.0,
            rss_bytes: rss_mib << 20,
            threads,
            processes: 1,
        }
    }

    #[test]
    fn summary_takes_max_weighted_means_and_exact_avg() {
        let series = Series {
            samples: vec![
                sample(0.05, 100.0, 10, 3),
                sample(0.15, 200.0, 30, 5),
                sample(0.001, 900.0, 20, 4),
            ],
            own_cpu: Duration::from_millis(2),
        };
        let m = series.summarise(
            Duration::from_millis(200),
            Duration::from_millis(300),
            Duration::from_millis(50),
        );
        assert_eq!(m.cpu.process_avg_pct, 150.0, "CPU time over wall time");
        assert_eq!(
            m.cpu.process_max_pct, 200.0,
            "the 1 ms tail sample is too short to count"
        );
        assert_eq!(m.cpu.system_max_pct, 100.0);
        // (50 * 0.05 + 100 * 0.15 + 450 * 0.001) / 0.201
        assert_eq!(m.cpu.system_avg_pct, 89.3);
        assert_eq!(m.memory.rss_peak_mib, 30.0);
        assert_eq!(m.memory.rss_avg_mib, 20.0);
        assert_eq!(m.threads.peak, 5);
        assert_eq!(m.samples, 3);
        assert_eq!(m.cost.overhead_pct, 1.0);
    }

    #[test]
    fn sampler_sees_this_process_and_a_child() {
        let sampler = Sampler::start(Duration::from_millis(10)).unwrap();
        let mut child = std::process::Command::new("sleep").arg("0.3").spawn().unwrap();
        sampler.probe().track_child(child.id());
        let hold: Vec<u8> = vec![1; 32 << 20]; // 32 MiB, touched
        let start = Instant::now();
        let mut x = 0u64;
        while start.elapsed() < Duration::from_millis(200) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7)); // one busy core
        }
        let m = sampler.stop();
        assert!(std::hint::black_box(&hold).iter().all(|&b| b == 1));
        child.wait().unwrap();
        assert!(m.samples >= 5, "{m:?}");
        assert_eq!(m.processes.peak, 2, "this process and the sleep child");
        assert!(m.threads.peak >= 3, "test thread, sampler, child: {m:?}");
        assert!(m.memory.rss_peak_mib >= 32.0, "{m:?}");
        // Other tests share this process, so only lower bounds hold: one core was kept busy.
        assert!(m.cpu.process_avg_pct >= 70.0, "{m:?}");
        assert!(m.cpu.process_max_pct >= 50.0, "{m:?}");
        assert!(m.cpu.system_max_pct >= 25.0, "{m:?}");
    }
}
