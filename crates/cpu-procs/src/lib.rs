//! cpu-procs: `cpu.workers` child processes. The binary runs itself in a hidden worker mode; the
//! parent streams each worker its contiguous shard over a pipe (a header line naming the kernel
//! and the range, then the data: char-encoding's URL lengths as little-endian u32 and their text
//! back to back; filter-aggregate's records, 16 bytes each; nothing for sqrt-sum, which needs
//! only its range) and reads the worker's tally back as JSON, so moving the data between
//! processes is part of the measured cost, as pickling is in Python's multiprocessing. Starting the processes is in
//! the window too. The children's CPU time, memory and threads count in the report.
//!
//! In the task-cost scenarios each unit is a process of its own: this binary re-run, given its
//! unit and the config on stdin, answering its value on stdout.
//!
//! Run it: `cargo run --release --bin cpu-procs -- --set cpu.workers=2`.

use std::io::{BufRead, BufWriter, Read, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use concbench_core::config::CpuKernel;
use concbench_core::config::ScenarioName;
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

const HEADER: &str = "concbench-shard-v1";
/// A unit job: `concbench-unit-v1 INDEX`, then the config as one JSON line.
const UNIT_HEADER: &str = "concbench-unit-v1";

impl CpuModel for CpuProcs {
    const NAME: &'static str = "cpu-procs";

    fn count(cfg: &Config, input: &Arc<Input>, probe: &Probe) -> anyhow::Result<Tally> {
        let shards = input.shards(cfg.cpu.workers);
        let exe = std::env::current_exe().context("finding this executable to start workers")?;
        let tallies = std::thread::scope(|s| {
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
                .collect::<anyhow::Result<Vec<Tally>>>()
        })?;
        let tally = tallies.into_iter().fold(Tally::default(), Tally::merge);
        Ok(tally)
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

/// Starts worker `n`, streams it `range`, and returns its tally.
fn run_worker(
    exe: &Path,
    input: &Input,
    n: usize,
    range: Range<usize>,
    probe: &Probe,
) -> anyhow::Result<Tally> {
    let (worker, mut stdin) = Worker::start_exe(exe, n, probe)?;
    concbench_core::sys::enlarge_pipe(&stdin);
    let sent = send_shard(&mut stdin, input, range.clone());
    drop(stdin); // end of input
    let answer = worker.finish()?;
    sent.with_context(|| format!("sending worker {n} its shard"))?;
    let tally: Tally =
        serde_json::from_str(answer.trim()).with_context(|| format!("worker {n} answered {answer:?}"))?;
    if tally.units != range.len() as u64 {
        bail!(
            "worker {n} tallied {} items of the {} it was sent",
            tally.units,
            range.len()
        );
    }
    Ok(tally)
}

/// The wire format: a header line `concbench-shard-v1 KERNEL START COUNT`, then the data of the
/// COUNT items from START (see the module's doc), written from the generator's own buffers.
fn send_shard(pipe: impl Write, input: &Input, range: Range<usize>) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, pipe);
    let kernel = input.kernel().name();
    writeln!(out, "{HEADER} {kernel} {} {}", range.start, range.len())?;
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

/// The worker's side: reads the header, then tallies the data as it arrives, so the work
/// overlaps the transfer.
pub fn count_shard(input: impl Read) -> anyhow::Result<Tally> {
    let mut input = std::io::BufReader::with_capacity(1 << 20, input);
    let mut line = String::new();
    input.read_line(&mut line).context("reading the shard header")?;
    count_after_header(&line, input)
}

/// [`count_shard`] once its header line is read.
fn count_after_header(line: &str, input: impl BufRead) -> anyhow::Result<Tally> {
    let (kernel, start, len) =
        parse_header(line.trim_end()).with_context(|| format!("bad shard header {line:?}"))?;
    match kernel {
        CpuKernel::CharEncoding => count_urls(start, len, input),
        CpuKernel::SqrtSum => Ok(kernel::sqrt_sum(start..start + len)),
        CpuKernel::FilterAggregate => aggregate_records(len, input),
    }
}

fn count_urls(start: usize, len: usize, mut input: impl BufRead) -> anyhow::Result<Tally> {
    let mut lengths = vec![0u8; len * 4];
    input
        .read_exact(&mut lengths)
        .context("reading the URL lengths")?;
    let mut tally = Tally::default();
    let mut url = Vec::new();
    for (k, raw) in lengths.chunks_exact(4).enumerate() {
        url.resize(u32::from_le_bytes(raw.try_into().expect("4 bytes")) as usize, 0);
        if input.read_exact(&mut url).is_err() {
            bail!("the shard ended after {k} of {len} URLs");
        }
        let text = std::str::from_utf8(&url).with_context(|| format!("URL {} is not UTF-8", start + k))?;
        tally.add(start + k, text);
    }
    Ok(tally)
}

/// Records arrive in blocks and are aggregated block by block.
fn aggregate_records(len: usize, mut input: impl BufRead) -> anyhow::Result<Tally> {
    const BLOCK: usize = 4096;
    let mut raw = vec![0u8; BLOCK * RECORD_BYTES as usize];
    let mut records = Vec::with_capacity(BLOCK);
    let mut agg = Aggregate::default();
    let mut done = 0;
    while done < len {
        let n = BLOCK.min(len - done);
        let bytes = &mut raw[..n * RECORD_BYTES as usize];
        if input.read_exact(bytes).is_err() {
            bail!("the shard ended after {done} of {len} records");
        }
        records.clear();
        records.extend(
            bytes
                .chunks_exact(RECORD_BYTES as usize)
                .map(|b| Record::from_bytes(b.try_into().expect("16 bytes"))),
        );
        agg.add(&records);
        done += n;
    }
    Ok(agg.tally(len as u64))
}

fn parse_header(line: &str) -> Option<(CpuKernel, usize, usize)> {
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
    let start = parts.next()?.parse().ok()?;
    let len = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((kernel, start, len))
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
            let mut wire = Vec::new();
            // Across the passes' boundary for URLs and records.
            send_shard(&mut wire, &input, 120..970).unwrap();
            let tally = count_shard(wire.as_slice()).unwrap();
            assert_eq!(tally, input.tally(120..970), "{kernel:?}");
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
        let err = count_shard(&b"concbench-shard-v1 matmul 0 1\n"[..]).unwrap_err();
        assert!(format!("{err:#}").contains("bad shard header"), "{err:#}");
        let err = count_shard(&b"pickle 0 1\nx\n"[..]).unwrap_err();
        assert!(format!("{err:#}").contains("bad shard header"), "{err:#}");
    }
}
