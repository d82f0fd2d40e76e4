//! A `threadpool` that reports the OS limit it hit instead of panicking.
//!
//! `threadpool::ThreadPool::new` starts every thread at once and panics when the OS refuses one
//! (near 16,000 threads on a default Linux, where each thread's memory maps count against
//! `vm.max_map_count`). This catches that panic and turns it into an error naming the limits.

use anyhow::bail;
use threadpool::ThreadPool;

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
        "vm.max_map_count = {} (each thread uses about 4 maps), kernel.threads-max = {}, \
         ulimit -u = {nproc}, cgroup pids.max = {}",
        read("/proc/sys/vm/max_map_count"),
        read("/proc/sys/kernel/threads-max"),
        read("/sys/fs/cgroup/pids.max"),
    )
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
