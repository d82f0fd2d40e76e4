//! The metrics the runner summarises: each knows, once, its key (in summaries, CSV and file
//! names), its title, its unit, which direction is better, its family and how to read it from a
//! report. Everything else names a metric by its variant, never by its key.

use std::fmt;

use concbench_core::report::{Family, IoStats, OpenLoop, Report};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Which way a metric improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Smaller is better (times, CPU, memory).
    LowerIsBetter,
    /// Larger is better (throughput).
    HigherIsBetter,
}

/// Where a metric is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// A table and a plot of its own in the report.
    Table,
    /// One column of the report's failures table (and in summary.json and summary.csv).
    Failures,
    /// One column of the report's open-loop table (and in summary.json and summary.csv).
    OpenLoop,
    /// Only in summary.json and summary.csv, as a column of its group's table of medians where
    /// one is named for it, and as the input of a finding: e.g. a per-run figure that holds a
    /// fixed cost (the whole rise above the start over the budget), whose slope over a sweep
    /// the report gives instead.
    Input,
}

/// Everything a metric knows about itself.
#[derive(Debug)]
pub struct Spec {
    /// The metric defined.
    pub metric: Metric,
    /// Key in summaries and file names, e.g. `wall_s`.
    pub key: &'static str,
    /// Title in tables and plots.
    pub title: &'static str,
    /// Unit shown after values (empty for a count).
    pub unit: &'static str,
    /// Which way is better.
    pub direction: Direction,
    /// Only for this family (`None`: both).
    pub family: Option<Family>,
    /// Where the report shows it.
    pub view: View,
    /// Reads the value from a report (`None`: the report does not have it, or could not
    /// resolve it).
    pub read: fn(&Report) -> Option<f64>,
}

/// `count(io)` as a share of the requests sent, %.
fn share(r: &Report, count: impl Fn(&IoStats) -> u64) -> Option<f64> {
    let io = r.io.as_ref()?;
    (r.work.units > 0).then(|| count(io) as f64 * 100.0 / r.work.units as f64)
}

/// The requests that failed with the error `kind` (a key of the report's `io.errors`).
fn error(io: &IoStats, kind: &str) -> u64 {
    io.errors.get(kind).copied().unwrap_or(0)
}

/// The peak RSS above the window's start, KiB, per one of `n` units held (requests in flight,
/// connections); nothing for `n` = 0.
fn rss_added_kib_per(r: &Report, n: u64) -> Option<f64> {
    let added = r.memory.rss_peak_mib - r.memory.rss_start_mib?;
    (n > 0).then(|| added * 1024.0 / n as f64)
}

/// The open-loop block of an IO report, if the run was open loop.
fn open(r: &Report) -> Option<&OpenLoop> {
    r.io.as_ref()?.open_loop.as_ref()
}

/// Declares every metric once: the enum variant with its doc, and its [`Spec`] (key, title,
/// unit, direction, family, view and reader), from which [`Metric::ALL`] and the definitions
/// table follow in the written order.
macro_rules! metrics {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident {
            key: $key:literal, title: $title:expr, unit: $unit:literal,
            direction: $direction:ident, family: $family:expr, view: $view:ident,
            read: $read:expr $(,)?
        }
    )*) => {
        /// A metric read from every report.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Metric {
            $($(#[doc = $doc])* $name,)*
        }

        impl Metric {
            /// Every metric, in table order.
            pub const ALL: [Metric; [$(stringify!($name)),*].len()] = [$(Metric::$name),*];
        }

        /// The definitions, in the order of [`Metric::ALL`].
        static SPECS: [Spec; Metric::ALL.len()] = [$(
            Spec {
                metric: Metric::$name,
                key: $key,
                title: $title,
                unit: $unit,
                direction: Direction::$direction,
                family: $family,
                view: View::$view,
                read: $read,
            },
        )*];
    };
}

metrics! {
    /// Wall time of the measured window.
    Wall {
        key: "wall_s", title: "Wall time", unit: "s",
        direction: LowerIsBetter, family: None, view: Table,
        read: |r| Some(r.wall_s),
    }
    /// Process CPU, average, % of one core.
    ProcessCpu {
        key: "process_cpu_pct", title: "Process CPU (avg, % of one core)", unit: "%",
        direction: LowerIsBetter, family: None, view: Table,
        read: |r| Some(r.cpu.process_avg_pct),
    }
    /// Process CPU, highest slow-tier sample, % of one core.
    ProcessCpuMax {
        key: "process_cpu_max_pct", title: "Process CPU (max, % of one core)", unit: "%",
        direction: LowerIsBetter, family: None, view: Table,
        read: |r| r.cpu.process_max_pct,
    }
    /// System CPU, average, % of all cores.
    SystemCpu {
        key: "system_cpu_pct", title: "System CPU (avg, % of all cores)", unit: "%",
        direction: LowerIsBetter, family: None, view: Table,
        read: |r| r.cpu.system_avg_pct,
    }
    /// System CPU, highest slow-tier sample, % of all cores.
    SystemCpuMax {
        key: "system_cpu_max_pct", title: "System CPU (max, % of all cores)", unit: "%",
        direction: LowerIsBetter, family: None, view: Table,
        read: |r| r.cpu.system_max_pct,
    }
    /// Peak resident memory.
    RssPeak {
        key: "rss_peak_mib", title: "Peak memory (RSS)", unit: "MiB",
        direction: LowerIsBetter, family: None, view: Table,
        read: |r| Some(r.memory.rss_peak_mib),
    }
    /// Peak thread count.
    ThreadsPeak {
        key: "threads_peak", title: "Peak threads", unit: "",
        direction: LowerIsBetter, family: None, view: Table,
        read: |r| r.threads.peak.map(|p| p as f64),
    }
    /// Responses per second (IO).
    ReqPerS {
        key: "req_per_s", title: "Requests per second", unit: "req/s",
        direction: HigherIsBetter, family: Some(Family::Io), view: Table,
        read: |r| r.io.as_ref().map(|io| io.req_per_s),
    }
    /// Body bytes per second (IO).
    BytesPerS {
        key: "bytes_per_s", title: "Body bytes per second", unit: "B/s",
        direction: HigherIsBetter, family: Some(Family::Io), view: Table,
        read: |r| r.io.as_ref().map(|io| io.bytes_per_s),
    }
    /// Share of the requests answered 2xx (IO).
    OkPct {
        key: "ok_pct", title: "Requests answered 2xx", unit: "%",
        direction: HigherIsBetter, family: Some(Family::Io), view: Table,
        read: |r| share(r, |io| io.ok),
    }
    /// Share of the requests that failed: a non-2xx status or an error (IO). A request dropped
    /// unsent (open loop, overdue) is not a failure of the model's client: it is its own kind,
    /// [`Metric::DroppedPct`]. Counted from the statuses and errors, so reports written when
    /// `io.failed` still held the dropped read the same.
    ErrorPct {
        key: "error_pct", title: "Requests failed (non-2xx or error)", unit: "%",
        direction: LowerIsBetter, family: Some(Family::Io), view: Table,
        read: |r| share(r, |io| {
            let errors: u64 = io.errors.iter().filter(|(k, _)| *k != "dropped").map(|(_, n)| n).sum();
            io.responses - io.ok + errors
        }),
    }
    /// Share of the requests answered with a non-2xx status (IO).
    Non2xxPct {
        key: "non_2xx_pct", title: "Non-2xx status", unit: "%",
        direction: LowerIsBetter, family: Some(Family::Io), view: Failures,
        read: |r| share(r, |io| io.responses - io.ok),
    }
    /// Share of the requests that failed to connect (IO).
    ConnectErrorPct {
        key: "connect_error_pct", title: "Connect errors", unit: "%",
        direction: LowerIsBetter, family: Some(Family::Io), view: Failures,
        read: |r| share(r, |io| error(io, "connect")),
    }
    /// Share of the requests that timed out (IO).
    TimeoutErrorPct {
        key: "timeout_error_pct", title: "Timeouts", unit: "%",
        direction: LowerIsBetter, family: Some(Family::Io), view: Failures,
        read: |r| share(r, |io| error(io, "timeout")),
    }
    /// Share of the requests whose connection was reset (IO).
    ResetErrorPct {
        key: "reset_error_pct", title: "Resets", unit: "%",
        direction: LowerIsBetter, family: Some(Family::Io), view: Failures,
        read: |r| share(r, |io| error(io, "reset")),
    }
    /// Share of the requests that failed otherwise (IO).
    OtherErrorPct {
        key: "other_error_pct", title: "Other errors", unit: "%",
        direction: LowerIsBetter, family: Some(Family::Io), view: Failures,
        read: |r| share(r, |io| error(io, "other")),
    }
    /// Share of the requests never sent, overdue by more than the timeout (IO, open loop).
    DroppedPct {
        key: "dropped_pct", title: "Dropped (overdue, never sent)", unit: "%",
        direction: LowerIsBetter, family: Some(Family::Io), view: Failures,
        read: |r| {
            open(r)?;
            share(r, |io| error(io, "dropped"))
        },
    }
    /// Median latency (IO).
    LatencyP50 {
        key: "latency_p50_ms", title: "Latency p50", unit: "ms",
        direction: LowerIsBetter, family: Some(Family::Io), view: Table,
        read: |r| r.io.as_ref().map(|io| io.latency_ms.p50),
    }
    /// 99th-percentile latency (IO).
    LatencyP99 {
        key: "latency_p99_ms", title: "Latency p99", unit: "ms",
        direction: LowerIsBetter, family: Some(Family::Io), view: Table,
        read: |r| r.io.as_ref().map(|io| io.latency_ms.p99),
    }
    /// The offered rate, `io.rate` (IO, open loop).
    OfferedPerS {
        key: "offered_per_s", title: "Offered rate (io.rate)", unit: "req/s",
        direction: HigherIsBetter, family: Some(Family::Io), view: OpenLoop,
        read: |r| open(r).map(|o| o.offered_per_s),
    }
    /// Share of the requests sent more than `OpenLoop::LATE_MS` after they were due (IO, open loop).
    LatePct {
        key: "late_pct", title: "Sent late (more than 10 ms after due)", unit: "%",
        direction: LowerIsBetter, family: Some(Family::Io), view: OpenLoop,
        read: |r| {
            let late = open(r)?.late;
            share(r, |_| late)
        },
    }
    /// Responses per second from the schedule's start to the last response (IO, open loop).
    AchievedPerS {
        key: "achieved_per_s", title: "Achieved rate (open loop)", unit: "req/s",
        direction: HigherIsBetter, family: Some(Family::Io), view: Table,
        read: |r| open(r).map(|o| o.achieved_per_s),
    }
    /// Median latency from the scheduled send (IO, open loop).
    CorrectedP50 {
        key: "corrected_p50_ms", title: "Corrected latency p50 (from the scheduled send)", unit: "ms",
        direction: LowerIsBetter, family: Some(Family::Io), view: Table,
        read: |r| open(r).map(|o| o.corrected_ms.p50),
    }
    /// 99th-percentile latency from the scheduled send (IO, open loop).
    CorrectedP99 {
        key: "corrected_p99_ms", title: "Corrected latency p99 (from the scheduled send)", unit: "ms",
        direction: LowerIsBetter, family: Some(Family::Io), view: Table,
        read: |r| open(r).map(|o| o.corrected_ms.p99),
    }
    /// 99.9th-percentile latency from the scheduled send (IO, open loop).
    CorrectedP999 {
        key: "corrected_p999_ms", title: "Corrected latency p99.9 (from the scheduled send)", unit: "ms",
        direction: LowerIsBetter, family: Some(Family::Io), view: Table,
        read: |r| open(r).map(|o| o.corrected_ms.p999),
    }
    /// 99th-percentile send delay: actual less scheduled send (IO, open loop).
    SendDelayP99 {
        key: "send_delay_p99_ms", title: "Send delay p99 (actual less scheduled send)", unit: "ms",
        direction: LowerIsBetter, family: Some(Family::Io), view: Table,
        read: |r| open(r).map(|o| o.send_delay_ms.p99),
    }
    /// Resident memory per request in flight, above the window's start (IO).
    RssPerInFlight {
        key: "rss_per_in_flight_kib",
        title: "Memory per request in flight (peak RSS above the start)",
        unit: "KiB",
        direction: LowerIsBetter, family: Some(Family::Io), view: Input,
        read: |r| rss_added_kib_per(r, r.io.as_ref()?.in_flight_max),
    }
    /// Wall time per unit (task-cost scenarios).
    PerUnit {
        key: "per_unit_us", title: "Wall time per unit", unit: "µs",
        direction: LowerIsBetter, family: Some(Family::Cpu), view: Table,
        read: |r| r.units.as_ref().map(|u| u.per_unit_us),
    }
    /// Resident memory per waiting unit (idle-scale).
    RssPerUnit {
        key: "rss_per_unit_kib", title: "Memory per waiting unit (RSS above the start)", unit: "KiB",
        direction: LowerIsBetter, family: Some(Family::Cpu), view: Table,
        read: |r| r.units.as_ref().and_then(|u| u.rss_per_unit_kib),
    }
    /// Wall time per hand-off of the token (the switch scenario).
    SwitchNs {
        key: "switch_ns", title: "Time per switch", unit: "ns",
        direction: LowerIsBetter, family: Some(Family::Cpu), view: Table,
        read: |r| r.units.as_ref().and_then(|u| u.switch_ns),
    }
    /// SQLite busy retries over a run's units (the sqlite scenarios).
    BusyRetries {
        key: "busy_retries", title: "SQLite busy retries (the write lock was taken)", unit: "",
        direction: LowerIsBetter, family: Some(Family::Cpu), view: Table,
        read: |r| r.units.as_ref().and_then(|u| u.busy_retries).map(|n| n as f64),
    }
    /// Proportional memory per waiting unit (idle-scale with processes).
    PssPerUnit {
        key: "pss_per_unit_kib",
        title: "Memory per waiting unit (PSS above the start: shared pages split)",
        unit: "KiB",
        direction: LowerIsBetter, family: Some(Family::Cpu), view: Table,
        read: |r| r.units.as_ref().and_then(|u| u.pss_per_unit_kib),
    }
    /// Round trips echoed per second (serving).
    RoundTripsPerS {
        key: "round_trips_per_s", title: "Round trips per second (first message to last echo)", unit: "rt/s",
        direction: HigherIsBetter, family: Some(Family::Serve), view: Table,
        read: |r| r.serve.as_ref().map(|s| s.round_trips_per_s),
    }
    /// Median round-trip latency (serving).
    RoundTripP50 {
        key: "round_trip_p50_ms", title: "Round-trip latency p50", unit: "ms",
        direction: LowerIsBetter, family: Some(Family::Serve), view: Table,
        read: |r| r.serve.as_ref().map(|s| s.latency_ms.p50),
    }
    /// 99th-percentile round-trip latency (serving).
    RoundTripP99 {
        key: "round_trip_p99_ms", title: "Round-trip latency p99", unit: "ms",
        direction: LowerIsBetter, family: Some(Family::Serve), view: Table,
        read: |r| r.serve.as_ref().map(|s| s.latency_ms.p99),
    }
    /// The server's CPU time per round trip (serving).
    ServerCpuPerRoundTrip {
        key: "server_cpu_us_per_round_trip", title: "Server CPU per round trip", unit: "µs",
        direction: LowerIsBetter, family: Some(Family::Serve), view: Table,
        read: |r| {
            let s = r.serve.as_ref().filter(|s| s.round_trips > 0)?;
            Some(Metric::CpuSeconds.read(r)? * 1e6 / s.round_trips as f64)
        },
    }
    /// The load generator's CPU time per round trip (serving).
    LoadgenCpuPerRoundTrip {
        key: "loadgen_cpu_us_per_round_trip", title: "Load generator CPU per round trip", unit: "µs",
        direction: LowerIsBetter, family: Some(Family::Serve), view: Table,
        read: |r| r.serve.as_ref().map(|s| s.loadgen_cpu_us_per_round_trip),
    }
    /// The server's resident memory per connection, above its start (serving).
    RssPerConnection {
        key: "rss_per_connection_kib",
        title: "Server memory per connection (peak RSS above the start)",
        unit: "KiB",
        direction: LowerIsBetter, family: Some(Family::Serve), view: Input,
        read: |r| rss_added_kib_per(r, r.serve.as_ref()?.connected),
    }
    /// Share of the round trips that failed (serving).
    RoundTripFailedPct {
        key: "round_trip_failed_pct", title: "Round trips failed", unit: "%",
        direction: LowerIsBetter, family: Some(Family::Serve), view: Table,
        read: |r| {
            let s = r.serve.as_ref()?;
            let all = s.round_trips + s.failed;
            (all > 0).then(|| s.failed as f64 * 100.0 / all as f64)
        },
    }
    /// The server's PSS, summed over its processes, with every connection open (serving, held
    /// runs).
    HeldPss {
        key: "held_pss_mib", title: "Server PSS with every connection open", unit: "MiB",
        direction: LowerIsBetter, family: Some(Family::Serve), view: Table,
        read: |r| r.serve.as_ref()?.held.as_ref().map(|h| h.pss_mib),
    }
    /// The busiest event loop's or worker's share of the connections (serving, several loops).
    BusiestLoopPct {
        key: "busiest_loop_pct",
        title: "Busiest loop's share of the connections (even: 100 % ÷ loops)",
        unit: "%",
        direction: LowerIsBetter, family: Some(Family::Serve), view: Table,
        read: |r| {
            let by = &r.serve.as_ref()?.accepted_by;
            let all: u64 = by.iter().sum();
            (by.len() > 1 && all > 0).then(|| *by.iter().max().unwrap_or(&0) as f64 * 100.0 / all as f64)
        },
    }
    /// CPU time the run used, seconds: process CPU × wall time (the tree's, from getrusage).
    CpuSeconds {
        key: "cpu_s", title: "CPU time", unit: "s",
        direction: LowerIsBetter, family: None, view: Table,
        read: |r| Some(r.cpu.process_avg_pct / 100.0 * r.wall_s),
    }
    /// CPU time per request at a fixed offered rate (IO, open loop; the schedule sets the wall).
    CpuPerRequest {
        key: "cpu_us_per_request", title: "CPU time per request", unit: "µs",
        direction: LowerIsBetter, family: Some(Family::Io), view: Table,
        read: |r| {
            open(r)?;
            let io = r.io.as_ref()?;
            let requests = io.ok + io.failed;
            Some(Metric::CpuSeconds.read(r)? * 1e6 / requests as f64).filter(|_| requests > 0)
        },
    }
    /// What a process model sent its workers over pipes, each item once (cpu-procs), MiB: the
    /// cost of moving the data, beside its time in each run's report.
    MovedMib {
        key: "moved_mib", title: "Sent to the worker processes", unit: "MiB",
        direction: LowerIsBetter, family: Some(Family::Cpu), view: Input,
        read: |r| r.moved.map(|m| m.bytes as f64 / 1_048_576.0),
    }
    /// The load generators' CPU time over their threads' time in the run, % (serving): near 100,
    /// the load generator, not the server, bounds the round trips.
    LoadgenBusyPct {
        key: "loadgen_busy_pct", title: "Load generator busy (% of its threads' time)", unit: "%",
        direction: LowerIsBetter, family: Some(Family::Serve), view: Table,
        read: |r| {
            let s = r.serve.as_ref()?;
            (r.wall_s > 0.0 && s.loadgens > 0)
                .then(|| (s.loadgen_cpu_s / (s.loadgens as f64 * r.wall_s) * 100.0).min(100.0))
        },
    }
    /// The largest sampled proportional set size of the process tree (shared pages split among
    /// the processes that share them, so a tree of processes is not counted once per process).
    PssPeak {
        key: "pss_peak_mib", title: "Peak memory (PSS, sampled, over the process tree)", unit: "MiB",
        direction: LowerIsBetter, family: None, view: Table,
        read: |r| r.memory.pss_peak_mib,
    }
    /// Voluntary context switches of the tree per unit of work (the kernel's count: drift in
    /// the machine's speed does not move it).
    VoluntaryPerUnit {
        key: "voluntary_switches_per_unit", title: "Voluntary context switches per unit", unit: "",
        direction: LowerIsBetter, family: None, view: Input,
        read: |r| Some(r.counts.as_ref()?.per_unit.voluntary_switches),
    }
    /// Involuntary context switches of the tree per unit of work.
    InvoluntaryPerUnit {
        key: "involuntary_switches_per_unit", title: "Involuntary context switches per unit", unit: "",
        direction: LowerIsBetter, family: None, view: Input,
        read: |r| Some(r.counts.as_ref()?.per_unit.involuntary_switches),
    }
    /// Minor page faults of the tree per unit of work.
    FaultsPerUnit {
        key: "minor_faults_per_unit", title: "Minor page faults per unit", unit: "",
        direction: LowerIsBetter, family: None, view: Input,
        read: |r| Some(r.counts.as_ref()?.per_unit.minor_faults),
    }
    /// Read-class system calls of the tree per unit of work.
    ReadsPerUnit {
        key: "read_syscalls_per_unit", title: "Read system calls per unit", unit: "",
        direction: LowerIsBetter, family: None, view: Input,
        read: |r| Some(r.counts.as_ref()?.per_unit.read_syscalls),
    }
    /// Write-class system calls of the tree per unit of work.
    WritesPerUnit {
        key: "write_syscalls_per_unit", title: "Write system calls per unit", unit: "",
        direction: LowerIsBetter, family: None, view: Input,
        read: |r| Some(r.counts.as_ref()?.per_unit.write_syscalls),
    }
    /// Heap allocations of the tree per unit of work (the counting allocator's).
    AllocationsPerUnit {
        key: "allocations_per_unit", title: "Allocations per unit", unit: "",
        direction: LowerIsBetter, family: None, view: Input,
        read: |r| Some(r.counts.as_ref()?.per_unit.allocations),
    }
    /// Bytes allocated by the tree per unit of work.
    AllocatedBytesPerUnit {
        key: "allocated_bytes_per_unit", title: "Bytes allocated per unit", unit: "B",
        direction: LowerIsBetter, family: None, view: Input,
        read: |r| Some(r.counts.as_ref()?.per_unit.allocated_bytes),
    }
    /// User-space instructions of the tree per unit of work, where the kernel counts them.
    InstructionsPerUnit {
        key: "instructions_per_unit", title: "Instructions per unit", unit: "",
        direction: LowerIsBetter, family: None, view: Input,
        read: |r| r.counts.as_ref()?.instructions_per_unit,
    }
    /// The process tree's PSS as its work ended (each worker's own reading as it exited): what
    /// a tree too short for a sampled read is compared by; not a peak.
    PssEnd {
        key: "pss_end_mib", title: "Memory as the work ended (PSS over the process tree)", unit: "MiB",
        direction: LowerIsBetter, family: None, view: Input,
        read: |r| r.memory.pss_end_mib,
    }
}

impl Metric {
    /// The metric's definition.
    pub fn spec(self) -> &'static Spec {
        &SPECS[self as usize]
    }

    /// Key in summaries, CSV and file names, e.g. `wall_s`.
    pub fn key(self) -> &'static str {
        self.spec().key
    }

    /// Title in tables and plots.
    pub fn title(self) -> &'static str {
        self.spec().title
    }

    /// The unit (empty for a count).
    pub fn unit(self) -> &'static str {
        self.spec().unit
    }

    /// Which way is better.
    pub fn direction(self) -> Direction {
        self.spec().direction
    }

    /// Where the report shows it.
    pub fn view(self) -> View {
        self.spec().view
    }

    /// The value in `report`, when the report has it.
    pub fn read(self, report: &Report) -> Option<f64> {
        (self.spec().read)(report)
    }

    /// Whether the metric applies to `family`.
    pub fn applies_to(self, family: Family) -> bool {
        self.spec().family.is_none_or(|f| f == family)
    }

    /// The unit as a suffix for titles, ` (MiB)`, or nothing for a count.
    pub fn unit_suffix(self) -> String {
        match self.unit() {
            "" => String::new(),
            unit => format!(" ({unit})"),
        }
    }

    /// The values the metric can take: a share of at most 100 % (of all cores, of the requests),
    /// or any value from 0; a confidence interval never reaches past them.
    pub fn bounds(self) -> [f64; 2] {
        match self {
            Metric::ProcessCpu | Metric::ProcessCpuMax => [0.0, f64::INFINITY],
            m if m.unit() == "%" => [0.0, 100.0],
            _ => [0.0, f64::INFINITY],
        }
    }

    /// The metric whose key is `key`.
    pub fn from_key(key: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.key() == key)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Metrics sort by key, so a map of them serialises in the key order it always had.
impl Ord for Metric {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(other.key())
    }
}

impl PartialOrd for Metric {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for Metric {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        Metric::from_key(&key).ok_or_else(|| {
            let keys: Vec<&str> = Metric::ALL.iter().map(|m| m.key()).collect();
            serde::de::Error::custom(format!(
                "unknown metric `{key}`, expected one of {}",
                keys.join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_round_trip() {
        for m in Metric::ALL {
            assert_eq!(m.spec().metric, m, "SPECS follows Metric::ALL");
            assert_eq!(Metric::from_key(m.key()), Some(m));
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<Metric>(&json).unwrap(), m);
        }
        assert!(serde_json::from_str::<Metric>("\"speed\"").is_err());
    }

    #[test]
    fn maps_of_metrics_keep_the_alphabetical_key_order() {
        let map: std::collections::BTreeMap<Metric, u8> = Metric::ALL.into_iter().map(|m| (m, 0)).collect();
        let keys: Vec<&str> = map.keys().map(|m| m.key()).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
        assert_eq!(Metric::ReqPerS.unit_suffix(), " (req/s)");
        assert_eq!(Metric::ThreadsPeak.unit_suffix(), "");
        assert!(Metric::ReqPerS.applies_to(Family::Io) && !Metric::ReqPerS.applies_to(Family::Cpu));
    }

    #[test]
    fn the_late_title_names_the_reports_threshold() {
        let ms = format!("{} ms", OpenLoop::LATE_MS);
        assert!(
            Metric::LatePct.title().contains(&ms),
            "{}",
            Metric::LatePct.title()
        );
    }
}
