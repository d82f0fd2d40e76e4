//! Counts per unit of work: what the kernel counts for the process tree over the measured window
//! (context switches, minor page faults, read and write system calls) and what the counting
//! allocator counts (allocations, bytes), which drift in the machine's speed does not move the
//! way it moves wall and CPU time.
//!
//! From `getrusage` (this process, all its threads, and the children it waited for) and
//! `/proc/self/io` (`syscr`, `syscw`: the process's threads, live and ended, and its reaped
//! children). The sampler's own thread is left out: it reads its own `getrusage(RUSAGE_THREAD)`
//! and `/proc/thread-self/io` at both ends of its work, and its share is subtracted.

use serde::{Deserialize, Serialize};

/// The kernel's counters at one moment, or their difference over a span.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Voluntary context switches (the thread waited: a sleep, a lock, a read).
    pub voluntary: u64,
    /// Involuntary context switches (the scheduler took the core away).
    pub involuntary: u64,
    /// Minor page faults (a page mapped without reading from disk).
    pub minor_faults: u64,
    /// Read-class system calls (`read`, `recv`, `pread`, ...).
    pub reads: u64,
    /// Write-class system calls (`write`, `send`, ...).
    pub writes: u64,
    /// Allocations (each reallocation one), from the counting allocator ([`crate::alloc`]).
    pub allocations: u64,
    /// Bytes those allocations asked for.
    pub allocated_bytes: u64,
}

impl Counters {
    /// This process: its threads and the children it waited for.
    pub fn of_process() -> Option<Self> {
        let (me, children) = (rusage(libc::RUSAGE_SELF)?, rusage(libc::RUSAGE_CHILDREN)?);
        let (reads, writes) = io("/proc/self/io")?;
        let (allocations, allocated_bytes) = crate::alloc::totals();
        Some(Self {
            voluntary: me.0 + children.0,
            involuntary: me.1 + children.1,
            minor_faults: me.2 + children.2,
            reads,
            writes,
            allocations,
            allocated_bytes,
        })
    }

    /// The calling thread alone (its allocations are not among them: a thread whose kernel
    /// counts are subtracted is left out of the allocator's, [`crate::alloc::leave_out_this_thread`]).
    pub fn of_this_thread() -> Option<Self> {
        let (voluntary, involuntary, minor_faults) = rusage(libc::RUSAGE_THREAD)?;
        let (reads, writes) = io("/proc/thread-self/io")?;
        Some(Self {
            voluntary,
            involuntary,
            minor_faults,
            reads,
            writes,
            ..Self::default()
        })
    }

    /// What was added since `before` (counters only grow; a smaller value reads 0).
    pub fn since(self, before: Self) -> Self {
        Self {
            voluntary: self.voluntary.saturating_sub(before.voluntary),
            involuntary: self.involuntary.saturating_sub(before.involuntary),
            minor_faults: self.minor_faults.saturating_sub(before.minor_faults),
            reads: self.reads.saturating_sub(before.reads),
            writes: self.writes.saturating_sub(before.writes),
            allocations: self.allocations.saturating_sub(before.allocations),
            allocated_bytes: self.allocated_bytes.saturating_sub(before.allocated_bytes),
        }
    }
}

/// The counts of the measured window, in a report: the tree's totals, and each over the units of
/// work (`work.units`: URLs, requests, echoes or task-cost units).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// Voluntary context switches of the tree over the window, the sampler's excluded.
    pub voluntary_switches: u64,
    /// Involuntary context switches, the sampler's excluded.
    pub involuntary_switches: u64,
    /// Minor page faults, the sampler's excluded.
    pub minor_faults: u64,
    /// Read calls through the file layer (`syscr`: `read`, `readv`, `pread`; a socket's `recv`,
    /// which std's `TcpStream` uses, is not among them), the sampler's and the harness's own
    /// excluded.
    pub read_syscalls: u64,
    /// Write calls through the file layer (`syscw`: `write`, `writev`, `pwrite`; not `send`),
    /// the sampler's excluded.
    pub write_syscalls: u64,
    /// Heap allocations (a reallocation counts as one), the worker processes' included, the
    /// sampler's excluded.
    pub allocations: u64,
    /// Bytes those allocations asked for.
    pub allocated_bytes: u64,
    /// The same, each over `work.units`.
    pub per_unit: PerUnit,
    /// User-space instructions retired by the tree, the sampler's excluded, where the kernel
    /// gives a hardware counter; `null` otherwise, with `instructions_unavailable` saying why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<u64>,
    /// Instructions per unit of work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions_per_unit: Option<f64>,
    /// Why there is no instruction count (e.g. `perf_event_open ... failed: No such file or
    /// directory`, on a VM without hardware counters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions_unavailable: Option<String>,
}

/// [`Counts`] over the units of work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PerUnit {
    /// Voluntary context switches per unit.
    pub voluntary_switches: f64,
    /// Involuntary context switches per unit.
    pub involuntary_switches: f64,
    /// Minor page faults per unit.
    pub minor_faults: f64,
    /// Read-class system calls per unit.
    pub read_syscalls: f64,
    /// Write-class system calls per unit.
    pub write_syscalls: f64,
    /// Allocations per unit.
    pub allocations: f64,
    /// Bytes allocated per unit.
    pub allocated_bytes: f64,
}

impl Counts {
    /// The window's counts `c` and instructions (or why none) over `units` units of work.
    pub fn of(c: Counters, instructions: Result<u64, String>, units: u64) -> Self {
        let per = |n: u64| round4(n as f64 / units.max(1) as f64);
        Self {
            voluntary_switches: c.voluntary,
            involuntary_switches: c.involuntary,
            minor_faults: c.minor_faults,
            read_syscalls: c.reads,
            write_syscalls: c.writes,
            allocations: c.allocations,
            allocated_bytes: c.allocated_bytes,
            per_unit: PerUnit {
                voluntary_switches: per(c.voluntary),
                involuntary_switches: per(c.involuntary),
                minor_faults: per(c.minor_faults),
                read_syscalls: per(c.reads),
                write_syscalls: per(c.writes),
                allocations: per(c.allocations),
                allocated_bytes: per(c.allocated_bytes),
            },
            instructions_per_unit: instructions.as_ref().ok().map(|&n| per(n)),
            instructions: instructions.as_ref().ok().copied(),
            instructions_unavailable: instructions.err(),
        }
    }
}

/// `x` to four significant digits (a CPU run counts millions of URLs: a switch per 10,000
/// of them is 0.0001).
fn round4(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(3 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// A hardware counter of the instructions this process and every thread and child process it
/// starts after opening it retire in user space (`perf_event_open` with `inherit`): opened as the
/// window opens, after the sampler's thread has started, so the sampler's are not among them.
#[derive(Debug)]
pub struct Instructions {
    fd: std::os::fd::OwnedFd,
}

impl Instructions {
    /// Opens the counter; the error says why where the kernel gives none (most VMs: `ENOENT`).
    #[allow(unsafe_code)]
    pub fn open() -> Result<Self, String> {
        use std::os::fd::FromRawFd;
        // struct perf_event_attr, PERF_ATTR_SIZE_VER5 (112 bytes): type, size, config, then the
        // flag bits at byte 40 (inherit 1, exclude_kernel 5, exclude_hv 6).
        let mut attr = [0u8; 112];
        attr[0..4].copy_from_slice(&0u32.to_ne_bytes()); // PERF_TYPE_HARDWARE
        attr[4..8].copy_from_slice(&112u32.to_ne_bytes());
        attr[8..16].copy_from_slice(&1u64.to_ne_bytes()); // PERF_COUNT_HW_INSTRUCTIONS
        let flags: u64 = (1 << 1) | (1 << 5) | (1 << 6);
        attr[40..48].copy_from_slice(&flags.to_ne_bytes());
        // SAFETY: perf_event_open reads `attr.len()` bytes of the attribute struct we own; pid 0
        // (this process), cpu -1 (any), no group, no flags.
        let fd = unsafe { libc::syscall(libc::SYS_perf_event_open, attr.as_ptr(), 0, -1, -1, 0) };
        if fd < 0 {
            let err = std::io::Error::last_os_error();
            return Err(format!("perf_event_open for instructions failed: {err}"));
        }
        let fd = i32::try_from(fd).map_err(|_| "perf_event_open returned no descriptor".to_string())?;
        // SAFETY: the kernel just returned this descriptor to us; nothing else owns it.
        Ok(Self {
            fd: unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) },
        })
    }

    /// The instructions counted so far (children that have ended included).
    pub fn read(&self) -> Option<u64> {
        use std::io::Read;
        let mut buf = [0u8; 8];
        let mut file = std::fs::File::from(self.fd.try_clone().ok()?);
        file.read_exact(&mut buf).ok()?;
        Some(u64::from_ne_bytes(buf))
    }
}

/// Voluntary and involuntary switches and minor faults of `who`.
#[allow(unsafe_code)]
fn rusage(who: libc::c_int) -> Option<(u64, u64, u64)> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a `rusage` into the pointer we pass; it is valid and zeroed.
    let rc = unsafe { libc::getrusage(who, usage.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: getrusage succeeded, so the struct is initialised (and was zeroed before anyway).
    let u = unsafe { usage.assume_init() };
    let n = |v: libc::c_long| u64::try_from(v).unwrap_or(0);
    Some((n(u.ru_nvcsw), n(u.ru_nivcsw), n(u.ru_minflt)))
}

/// `syscr` and `syscw` of an `io` file of `/proc`, read with exactly one read call (the window's
/// arithmetic counts it: [`crate::sampler`]'s `HARNESS_READS`).
fn io(path: &str) -> Option<(u64, u64)> {
    use std::os::unix::fs::FileExt;
    let mut buf = [0u8; 512];
    let n = std::fs::File::open(path).ok()?.read_at(&mut buf, 0).ok()?;
    parse_io(std::str::from_utf8(&buf[..n]).ok()?)
}

fn parse_io(text: &str) -> Option<(u64, u64)> {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().parse().ok())
    };
    Some((field("syscr:")?, field("syscw:")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_gives_the_read_and_write_calls() {
        let text = "rchar: 10\nwchar: 20\nsyscr: 3\nsyscw: 4\nread_bytes: 0\n";
        assert_eq!(parse_io(text), Some((3, 4)));
        assert_eq!(parse_io("rchar: 10\n"), None);
    }

    #[test]
    fn a_thread_that_sleeps_switches_voluntarily_and_a_read_is_counted() {
        let before = Counters::of_this_thread().expect("getrusage and /proc/thread-self/io");
        for _ in 0..5 {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let _ = std::fs::read("/proc/self/stat").unwrap();
        let d = Counters::of_this_thread().unwrap().since(before);
        assert!(d.voluntary >= 5, "{d:?}");
        assert!(d.reads >= 1, "{d:?}");
    }

    #[test]
    fn per_unit_divides_by_the_units() {
        let c = Counters {
            voluntary: 10,
            involuntary: 3,
            minor_faults: 7,
            reads: 1,
            writes: 0,
            allocations: 40,
            allocated_bytes: 4000,
        };
        let counts = Counts::of(c, Ok(1000), 4);
        assert_eq!(counts.per_unit.voluntary_switches, 2.5);
        assert_eq!(counts.per_unit.minor_faults, 1.75);
        assert_eq!(counts.read_syscalls, 1);
        assert_eq!(
            (counts.per_unit.allocations, counts.per_unit.allocated_bytes),
            (10.0, 1000.0)
        );
        assert_eq!(counts.instructions_per_unit, Some(250.0));
        let none = Counts::of(c, Err("no counter".into()), 0);
        assert_eq!(none.per_unit.voluntary_switches, 10.0, "no units: over one");
        assert_eq!(
            (none.instructions, none.instructions_unavailable.as_deref()),
            (None, Some("no counter"))
        );
        let many = Counts::of(c, Err(String::new()), 3_000_000);
        assert_eq!(many.per_unit.voluntary_switches, 3.333e-6, "4 digits");
    }
}
