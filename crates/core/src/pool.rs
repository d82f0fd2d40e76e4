//! Threads in numbers: a `threadpool` that reports the OS limit it hit instead of panicking, and
//! checks that many threads can start.
//!
//! `threadpool::ThreadPool::new` starts every thread at once and panics when the OS refuses one
//! (near 16,000 threads on a default Linux, where each thread's memory maps count against
//! `vm.max_map_count`). At that limit even the panic may fail to unwind (the process aborts with
//! "failed to initiate panic"), so [`probe`] finds out first, outside the measured window, with
//! threads whose start can fail without a panic; [`start`] still turns a panic into an error.

use anyhow::bail;
use threadpool::ThreadPool;

/// Checks that `threads` threads can start, before the measured window: an error naming the limit
/// instead of a crash.
///
/// A thread needs a few memory maps (its stack, guard pages, the signal stack), and when
/// `vm.max_map_count` runs out a new thread aborts the process while setting itself up. So this
/// starts a first batch of idle threads, measures the maps each one adds, refuses a count that
/// would not fit, and otherwise starts the rest (where `clone` failing, e.g. at
/// `kernel.threads-max`, is an ordinary error). Then all of them stop.
pub fn probe(threads: usize) -> anyhow::Result<()> {
    let gate = std::sync::Arc::new(Gate::default());
    let waiting = gate.clone();
    let opener = gate.clone();
    let handles = spawn_checked(threads, move |_| waiting.arrive_and_wait(), move || opener.open())?;
    gate.open(); // every idle thread ends
    for handle in handles {
        let _ = handle.join();
    }
    Ok(())
}

/// Spawns `n` threads running `body(i)`, checking the memory-map budget after the first batch as
/// [`probe`] does. On a refusal it calls `release` (so that threads already waiting can end),
/// joins them and returns the error; otherwise the handles, in order.
pub fn spawn_checked<T: Send + 'static>(
    n: usize,
    body: impl Fn(usize) -> T + Send + Sync + Clone + 'static,
    release: impl FnOnce(),
) -> anyhow::Result<Vec<std::thread::JoinHandle<T>>> {
    const FIRST: usize = 64;
    let before = map_count();
    let mut handles = Vec::with_capacity(n);
    let mut refused = None;
    for i in 0..n {
        if i == FIRST.min(n) {
            if let Err(err) = fits(n, i, before) {
                refused = Some(err);
                break;
            }
        }
        let body = body.clone();
        match std::thread::Builder::new().spawn(move || body(i)) {
            Ok(handle) => handles.push(handle),
            Err(err) => {
                refused = Some(anyhow::anyhow!(
                    "the OS refused thread {} of the {n} asked for: {err}; the OS limits in force: {}",
                    i + 1,
                    limits()
                ));
                break;
            }
        }
    }
    match refused {
        None => Ok(handles),
        Some(err) => {
            release();
            for handle in handles {
                let _ = handle.join();
            }
            Err(err)
        }
    }
}

/// Whether `threads` threads fit under `vm.max_map_count`, from the maps the first `started` added.
fn fits(threads: usize, started: usize, before: Option<usize>) -> anyhow::Result<()> {
    match (before, map_count(), max_map_count()) {
        (Some(before), Some(now), Some(max)) => check_maps(threads, started, before, now, max),
        _ => Ok(()), // not Linux, or /proc unreadable: let the OS decide
    }
}

/// [`fits`] on given counts: `before` and `now` maps around starting `started` threads.
fn check_maps(threads: usize, started: usize, before: usize, now: usize, max: usize) -> anyhow::Result<()> {
    let per_thread = (now.saturating_sub(before) as f64 / started.max(1) as f64).max(1.0);
    let needed = now + (per_thread * (threads - started) as f64).ceil() as usize;
    let margin = 512 + max / 50;
    if needed + margin <= max {
        return Ok(());
    }
    let room = (max.saturating_sub(before + margin) as f64 / per_thread) as usize;
    bail!(
        "{threads} threads would need about {needed} memory maps ({per_thread:.1} per thread), more than \
         vm.max_map_count = {max} allows: this machine runs about {room} threads at most (raise \
         vm.max_map_count as root to go further); the OS limits in force: {}",
        limits()
    )
}

fn map_count() -> Option<usize> {
    std::fs::read_to_string("/proc/self/maps")
        .ok()
        .map(|maps| maps.lines().count())
}

fn max_map_count() -> Option<usize> {
    std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// A pool of `threads` threads, or an error naming the OS error and the limits that apply.
pub fn start(threads: usize) -> anyhow::Result<ThreadPool> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {})); // the panic becomes the error below, not a stderr dump
    let started = std::panic::catch_unwind(|| ThreadPool::new(threads));
    std::panic::set_hook(previous);
    match started {
        Ok(pool) => Ok(pool),
        Err(payload) => {
            let cause = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("unknown cause");
            bail!(
                "could not start a pool of {threads} threads: {cause}; the OS limits in force: {}",
                limits()
            )
        }
    }
}

/// The limits on threads, as `name = value` pairs.
pub fn limits() -> String {
    let read = |path: &str| {
        std::fs::read_to_string(path)
            .map(|s| s.trim().to_string())
            .unwrap_or("?".into())
    };
    let nproc = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("Max processes"))?;
            line.split_whitespace().nth(2).map(str::to_string)
        })
        .unwrap_or("?".into());
    format!(
        "vm.max_map_count = {}, kernel.threads-max = {}, \
         ulimit -u = {nproc}, cgroup pids.max = {}",
        read("/proc/sys/vm/max_map_count"),
        read("/proc/sys/kernel/threads-max"),
        read("/sys/fs/cgroup/pids.max"),
    )
}

/// Where idle-scale's thread and process units wait: each arrives, then blocks until the run
/// opens the gate.
#[derive(Debug, Default)]
pub struct Gate {
    open: std::sync::Mutex<bool>,
    opened: std::sync::Condvar,
    arrived: std::sync::atomic::AtomicUsize,
}

impl Gate {
    /// Counts this unit as arrived and blocks until the gate opens.
    pub fn arrive_and_wait(&self) {
        self.arrived.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        while !*open {
            open = self.opened.wait(open).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Lets every waiting unit go.
    pub fn open(&self) {
        *self.open.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.opened.notify_all();
    }

    /// The counter units bump as they arrive (async units bump it themselves).
    pub fn arrived(&self) -> &std::sync::atomic::AtomicUsize {
        &self.arrived
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn limits_name_every_knob() {
        let text = super::limits();
        for knob in ["vm.max_map_count", "kernel.threads-max", "ulimit -u", "pids.max"] {
            assert!(text.contains(knob), "{text}");
        }
    }

    #[test]
    fn map_budget_refuses_what_does_not_fit_and_names_the_room() {
        // 64 threads added 256 maps: 4 per thread; 1,000 maps already in use; the margin is
        // 512 + 2 % of the maximum: (65,530 - 1,000 - 512 - 1,310) / 4 = 15,677.
        assert!(super::check_maps(10_000, 64, 1_000, 1_256, 65_530).is_ok());
        let err = super::check_maps(20_000, 64, 1_000, 1_256, 65_530)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("4.0 per thread") && err.contains("vm.max_map_count = 65530"),
            "{err}"
        );
        assert!(err.contains("about 15677 threads at most"), "{err}");
    }

    #[test]
    fn threads_start_in_order_and_more_than_the_maps_allow_are_refused() {
        super::probe(50).unwrap();
        let handles = super::spawn_checked(50, |i| i * 2, || {}).unwrap();
        let got: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(got, (0..50).map(|i| i * 2).collect::<Vec<_>>());
        // One thread more than there are maps: refused after the first batch, whatever the
        // machine's setting.
        let max = super::max_map_count().expect("/proc/sys/vm/max_map_count");
        let err = super::probe(max + 1).unwrap_err().to_string();
        assert!(err.contains("vm.max_map_count"), "{err}");
    }

    #[test]
    fn a_small_pool_starts_and_runs() {
        let pool = super::start(3).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        for i in 0..10 {
            let tx = tx.clone();
            pool.execute(move || tx.send(i).unwrap());
        }
        drop(tx);
        assert_eq!(rx.iter().sum::<i32>(), 45);
    }
}
