//! The few operating-system figures sysinfo does not give: exact CPU times and thread counts.

use std::time::Duration;

/// CPU time (user + system) of this process, its threads included.
pub fn cpu_time_self() -> Duration {
    rusage(libc::RUSAGE_SELF)
}

/// CPU time (user + system) of the children this process has waited for.
pub fn cpu_time_children() -> Duration {
    rusage(libc::RUSAGE_CHILDREN)
}

#[allow(unsafe_code)]
fn rusage(who: libc::c_int) -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a `rusage` into the pointer we pass; it is valid and zeroed.
    let rc = unsafe { libc::getrusage(who, usage.as_mut_ptr()) };
    if rc != 0 {
        return Duration::ZERO;
    }
    // SAFETY: getrusage succeeded, so the struct is initialised (and was zeroed before anyway).
    let usage = unsafe { usage.assume_init() };
    timeval(usage.ru_utime) + timeval(usage.ru_stime)
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::from_secs(tv.tv_sec as u64) + Duration::from_micros(tv.tv_usec as u64)
}

/// CPU time of the calling thread.
pub fn cpu_time_this_thread() -> Duration {
    cpu_clock(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// CPU time of this process, all its threads, to the nanosecond (not rounded to clock ticks).
pub fn cpu_time_process() -> Duration {
    cpu_clock(libc::CLOCK_PROCESS_CPUTIME_ID)
}

#[allow(unsafe_code)]
fn cpu_clock(clock: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes a timespec into a valid pointer.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The figures the sampler reads from one `/proc/PID/stat` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcStat {
    /// User + system CPU time, in clock ticks ([`ticks_per_second`]).
    pub cpu_ticks: u64,
    /// Threads (field 20).
    pub threads: u64,
    /// Resident pages (field 24), of [`page_size`] bytes.
    pub rss_pages: u64,
}

impl ProcStat {
    /// Parses a `/proc/PID/stat` line.
    pub fn parse(stat: &str) -> Option<Self> {
        // The command name (field 2) may hold spaces; the fields after its closing ')' do not.
        let rest = stat.get(stat.rfind(')')? + 2..)?;
        // Fields 3 to 24, without allocating: the sampler parses this line on every wake-up.
        let mut fields = [0u64; 22];
        let mut seen = 0;
        for (slot, text) in fields.iter_mut().zip(rest.split(' ')) {
            // Field 3 is the state letter; the others used here are numbers.
            *slot = text.trim().parse().unwrap_or(0);
            seen += 1;
        }
        let field = |n: usize| fields[n - 3];
        (seen == fields.len()).then(|| Self {
            cpu_ticks: field(14) + field(15),
            threads: field(20),
            rss_pages: field(24),
        })
    }
}

/// `/proc/PID/stat` of process `pid`, when it is alive.
pub fn proc_stat(pid: u32) -> Option<ProcStat> {
    ProcStat::parse(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// The memory page size, bytes.
#[allow(unsafe_code)]
pub fn page_size() -> u64 {
    static SIZE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    // SAFETY: sysconf reads a system constant; no memory of ours is involved.
    *SIZE.get_or_init(|| u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096))
}

/// Clock ticks per second of `/proc`'s CPU times (100 on Linux).
#[allow(unsafe_code)]
pub fn ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    // SAFETY: sysconf reads a system constant; no memory of ours is involved.
    *TICKS.get_or_init(|| match unsafe { libc::sysconf(libc::_SC_CLK_TCK) } {
        t if t > 0 => t as f64,
        _ => 100.0,
    })
}

/// Resets this process's resident-memory high-water mark (`VmHWM`) to its current resident set,
/// by writing `5` to `/proc/self/clear_refs` (Linux 4.0+); false where the kernel refuses.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// This process's resident-memory high-water mark, bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    status_kib("/proc/self/status", "VmHWM:").map(|kib| kib * 1024)
}

/// Process `pid`'s resident-memory high-water mark, bytes.
pub fn peak_rss_bytes_of(pid: u32) -> Option<u64> {
    status_kib(&format!("/proc/{pid}/status"), "VmHWM:").map(|kib| kib * 1024)
}

/// A `kB` line of a `/proc/.../status` file.
fn status_kib(path: &str, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(path).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Asks for a 1 MiB pipe buffer (Linux; the default is 64 KiB), so a writer feeding a reader
/// switches less. Best effort: where the kernel refuses, the pipe stays as it was.
#[allow(unsafe_code)]
pub fn enlarge_pipe(pipe: &impl std::os::fd::AsRawFd) {
    #[cfg(target_os = "linux")]
    // SAFETY: fcntl on a file descriptor we own (borrowed for the call); F_SETPIPE_SZ takes an int.
    unsafe {
        libc::fcntl(pipe.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20);
    }
}

/// The CPUs online now (`_SC_NPROCESSORS_ONLN`), at least 1.
#[allow(unsafe_code)]
pub fn online_cpus() -> u64 {
    static CPUS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    // SAFETY: sysconf reads a system constant; no memory of ours is involved.
    *CPUS.get_or_init(|| {
        u64::try_from(unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) })
            .unwrap_or(1)
            .max(1)
    })
}

/// The idle time of all CPUs together, s: the second field of `/proc/uptime`, a sixth of the
/// cost of `/proc/stat` to read (the kernel writes every interrupt's count into that one).
pub fn parse_idle_s(uptime: &str) -> Option<f64> {
    uptime.split_whitespace().nth(1)?.parse().ok()
}

/// The machine's cumulative CPU times, from the first line of `/proc/stat` (Linux), in ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MachineCpu {
    busy: u64,
    total: u64,
}

impl MachineCpu {
    /// Reads the current totals; `None` where `/proc/stat` is missing.
    pub fn read() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        Self::parse(stat.lines().next()?)
    }

    /// Parses the first line of `/proc/stat`.
    pub fn parse(line: &str) -> Option<Self> {
        let mut fields = line.split_whitespace();
        if fields.next()? != "cpu" {
            return None;
        }
        // user nice system idle iowait irq softirq steal (guest time is already in user)
        let ticks: Vec<u64> = fields.take(8).map(|f| f.parse().ok()).collect::<Option<_>>()?;
        let total: u64 = ticks.iter().sum();
        let idle = ticks.get(3)? + ticks.get(4).copied().unwrap_or(0);
        Some(Self {
            busy: total - idle,
            total,
        })
    }

    /// Share of all cores busy between `before` and now, in %.
    pub fn busy_pct_since(&self, before: &Self) -> f64 {
        let total = self.total.saturating_sub(before.total);
        if total == 0 {
            return 0.0;
        }
        self.busy.saturating_sub(before.busy) as f64 / total as f64 * 100.0
    }
}

/// This process's resident memory now, MiB (`VmRSS` of `/proc/self/status`).
pub fn rss_mib() -> Option<f64> {
    rss_mib_at("/proc/self/status")
}

/// Sets the accept queue of the listening `listener` to `backlog` (the kernel caps it at
/// `net.core.somaxconn`): `listen` again on a listening socket changes only its backlog (Linux),
/// where std's `bind` asks for 128.
#[allow(unsafe_code)]
pub fn set_backlog(listener: &std::net::TcpListener, backlog: i32) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: listen only reads the descriptor, which `listener` keeps open for the call.
    let rc = unsafe { libc::listen(listener.as_raw_fd(), backlog) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The range local ports of outgoing connections are taken from
/// (`/proc/sys/net/ipv4/ip_local_port_range`), inclusive.
pub fn ephemeral_ports() -> Option<(u32, u32)> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    let mut it = text.split_whitespace().map(|w| w.parse::<u32>().ok());
    Some((it.next()??, it.next()??))
}

/// Process `pid`'s resident memory now, MiB.
pub fn rss_mib_of(pid: u32) -> Option<f64> {
    rss_mib_at(&format!("/proc/{pid}/status"))
}

fn rss_mib_at(path: &str) -> Option<f64> {
    status_kib(path, "VmRSS:").map(|kib| kib as f64 / 1024.0)
}

/// Process `pid`'s proportional set size, MiB (`Pss` of `/proc/PID/smaps_rollup`, Linux 4.14+):
/// its resident memory with every page shared with N processes counted 1/N, so the PSS of a
/// process tree adds up to the memory it really holds.
pub fn pss_mib_of(pid: u32) -> Option<f64> {
    status_kib(&format!("/proc/{pid}/smaps_rollup"), "Pss:").map(|kib| kib as f64 / 1024.0)
}

/// The soft and hard limits on open file descriptors (`RLIMIT_NOFILE`).
#[allow(unsafe_code)]
pub fn fd_limits() -> Option<(u64, u64)> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit struct we own.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    (rc == 0).then_some((lim.rlim_cur, lim.rlim_max))
}

/// Makes at least `needed` file descriptors available, raising the soft limit up to the hard
/// one; an error names both limits when the hard one is too low.
#[allow(unsafe_code)]
pub fn ensure_fds(needed: u64, what: &str) -> anyhow::Result<()> {
    let Some((soft, hard)) = fd_limits() else {
        return Ok(()); // unknown: let the OS answer
    };
    if needed <= soft {
        return Ok(());
    }
    anyhow::ensure!(
        needed <= hard,
        "{what} need about {needed} file descriptors, more than RLIMIT_NOFILE allows (soft {soft}, hard {hard}); raise it with `ulimit -n`"
    );
    let lim = libc::rlimit {
        rlim_cur: needed.max(soft),
        rlim_max: hard,
    };
    // SAFETY: setrlimit reads one rlimit struct we own; raising the soft limit up to the hard
    // one is always allowed.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) };
    anyhow::ensure!(
        rc == 0,
        "{what} need about {needed} file descriptors; raising RLIMIT_NOFILE from {soft} to {needed} failed: {}",
        std::io::Error::last_os_error()
    );
    Ok(())
}

/// Pins the calling thread (and so the threads and processes it starts afterwards) to the
/// first `n` CPUs of those it may use now.
#[allow(unsafe_code)]
pub fn pin_to_first(n: usize) -> anyhow::Result<()> {
    // SAFETY: a zeroed cpu_set_t is an empty set; the calls read and write only the set given,
    // with its own size.
    let mut allowed: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::cpu_set_t>();
    anyhow::ensure!(
        unsafe { libc::sched_getaffinity(0, size, &mut allowed) } == 0,
        "sched_getaffinity: {}",
        std::io::Error::last_os_error()
    );
    let mut pinned: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let mut taken = 0;
    for cpu in 0..libc::CPU_SETSIZE as usize {
        if taken < n && unsafe { libc::CPU_ISSET(cpu, &allowed) } {
            unsafe { libc::CPU_SET(cpu, &mut pinned) };
            taken += 1;
        }
    }
    anyhow::ensure!(taken == n, "pinning to {n} CPUs: only {taken} are usable");
    anyhow::ensure!(
        unsafe { libc::sched_setaffinity(0, size, &pinned) } == 0,
        "sched_setaffinity to {n} CPUs: {}",
        std::io::Error::last_os_error()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_is_at_most_rss_and_fd_limits_are_raised_within_the_hard_one() {
        let me = std::process::id();
        let (pss, rss) = (pss_mib_of(me).unwrap(), rss_mib_of(me).unwrap());
        assert!(pss > 0.0 && pss <= rss + 0.01, "pss {pss}, rss {rss}");
        let (soft, hard) = fd_limits().unwrap();
        ensure_fds(soft.min(64), "a few pipes").unwrap();
        if hard < u64::MAX {
            let err = ensure_fds(hard + 1, "many processes").unwrap_err().to_string();
            assert!(
                err.contains("RLIMIT_NOFILE") && err.contains(&format!("hard {hard}")),
                "{err}"
            );
        } else {
            crate::testing::skip(
                "fd-limit",
                "the hard RLIMIT_NOFILE is unlimited: nothing to exceed",
            );
        }
    }

    #[test]
    fn thread_count_sees_new_threads() {
        let me = std::process::id();
        let thread_count = |pid| proc_stat(pid).map(|s| s.threads);
        // Eight threads held alive: other tests may start or stop threads meanwhile, but these
        // eight and this test's own are there while they wait, so the count is at least nine.
        let gate = std::sync::Arc::new(std::sync::Barrier::new(9));
        let held: Vec<_> = (0..8)
            .map(|_| {
                let gate = gate.clone();
                std::thread::spawn(move || {
                    gate.wait();
                })
            })
            .collect();
        let during = thread_count(me).expect("/proc is readable");
        gate.wait();
        held.into_iter().for_each(|t| t.join().unwrap());
        assert!(during >= 9, "8 held threads and this one, counted {during}");
    }

    #[test]
    fn proc_stat_reads_ticks_threads_and_pages() {
        let line = "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 5 0 100 1000000 250 184467";
        let s = ProcStat::parse(line).unwrap();
        assert_eq!((s.cpu_ticks, s.threads, s.rss_pages), (10, 5, 250));
        let me = proc_stat(std::process::id()).unwrap();
        assert!(me.threads >= 1 && me.rss_pages > 0, "{me:?}");
        assert_eq!(ProcStat::parse("42 (x) S 1"), None);
    }

    #[test]
    fn the_high_water_mark_resets_and_then_rises_with_touched_memory() {
        assert!(reset_peak_rss(), "clear_refs is writable by its own process");
        let before = peak_rss_bytes().unwrap();
        let hold = vec![1u8; 16 << 20];
        let after = peak_rss_bytes().unwrap();
        assert!(std::hint::black_box(&hold).iter().all(|&b| b == 1));
        assert!(after >= before + (15 << 20), "{before} → {after}");
        assert!(page_size() >= 4096 && ticks_per_second() > 0.0);
    }

    #[test]
    fn machine_cpu_parses_proc_stat() {
        let a = MachineCpu::parse("cpu  100 0 50 800 50 0 0 0 0 0").unwrap();
        let b = MachineCpu::parse("cpu  160 0 90 850 50 0 0 0 0 0").unwrap();
        assert_eq!(b.busy_pct_since(&a), 66.66666666666666);
        assert_eq!(MachineCpu::parse("cpu0 1 2 3 4"), None);
        assert!(MachineCpu::read().is_some());
    }

    #[test]
    fn cpu_time_grows_with_work() {
        let t0 = cpu_time_this_thread();
        let p0 = cpu_time_self();
        // A fixed amount of work (tens of milliseconds), not a wall-clock loop.
        let mut x = 0u64;
        for _ in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        assert!(cpu_time_this_thread() > t0);
        assert!(cpu_time_self() > p0);
    }

    #[test]
    fn pinning_to_more_cpus_than_usable_is_an_error_naming_them() {
        let usable = crate::config::cores();
        let err = std::thread::spawn(move || pin_to_first(usable + 1).unwrap_err().to_string())
            .join()
            .unwrap();
        assert!(err.contains(&format!("only {usable} are usable")), "{err}");
        let one = std::thread::spawn(|| {
            pin_to_first(1).unwrap();
            std::thread::available_parallelism().unwrap().get()
        })
        .join()
        .unwrap();
        assert_eq!(one, 1, "a pinned thread sees one CPU");
    }
}
