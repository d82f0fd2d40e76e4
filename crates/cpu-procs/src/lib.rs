//! cpu-procs: `cpu.workers` child processes. The binary runs itself in a hidden worker mode; the
//! parent streams each worker its contiguous shard of the distinct items over a pipe, once (a
//! header line naming the kernel, the range and the passes, then the data: char-encoding's URL
//! lengths as little-endian u32 and their text back to back; filter-aggregate's records, 16 bytes
//! each; nothing for sqrt-sum, which needs only its range). The worker counts its shard
//! `cpu.passes` times, as every other model counts its items, and answers its tally as JSON.
//! Moving the data between processes is part of the measured cost, as pickling is in Python's
//! multiprocessing, but once per item, whatever the passes (the passes only make a run long
//! enough to measure); the report's `moved` block gives the bytes and the time of it. Starting
//! the processes is in the window too. The children's CPU time, memory and threads count in the
//! report.
//!
//! In the task-cost scenarios each unit is a process of its own: this binary re-run, given its
//! unit and the config on stdin, answering its value on stdout.
//!
//! Run it: `cargo run --release --bin cpu-procs -- --set cpu.workers=2`.

use std::io::{BufRead, BufWriter, Read, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use concbench_core::config::CpuKernel;
use concbench_core::config::ScenarioName;
use concbench_core::report::Moved;
use concbench_core::sys;
use concbench_core::worker::Worker;
use concbench_core::{Config, Hooks, Probe};
use concbench_cpu::kernel::{self, Aggregate, Input, RECORD_BYTES, Record, Tally};
use concbench_cpu::model::CpuModel;
use concbench_cpu::model::UnitRun;
use concbench_cpu::sqlite;
use concbench_cpu::switch;
use concbench_cpu::units::{self, UnitTally};
use concbench_cpu::urls::UrlSet;

/// Child processes fed over pipes.
pub struct CpuProcs;

const HEADER: &str = "concbench-shard-v2";
/// A unit job: `concbench-unit-v1 INDEX`, then the config as one JSON line.
const UNIT_HEADER: &str = "concbench-unit-v1";

impl CpuModel for CpuProcs {
    const NAME: &'static str = "cpu-procs";

    fn count(cfg: &Config, input: &Arc<Input>, probe: &Probe) -> anyhow::Result<Tally> {
        let (distinct, _) = input.distinct_and_passes();
        let shards = concbench_core::seq::split(distinct, cfg.cpu.workers);
        let exe = std::env::current_exe().context("finding this executable to start workers")?;
        let fed = std::thread::scope(|s| {
            let feeders: Vec<_> = shards
                .into_iter()
                .enumerate()
                .map(|(n, range)| {
                    let exe = &exe;
                    s.spawn(move || run_worker(exe, input, n, range, probe))
                })
                .collect();
            feeders
                .into_iter()
                .map(|f| f.join().unwrap_or_else(|_| bail!("a feeder thread panicked")))
                .collect::<anyhow::Result<Vec<Fed>>>()
        })?;
        let first = fed.iter().map(|f| f.sent.start).min();
        let last = fed.iter().map(|f| f.sent.end).max();
        concbench_cpu::model::note_moved(Moved {
            bytes: fed.iter().map(|f| f.bytes).sum(),
            seconds: first
                .zip(last)
                .map_or(0.0, |(first, last)| last.duration_since(first).as_secs_f64()),
        });
        Ok(fed
            .into_iter()
            .map(|f| f.tally)
            .fold(Tally::default(), Tally::merge))
    }

    fn run_units(cfg: &Config, probe: &Probe) -> anyhow::Result<UnitRun> {
        match cfg.scenario.name {
            ScenarioName::Switch => switch_processes(cfg, probe),
            _ => run_unit_processes(cfg, probe),
        }
    }
}

/// A task-cost unit in a worker process: for idle-scale it says `ready` and waits for its stdin
/// to close; then it sleeps where the scenario sleeps, works, and prints its value.
fn unit_worker(header: &str, mut input: impl BufRead) -> anyhow::Result<()> {
    let i: usize = header
        .trim_end()
        .strip_prefix(UNIT_HEADER)
        .and_then(|rest| rest.trim().parse().ok())
        .with_context(|| format!("bad unit header {header:?}"))?;
    let mut line = String::new();
    input.read_line(&mut line).context("reading the unit's config")?;
    let cfg: Config = serde_json::from_str(&line).context("parsing the unit's config")?;
    if cfg.scenario.name == ScenarioName::IdleScale {
        let mut out = std::io::stdout().lock();
        writeln!(out, "ready")
            .and_then(|()| out.flush())
            .context("saying ready")?;
        drop(out);
        std::io::copy(&mut input, &mut std::io::sink()).context("waiting for the release")?;
    }
    if cfg.scenario.name == ScenarioName::Switch {
        // The token as 8 bytes each way: from the parent on stdin, back on stdout, then the
        // answer line.
        let mut out = std::io::stdout().lock();
        let value = switch::relay(
            1,
            cfg.scenario.switches,
            |t| out.write_all(&t.to_le_bytes()).and_then(|()| out.flush()).is_ok(),
            || {
                let mut token = [0u8; 8];
                input
                    .read_exact(&mut token)
                    .ok()
                    .map(|()| u64::from_le_bytes(token))
            },
        );
        writeln!(out, "{value} 0").context("answering")?;
        return Ok(());
    }
    if units::sleeps(&cfg) {
        std::thread::sleep(units::sleep_of(&cfg, i));
    }
    let value = units::work(&cfg, i);
    if let Some(failure) = concbench_cpu::failure() {
        bail!("unit {i}: {failure}");
    }
    // The value, then the SQLite busy retries of this unit's process.
    println!("{value} {}", sqlite::busy_retries());
    Ok(())
}

/// switch: this process is unit 0, a worker process unit 1, the token passed through its
/// stdin and stdout pipes.
fn switch_processes(cfg: &Config, probe: &Probe) -> anyhow::Result<UnitRun> {
    let job = serde_json::to_string(cfg).context("serialising the config")?;
    let (mut worker, mut stdin) = Worker::start(1, probe)?;
    writeln!(stdin, "{UNIT_HEADER} 1\n{job}").context("sending unit 1 its job")?;
    let mine = switch::relay(
        0,
        cfg.scenario.switches,
        |t| stdin.write_all(&t.to_le_bytes()).is_ok(),
        || {
            let mut token = [0u8; 8];
            worker.read_exact(&mut token).then(|| u64::from_le_bytes(token))
        },
    );
    drop(stdin);
    let answer = worker.finish()?;
    let (theirs, _) = parse_unit_answer(&answer).with_context(|| format!("unit 1 answered {answer:?}"))?;
    Ok(UnitRun::of_values("process", [mine, theirs]))
}

/// One process per unit, all started before any is waited for.
fn run_unit_processes(cfg: &Config, probe: &Probe) -> anyhow::Result<UnitRun> {
    let idle = cfg.scenario.name == ScenarioName::IdleScale;
    let job = serde_json::to_string(cfg).context("serialising the config")?;
    // Two pipes a process stay open until it answers.
    let fds = 2 * cfg.scenario.units as u64 + 64;
    sys::ensure_fds(fds, &format!("{} unit processes", cfg.scenario.units))?;
    let me = std::process::id();
    let rss_before_mib = if idle { sys::rss_mib() } else { None };
    let pss_before_mib = if idle { sys::pss_mib_of(me) } else { None };
    let mut started = Vec::with_capacity(cfg.scenario.units);
    for i in 0..cfg.scenario.units {
        let (worker, mut stdin) = Worker::start(i, probe)?;
        writeln!(stdin, "{UNIT_HEADER} {i}\n{job}").with_context(|| format!("sending unit {i} its job"))?;
        // Non-idle units may start at once; idle ones wait for their stdin to close.
        started.push((worker, idle.then_some(stdin)));
    }
    let mut rss_all_started_mib = None;
    let mut pss_all_started_mib = None;
    if idle {
        for (worker, _) in &mut started {
            let ready = worker.read_line()?;
            anyhow::ensure!(ready.trim() == "ready", "unit {} said {ready:?}", worker.n());
        }
        // Every unit is waiting: the tree's memory, RSS and PSS, read in one pass.
        let mut rss = sys::rss_mib().unwrap_or(0.0);
        let mut pss = sys::pss_mib_of(me).unwrap_or(0.0);
        for (worker, _) in &started {
            rss += sys::rss_mib_of(worker.pid()).unwrap_or(0.0);
            pss += sys::pss_mib_of(worker.pid()).unwrap_or(0.0);
        }
        rss_all_started_mib = Some(rss);
        pss_all_started_mib = Some(pss);
        std::thread::sleep(units::hold(cfg));
    }
    let mut tally = UnitTally::default();
    for (i, (worker, stdin)) in started.into_iter().enumerate() {
        drop(stdin); // the release
        let answer = worker.finish()?;
        let (value, busy) =
            parse_unit_answer(&answer).with_context(|| format!("unit {i} answered {answer:?}"))?;
        sqlite::add_busy_retries(busy);
        tally.add(i, value);
    }
    Ok(UnitRun {
        tally,
        unit: "process",
        rss_before_mib,
        rss_all_started_mib,
        future_bytes: None,
        pss_mib: pss_before_mib.zip(pss_all_started_mib),
    })
}

/// A unit process's answer: `VALUE BUSY_RETRIES`.
fn parse_unit_answer(answer: &str) -> Option<(u64, u64)> {
    let mut parts = answer.split_whitespace();
    let value = parts.next()?.parse().ok()?;
    let busy = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((value, busy))
}

impl Hooks for CpuProcs {
    fn worker() -> anyhow::Result<()> {
        let mut stdin = std::io::BufReader::with_capacity(1 << 20, std::io::stdin().lock());
        let mut header = String::new();
        stdin.read_line(&mut header).context("reading the job header")?;
        if header.starts_with(UNIT_HEADER) {
            return unit_worker(&header, stdin);
        }
        let tally = count_after_header(&header, stdin)?;
        println!("{}", serde_json::to_string(&tally)?);
        Ok(())
    }
}

/// What one worker was fed and answered.
#[derive(Debug)]
struct Fed {
    /// Its tally.
    tally: Tally,
    /// Bytes written to its pipe.
    bytes: u64,
    /// When the feeding began and ended.
    sent: Range<Instant>,
}

/// Starts worker `n`, streams it the distinct items of `range` once, and returns its tally of
/// them over every pass.
fn run_worker(
    exe: &Path,
    input: &Input,
    n: usize,
    range: Range<usize>,
    probe: &Probe,
) -> anyhow::Result<Fed> {
    let (worker, mut stdin) = Worker::start_exe(exe, n, probe)?;
    concbench_core::sys::enlarge_pipe(&stdin);
    let begun = Instant::now();
    let sent = send_shard(&mut stdin, input, range.clone());
    let ended = Instant::now();
    drop(stdin); // end of input
    let answer = worker.finish()?;
    let bytes = sent.with_context(|| format!("sending worker {n} its shard"))?;
    let tally: Tally =
        serde_json::from_str(answer.trim()).with_context(|| format!("worker {n} answered {answer:?}"))?;
    let (_, passes) = input.distinct_and_passes();
    let expected = (range.len() * passes) as u64;
    if tally.units != expected {
        bail!(
            "worker {n} tallied {} items of the {expected} it was sent ({} items × {passes} passes)",
            tally.units,
            range.len()
        );
    }
    Ok(Fed {
        tally,
        bytes,
        sent: begun..ended,
    })
}

/// A writer that counts what passes through it.
struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The wire format: a header line `concbench-shard-v2 KERNEL START COUNT DISTINCT PASSES`, then
/// the data of the COUNT distinct items from START (see the module's doc), written once from the
/// generator's own buffers; the bytes written.
fn send_shard(pipe: impl Write, input: &Input, range: Range<usize>) -> std::io::Result<u64> {
    let mut counted = Counted {
        inner: pipe,
        bytes: 0,
    };
    write_shard(&mut counted, input, range)?;
    Ok(counted.bytes)
}

fn write_shard(pipe: impl Write, input: &Input, range: Range<usize>) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, pipe);
    let kernel = input.kernel().name();
    let (distinct, passes) = input.distinct_and_passes();
    writeln!(
        out,
        "{HEADER} {kernel} {} {} {distinct} {passes}",
        range.start,
        range.len()
    )?;
    match input {
        Input::Urls(urls) => send_urls(out, urls, range),
        Input::Numbers(_) => out.flush(),
        Input::Records(records) => {
            for slice in records.slices(range) {
                for record in slice {
                    out.write_all(&record.to_bytes())?;
                }
            }
            out.flush()
        }
    }
}

/// char-encoding's data: the lengths, then the text.
fn send_urls<W: Write>(mut out: BufWriter<W>, urls: &UrlSet, range: Range<usize>) -> std::io::Result<()> {
    for url in urls.urls(range.clone()) {
        out.write_all(&(url.len() as u32).to_le_bytes())?;
    }
    let mut out = out.into_inner().map_err(std::io::IntoInnerError::into_error)?;
    for text in urls.text_of(range) {
        out.write_all(text.as_bytes())?;
    }
    out.flush()
}

/// The worker's side: reads the header and the shard's data, then tallies it every pass.
pub fn count_shard(input: impl Read) -> anyhow::Result<Tally> {
    let mut input = std::io::BufReader::with_capacity(1 << 20, input);
    let mut line = String::new();
    input.read_line(&mut line).context("reading the shard header")?;
    count_after_header(&line, input)
}

/// [`count_shard`] once its header line is read.
fn count_after_header(line: &str, input: impl BufRead) -> anyhow::Result<Tally> {
    let shard = Shard::parse(line.trim_end()).with_context(|| format!("bad shard header {line:?}"))?;
    match shard.kernel {
        CpuKernel::CharEncoding => count_urls(&shard, input),
        CpuKernel::SqrtSum => Ok(kernel::sqrt_sum(shard.start..shard.start + shard.len)),
        CpuKernel::FilterAggregate => aggregate_records(&shard, input),
    }
}

/// A shard's header: `len` distinct items from `start`, of `distinct`, each counted `passes`
/// times (item `start + k` of pass `p` has the index `p × distinct + start + k`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shard {
    kernel: CpuKernel,
    start: usize,
    len: usize,
    distinct: usize,
    passes: usize,
}

impl Shard {
    fn parse(line: &str) -> Option<Shard> {
        let mut parts = line.split(' ');
        if parts.next()? != HEADER {
            return None;
        }
        let kernel = match parts.next()? {
            "char-encoding" => CpuKernel::CharEncoding,
            "sqrt-sum" => CpuKernel::SqrtSum,
            "filter-aggregate" => CpuKernel::FilterAggregate,
            _ => return None,
        };
        let mut number = || parts.next()?.parse::<usize>().ok();
        let (start, len, distinct, passes) = (number()?, number()?, number()?, number()?);
        let fits = start.checked_add(len).is_some_and(|end| end <= distinct) && passes >= 1;
        (fits && parts.next().is_none()).then_some(Shard {
            kernel,
            start,
            len,
            distinct,
            passes,
        })
    }
}

/// Reads the shard's URLs once, then counts them every pass, each with its own index.
fn count_urls(shard: &Shard, mut input: impl BufRead) -> anyhow::Result<Tally> {
    let len = shard.len;
    let mut lengths = vec![0u8; len * 4];
    input
        .read_exact(&mut lengths)
        .context("reading the URL lengths")?;
    let mut text = Vec::new();
    let mut ends = Vec::with_capacity(len);
    for (k, raw) in lengths.chunks_exact(4).enumerate() {
        let at = text.len();
        text.resize(
            at + u32::from_le_bytes(raw.try_into().expect("4 bytes")) as usize,
            0,
        );
        if input.read_exact(&mut text[at..]).is_err() {
            bail!("the shard ended after {k} of {len} URLs");
        }
        ends.push(text.len());
    }
    let text = String::from_utf8(text).context("the shard's URLs are not UTF-8")?;
    let mut tally = Tally::default();
    for pass in 0..shard.passes {
        let first = pass * shard.distinct + shard.start;
        let mut at = 0;
        for (k, &end) in ends.iter().enumerate() {
            let url = text
                .get(at..end)
                .with_context(|| format!("URL {} splits a character", shard.start + k))?;
            tally.add(first + k, url);
            at = end;
        }
    }
    Ok(tally)
}

/// Reads the shard's records once, then aggregates them every pass.
fn aggregate_records(shard: &Shard, mut input: impl BufRead) -> anyhow::Result<Tally> {
    const BLOCK: usize = 4096;
    let len = shard.len;
    let mut raw = vec![0u8; BLOCK * RECORD_BYTES as usize];
    let mut records = Vec::with_capacity(len);
    while records.len() < len {
        let n = BLOCK.min(len - records.len());
        let bytes = &mut raw[..n * RECORD_BYTES as usize];
        if input.read_exact(bytes).is_err() {
            bail!("the shard ended after {} of {len} records", records.len());
        }
        records.extend(
            bytes
                .chunks_exact(RECORD_BYTES as usize)
                .map(|b| Record::from_bytes(b.try_into().expect("16 bytes"))),
        );
    }
    let mut agg = Aggregate::default();
    for _ in 0..shard.passes {
        agg.add(&records);
    }
    Ok(agg.tally((len * shard.passes) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use concbench_core::config::CpuConfig;

    fn input(kernel: CpuKernel, urls: usize) -> Input {
        Input::generate(&CpuConfig {
            kernel,
            urls,
            numbers: 10_000,
            records: 700,
            passes: 2,
            ..CpuConfig::default()
        })
    }

    #[test]
    fn a_shard_of_every_kernel_round_trips_through_the_wire_format() {
        for kernel in [
            CpuKernel::CharEncoding,
            CpuKernel::SqrtSum,
            CpuKernel::FilterAggregate,
        ] {
            let input = input(kernel, 500);
            let (distinct, passes) = input.distinct_and_passes();
            let mut wire = Vec::new();
            // Distinct items 120..470, sent once, counted in every pass with their own indices.
            let bytes = send_shard(&mut wire, &input, 120..470).unwrap();
            assert_eq!(bytes, wire.len() as u64);
            let tally = count_shard(wire.as_slice()).unwrap();
            let every_pass = (0..passes)
                .map(|p| input.tally(p * distinct + 120..p * distinct + 470))
                .fold(Tally::default(), Tally::merge);
            assert_eq!(tally, every_pass, "{kernel:?}");
            assert_eq!(tally.units, (350 * passes) as u64, "{kernel:?}");
        }
    }

    #[test]
    fn a_crashed_or_babbling_worker_is_reported_not_trusted() {
        let urls = input(CpuKernel::CharEncoding, 10);
        let probe = Probe::default();
        let err = run_worker(std::path::Path::new("false"), &urls, 0, 0..10, &probe).unwrap_err();
        assert!(
            format!("{err:#}").contains("worker 0") && format!("{err:#}").contains("exit status: 1"),
            "{err:#}"
        );
        // `echo --worker` exits 0 having answered "--worker": not a tally (or the pipe broke first).
        let err = format!(
            "{:#}",
            run_worker(std::path::Path::new("echo"), &urls, 1, 0..10, &probe).unwrap_err()
        );
        assert!(
            err.contains("worker 1") && (err.contains("answered \"--worker") || err.contains("sending")),
            "{err}"
        );
    }

    #[test]
    fn a_short_or_garbled_shard_is_an_error() {
        let urls = input(CpuKernel::CharEncoding, 10);
        let mut wire = Vec::new();
        send_shard(&mut wire, &urls, 0..10).unwrap();
        let cut = wire.len() - 30;
        let err = count_shard(&wire[..cut]).unwrap_err();
        assert!(format!("{err:#}").contains("ended after 9 of 10"), "{err:#}");
        let records = input(CpuKernel::FilterAggregate, 10);
        let mut wire = Vec::new();
        send_shard(&mut wire, &records, 0..100).unwrap();
        let err = count_shard(&wire[..wire.len() - 20]).unwrap_err();
        assert!(
            format!("{err:#}").contains("ended after 0 of 100 records"),
            "{err:#}"
        );
        let err = count_shard(&b"concbench-shard-v2 matmul 0 1 1 1\n"[..]).unwrap_err();
        assert!(format!("{err:#}").contains("bad shard header"), "{err:#}");
        let err = count_shard(&b"concbench-shard-v2 sqrt-sum 5 10 12 1\n"[..]).unwrap_err();
        assert!(
            format!("{err:#}").contains("bad shard header"),
            "past the distinct items: {err:#}"
        );
        let err = count_shard(&b"concbench-shard-v1 sqrt-sum 0 1\n"[..]).unwrap_err();
        assert!(format!("{err:#}").contains("bad shard header"), "{err:#}");
        let err = count_shard(&b"pickle 0 1\nx\n"[..]).unwrap_err();
        assert!(format!("{err:#}").contains("bad shard header"), "{err:#}");
    }
}
