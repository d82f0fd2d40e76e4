//! The sampler's running aggregates, and what they sum up to over a window.

use std::time::Duration;

use super::{
    CpuStats, MIN_SAMPLES, Measured, MemoryStats, PSS_BUDGET, PSS_FIRST_ESTIMATE, Probe, ProcessStats,
    SYSTEM_AVG_TICKS, SamplerCost, ThreadStats,
};
use crate::sys;

const MIB: f64 = 1024.0 * 1024.0;

/// What the window's two ends give exactly.
pub(super) struct Window {
    pub(super) wall: Duration,
    pub(super) cpu_used: Duration,
    /// Whole-machine CPU over the window, %.
    pub(super) system_avg: f64,
    /// This process's high-water mark over the window, bytes (`None`: not reset).
    pub(super) own_hwm: Option<u64>,
    pub(super) interval: Duration,
}

/// Running maximum, sum and count of a sampled figure.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Agg {
    pub(super) n: u64,
    pub(super) max: f64,
    pub(super) sum: f64,
}

impl Agg {
    pub(super) fn add(&mut self, v: f64) {
        self.max = if self.n == 0 { v } else { self.max.max(v) };
        self.sum += v;
        self.n += 1;
    }

    pub(super) fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }
}

/// The aggregates of a window's samples.
#[derive(Debug, Clone, Default)]
pub(super) struct Tally {
    /// Fast tier: tree threads (the sampler's excluded).
    pub(super) threads: Agg,
    /// Fast tier: tree resident bytes.
    pub(super) rss: Agg,
    /// This process's resident bytes at the first sample (the window's start).
    pub(super) rss_first: Option<f64>,
    /// Slow tier (spans of half an interval or more): tree CPU %, sampler excluded.
    pub(super) process_pct: Agg,
    /// Slow tier: machine CPU %.
    pub(super) system_pct: Agg,
    /// Slow tier: processes of the tree.
    pub(super) processes: Agg,
    /// The children's own high-water marks, bytes, as last read.
    pub(super) children_hwm: Vec<(u32, u64)>,
    /// The largest PSS of the tree the slow tier read (within [`PSS_BUDGET`]), MiB.
    pub(super) pss_max: Option<f64>,
    /// Whether a slow-tier PSS read included a child (a tree whose children no read saw has no
    /// sampled PSS).
    pub(super) pss_saw_children: bool,
    /// The tree's PSS as its work ended, MiB ([`Tally::end_pss`]).
    pub(super) pss_end: Option<f64>,
    /// The thread CPU time the slow tier's PSS reads took.
    pub(super) pss_cost: Duration,
    /// What the last PSS read cost per process.
    pub(super) pss_per_process: Option<Duration>,
    /// This process's PSS when the first worker's end reading came, MiB.
    pub(super) parent_pss: Option<f64>,
    /// The children's own PSS reads as they ended (their cost counts as the sampler's).
    pub(super) end_cost: Duration,
    pub(super) own_cpu: Duration,
    /// The sampler thread's own kernel counts over its work.
    pub(super) own_counts: Option<crate::counts::Counters>,
}

impl Tally {
    /// Whether a PSS read of `processes` processes, `elapsed` into the window, keeps the reads
    /// within [`PSS_BUDGET`] of a core.
    pub(super) fn pss_due(&self, processes: u64, elapsed: Duration) -> bool {
        let each = self.pss_per_process.unwrap_or(PSS_FIRST_ESTIMATE);
        let next = each * u32::try_from(processes).unwrap_or(u32::MAX);
        (self.pss_cost + next).as_secs_f64() <= PSS_BUDGET * elapsed.as_secs_f64()
    }

    /// Reads the tree's PSS (this process and its live children, each page shared with N of
    /// them counted 1/N), keeps the largest, and times the read.
    pub(super) fn tree_pss(&mut self, probe: &Probe) {
        let began = sys::cpu_time_this_thread();
        let pids = probe.pids();
        let read = sys::pss_mib_of(std::process::id()).map(|own| {
            let children: Vec<f64> = pids.iter().copied().filter_map(sys::pss_mib_of).collect();
            (own, children)
        });
        let cost = sys::cpu_time_this_thread().saturating_sub(began);
        self.pss_cost += cost;
        self.pss_per_process = Some(cost / u32::try_from(1 + pids.len()).unwrap_or(u32::MAX));
        let Some((own, children)) = read else { return };
        self.pss_saw_children |= !children.is_empty();
        let pss = own + children.iter().sum::<f64>();
        self.pss_max = Some(self.pss_max.map_or(pss, |m| m.max(pss)));
    }

    /// The end reading of a tree: this process's PSS as the first worker ended (or now, the
    /// larger), each ended child's own reading just before it exited, and any child still alive
    /// read now. The readings are moments apart, so a page the processes shared counts at
    /// most once per process, never less than once: the tree's PSS as its work ended, where
    /// summed RSS would count every shared page once per process.
    pub(super) fn end_pss(&mut self, probe: &Probe) {
        let ends = probe.ends.lock().expect("probe lock").clone();
        let Some(now) = sys::pss_mib_of(std::process::id()) else {
            return;
        };
        let own = self.parent_pss.map_or(now, |p| p.max(now));
        let live: Vec<f64> = probe
            .pids()
            .into_iter()
            .filter(|pid| !ends.iter().any(|e| e.pid == *pid))
            .filter_map(sys::pss_mib_of)
            .collect();
        if ends.is_empty() && live.is_empty() {
            return;
        }
        self.end_cost = ends.iter().map(|e| e.cost).sum();
        self.pss_end = Some(own + ends.iter().map(|e| e.pss_mib).sum::<f64>() + live.iter().sum::<f64>());
    }

    /// Raises child `pid`'s high-water mark to `hwm` bytes (read by the slow tier, or said by the
    /// child as it ended).
    pub(super) fn child_hwm(&mut self, pid: u32, hwm: u64) {
        match self.children_hwm.iter_mut().find(|(p, _)| *p == pid) {
            Some(entry) => entry.1 = entry.1.max(hwm),
            None => self.children_hwm.push((pid, hwm)),
        }
    }

    pub(super) fn summarise(&self, w: &Window) -> Measured {
        let wall_s = w.wall.as_secs_f64().max(1e-9);
        let own = (self.own_cpu + self.end_cost).as_secs_f64();
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
                pss_end_mib: self.pss_end.map(round2),
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
            counts: None,
            instructions: Err(String::new()),
        }
    }
}

pub(super) fn round2(x: f64) -> f64 {
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
            ..Tally::default()
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

    #[test]
    fn the_tree_pss_reads_keep_within_their_budget_of_a_core() {
        let s = Duration::from_secs;
        let mut tally = Tally::default();
        assert!(
            !tally.pss_due(51, Duration::from_millis(200)),
            "51 × 100 µs > 0.2 ms"
        );
        assert!(tally.pss_due(51, s(6)), "5.1 ms ≤ 6 ms");
        tally.pss_cost = Duration::from_millis(5);
        tally.pss_per_process = Some(Duration::from_micros(100));
        assert!(!tally.pss_due(51, s(6)), "5 + 5.1 ms > 6 ms");
        assert!(tally.pss_due(51, s(11)), "10.1 ms ≤ 11 ms");
    }
}
