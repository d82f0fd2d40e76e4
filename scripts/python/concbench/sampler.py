"""The sampler of `concbench_core::sampler`, by the same rules, for the Python entries.

Exact beats sampled: process CPU from `getrusage` (this process and its waited-for children),
the machine's CPU from `/proc/stat` at the window's ends, the peak resident memory from the
kernel's high-water mark (`VmHWM`, reset by writing 5 to `/proc/self/clear_refs`; each child's
own mark added). One thread samples on two tiers: the fast tier reads `/proc/self/stat` (threads,
resident memory) 1 ms into the window, then every quarter of the time elapsed, at most every
`interval_ms`; the slow tier, every `interval_ms`, reads the children, the machine and the tree's
CPU % over spans of ten clock ticks per process. A figure with fewer than 10 samples is null and
`sampler.unresolved` says why. The sampler thread's own CPU time (`time.thread_time`) is taken
off every process CPU figure and the thread is left out of the thread count.
"""

import os
import resource
import threading
import time

MIB = 1024.0 * 1024.0
MIN_SAMPLES = 10
SYSTEM_AVG_TICKS = 20.0
FAST_FIRST = 0.001
TICK = 1.0 / os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def proc_stat(pid="self"):
    """(threads, rss_pages, cpu_ticks) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            text = f.read().decode()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    # fields[0] is field 3 (state): utime 14, stime 15, num_threads 20, rss 24.
    return int(fields[17]), int(fields[21]), int(fields[11]) + int(fields[12])


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def pss_mib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def machine_cpu():
    """(busy, total) jiffies of the whole machine."""
    try:
        with open("/proc/stat") as f:
            parts = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    total = sum(parts[:8])
    return total - idle, total


def busy_pct(before, now):
    if before is None or now is None or now[1] <= before[1]:
        return 0.0
    return (now[0] - before[0]) / (now[1] - before[1]) * 100.0


def tree_cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def process_cpu():
    s = resource.getrusage(resource.RUSAGE_SELF)
    return s.ru_utime + s.ru_stime


def reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_bytes(pid="self"):
    kib = status_kib(pid, "VmHWM")
    return None if kib is None else kib * 1024


class Agg:
    __slots__ = ("n", "max", "sum")

    def __init__(self):
        self.n, self.max, self.sum = 0, 0.0, 0.0

    def add(self, v):
        self.max = v if self.n == 0 else max(self.max, v)
        self.sum += v
        self.n += 1

    def mean(self):
        return self.sum / self.n if self.n else 0.0


class Sampler:
    """Opens the window on `start()`; `stop()` closes it and returns the report's blocks."""

    def __init__(self, interval_ms: int):
        self.interval = interval_ms / 1000.0
        self.children: dict[int, None] = {}
        self.peaks: dict[int, int] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads, self.rss, self.process_pct = Agg(), Agg(), Agg()
        self.system_pct, self.processes = Agg(), Agg()
        self.rss_first = None
        self.child_view = (0, 0, 0)  # count, threads, rss bytes
        self.last_cpu = None
        self.last_machine = None
        self.slow_reads = 0
        self.pss_max, self.pss_saw_children = None, False
        self.own_cpu = 0.0

    def track_child(self, pid: int):
        with self.lock:
            self.children[pid] = None

    def note_peak(self, pid: int, hwm_bytes: int):
        with self.lock:
            self.peaks[pid] = max(self.peaks.get(pid, 0), hwm_bytes)

    def start(self):
        ready = threading.Event()
        self.thread = threading.Thread(target=self.loop, args=(ready,), name="concbench-sampler", daemon=True)
        self.thread.start()
        ready.wait(5)
        self.hwm_reset = reset_peak_rss()
        self.started = time.perf_counter()
        self.cpu_start = tree_cpu()
        self.machine_start = machine_cpu()
        return self

    def loop(self, ready):
        start = time.perf_counter()
        own_start = time.thread_time()
        self.fast()
        self.slow(own_start)
        ready.set()
        next_fast, next_slow = start + FAST_FIRST, start + self.interval
        while True:
            self.stopping.wait(max(0.0, min(next_fast, next_slow) - time.perf_counter()))
            stopping = self.stopping.is_set()
            now = time.perf_counter()
            if stopping or now >= next_slow:
                self.slow(time.thread_time())
                next_slow = max(next_slow + self.interval, now + self.interval / 2)
            self.fast()
            if stopping:
                break
            step = min(max((now - start) / 4, FAST_FIRST), max(self.interval, FAST_FIRST))
            next_fast = now + step
            if next_fast + step >= next_slow:
                next_fast = next_slow
        self.own_cpu = time.thread_time() - own_start

    def fast(self):
        me = proc_stat()
        if me is None:
            return
        count, threads, rss = self.child_view
        self.threads.add(float(me[0] - 1 + threads))
        own = float(me[1] * PAGE)
        if self.rss_first is None:
            self.rss_first = own
        self.rss.add(own + rss)

    def slow(self, own):
        view, ticks = self.read_children()
        self.child_view = view
        at, own_process = time.perf_counter(), process_cpu()
        machine = machine_cpu()
        if self.last_machine is not None:
            then, before = self.last_machine
            if at - then < self.interval / 2:
                return
            self.system_pct.add(busy_pct(before, machine))
            self.processes.add(float(1 + view[0]))
        self.last_machine = (at, machine)
        mark = (at, own_process, ticks, own)
        min_span = max(self.interval / 2, TICK * 10 * (1 + view[0]))
        if self.last_cpu is None:
            self.last_cpu = mark
        elif at - self.last_cpu[0] >= min_span:
            last = self.last_cpu
            cpu_s = max(0.0, own_process - last[1]) + max(0, ticks - last[2]) * TICK
            own_s = max(0.0, own - last[3])
            self.process_pct.add(max(0.0, (cpu_s - own_s) / (at - last[0]) * 100.0))
            self.last_cpu = mark

    def read_children(self):
        self.slow_reads += 1
        read_peaks = self.slow_reads % 4 == 1
        count = threads = rss = ticks = 0
        with self.lock:
            pids = list(self.children)
        for pid in pids:
            stat = proc_stat(pid)
            if stat is None:
                with self.lock:
                    self.children.pop(pid, None)
                continue
            count, threads, rss, ticks = count + 1, threads + stat[0], rss + stat[1] * PAGE, ticks + stat[2]
            if read_peaks and (hwm := peak_rss_bytes(pid)) is not None:
                self.note_peak(pid, hwm)
        if read_peaks or count:
            own = pss_mib(os.getpid())
            if own is not None:
                with self.lock:
                    kids = [p for p in (pss_mib(pid) for pid in self.children) if p is not None]
                self.pss_saw_children |= bool(kids)
                total = own + sum(kids)
                self.pss_max = total if self.pss_max is None else max(self.pss_max, total)
        return (count, threads, rss), ticks

    def stop(self) -> dict:
        self.stopping.set()
        self.thread.join(30)
        wall = max(time.perf_counter() - self.started, 1e-9)
        cpu_used = tree_cpu() - self.cpu_start
        system_avg = busy_pct(self.machine_start, machine_cpu())
        own_hwm = peak_rss_bytes() if self.hwm_reset else None
        own = self.own_cpu
        unresolved = []

        def resolved(agg, name, tier):
            if agg.n >= MIN_SAMPLES:
                return True
            unresolved.append(f"{name}: {agg.n} {tier} samples, fewer than {MIN_SAMPLES}")
            return False

        fast_ok = resolved(self.threads, "threads.peak, memory.rss_avg_mib", "fast-tier")
        cpu_ok = resolved(self.process_pct, "cpu.process_max_pct", "slow-tier")
        slow_ok = resolved(self.system_pct, "cpu.system_max_pct, processes.peak", "slow-tier")
        pss_ok = not self.peaks or self.pss_saw_children
        if not pss_ok:
            unresolved.append("memory.pss_peak_mib: no slow-tier read saw the children alive")
        if own_hwm is not None:
            peak, source = max(float(own_hwm + sum(self.peaks.values())), self.rss.max), "high-water mark"
        else:
            peak, source = self.rss.max, "sampled"
        system_ok = wall / TICK >= SYSTEM_AVG_TICKS
        if not system_ok:
            unresolved.append(
                f"cpu.system_avg_pct: a window shorter than {SYSTEM_AVG_TICKS:.0f} clock ticks of /proc/stat ({SYSTEM_AVG_TICKS * TICK * 1000:.0f} ms)"
            )
        r2 = lambda x: round(x, 2)  # noqa: E731
        return {
            "wall_s": wall,
            "cpu": {
                "process_avg_pct": r2(max(0.0, (cpu_used - own) / wall * 100.0)),
                "process_max_pct": r2(self.process_pct.max) if cpu_ok else None,
                "system_avg_pct": r2(system_avg) if system_ok else None,
                "system_max_pct": r2(self.system_pct.max) if slow_ok else None,
            },
            "memory": {
                "rss_peak_mib": r2(peak / MIB),
                "rss_avg_mib": r2(self.rss.mean() / MIB) if fast_ok else None,
                "rss_start_mib": r2(self.rss_first / MIB) if self.rss_first is not None else None,
                "rss_peak_source": source,
                "pss_peak_mib": r2(self.pss_max) if (self.pss_max is not None and pss_ok) else None,
            },
            "threads": {"peak": int(self.threads.max) if fast_ok else None},
            "processes": {"peak": int(self.processes.max) if slow_ok else None},
            "samples": self.threads.n,
            "sampler": {
                "interval_ms": int(round(self.interval * 1000)),
                "cpu_s": round(own, 6),
                "overhead_pct": r2(own / wall * 100.0),
                "fast_samples": self.threads.n,
                "slow_samples": self.system_pct.n,
                "min_samples": MIN_SAMPLES,
                "unresolved": unresolved,
            },
        }
