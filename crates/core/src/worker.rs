//! Child processes: the worker processes of the process models (this executable re-run with
//! the hidden `--worker` flag, fed on stdin, answering on stdout, registered with the sampler so
//! their CPU, memory and threads count in the report), and the bench-server a model or the
//! runner starts as its target ([`SpawnedServer`]).

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::sampler::{EndReading, Probe};

/// A started worker process.
#[derive(Debug)]
pub struct Worker {
    child: Child,
    out: BufReader<ChildStdout>,
    n: usize,
    probe: Option<Probe>,
}

/// The head of the last line a worker prints (after its answer): its own memory high-water mark,
/// bytes; its PSS, MiB, and what reading it cost, ns (`-` where the kernel has no
/// `smaps_rollup`); and its allocations and the bytes they asked for. [`Worker::finish`] hands
/// them to the sampler: a worker that ends between two of the sampler's slow-tier looks (a
/// short run) would otherwise be missing from the window's peak, the tree would have no PSS,
/// and the tree's allocations would be the parent's alone.
const PEAK_LINE: &str = "concbench-worker-peak-bytes";

/// Prints this worker process's high-water mark, PSS and allocations as its last line (the
/// harness does, after a worker mode that succeeded).
pub fn say_peak() {
    let Some(bytes) = crate::sys::peak_rss_bytes() else {
        return;
    };
    let (allocations, allocated) = crate::alloc::totals();
    let began = crate::sys::cpu_time_this_thread();
    let pss = crate::sys::pss_mib_of(std::process::id());
    let cost = crate::sys::cpu_time_this_thread().saturating_sub(began);
    let (pss, cost) = match pss {
        Some(p) => (format!("{p:.3}"), cost.as_nanos().to_string()),
        None => ("-".into(), "-".into()),
    };
    println!("{PEAK_LINE} {bytes} {pss} {cost} {allocations} {allocated}");
}

/// What a worker's last line says of it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LastLine {
    peak_bytes: u64,
    /// Its PSS, MiB, and what reading it cost.
    pss: Option<(f64, Duration)>,
    /// Its allocations and the bytes they asked for.
    allocations: Option<(u64, u64)>,
}

fn parse_peak_line(line: &str) -> Option<LastLine> {
    let fields: Vec<&str> = line.strip_prefix(PEAK_LINE)?.split_whitespace().collect();
    let number = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    let pss = fields.get(1).and_then(|f| f.parse::<f64>().ok());
    Some(LastLine {
        peak_bytes: number(0)?,
        pss: pss.zip(number(2).map(Duration::from_nanos)),
        allocations: number(3).zip(number(4)),
    })
}

impl Worker {
    /// Starts worker `n` and hands back its stdin; stderr goes to this process's stderr.
    pub fn start(n: usize, probe: &Probe) -> anyhow::Result<(Self, ChildStdin)> {
        let exe = std::env::current_exe().context("finding this executable to start workers")?;
        Self::start_exe(&exe, n, probe)
    }

    /// [`Worker::start`] with another executable (tests use it to stand in a failing worker).
    pub fn start_exe(exe: &Path, n: usize, probe: &Probe) -> anyhow::Result<(Self, ChildStdin)> {
        let mut cmd = Command::new(exe);
        cmd.arg("--worker");
        Self::spawn(cmd, n, Some(probe))
    }

    /// Starts `cmd` as child `n` with piped stdin and stdout (stderr goes to this process's),
    /// counted by the sampler when `probe` is given: a child that is not (serving models' load
    /// generators) must be reaped after the window, or its CPU time joins the process's.
    pub fn spawn(mut cmd: Command, n: usize, probe: Option<&Probe>) -> anyhow::Result<(Self, ChildStdin)> {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| {
                format!(
                    "starting child process {n} ({:?})",
                    cmd.get_args().collect::<Vec<_>>()
                )
            })?;
        if let Some(probe) = probe {
            probe.track_child(child.id());
        }
        let stdin = child.stdin.take().expect("stdin was piped");
        let out = BufReader::new(child.stdout.take().expect("stdout was piped"));
        Ok((
            Self {
                child,
                out,
                n,
                probe: probe.cloned(),
            },
            stdin,
        ))
    }

    /// The worker's exit status if it has already exited (it is then reaped).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Reads one line of the worker's answer (e.g. a "ready" before it waits).
    pub fn read_line(&mut self) -> anyhow::Result<String> {
        let mut line = String::new();
        self.out
            .read_line(&mut line)
            .with_context(|| format!("reading from worker {}", self.n))?;
        anyhow::ensure!(!line.is_empty(), "worker {} ended its output early", self.n);
        Ok(line)
    }

    /// Reads exactly `buf.len()` bytes of the worker's output (a binary exchange, e.g. the
    /// switch scenario's token); false when its output ended first.
    pub fn read_exact(&mut self, buf: &mut [u8]) -> bool {
        self.out.read_exact(buf).is_ok()
    }

    /// The worker's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Reads the worker's whole answer, waits for it, and fails unless it exited with success.
    /// Close its stdin first. The answer's last line, the worker's high-water mark, goes to the
    /// sampler (for a tracked worker) and is not in the returned answer.
    pub fn finish(mut self) -> anyhow::Result<String> {
        let (n, pid) = (self.n, self.child.id());
        let mut answer = String::new();
        let read = self.out.read_to_string(&mut answer);
        let trimmed = answer.trim_end();
        let (rest, last) = trimmed.rsplit_once('\n').unwrap_or(("", trimmed));
        if let Some(said) = parse_peak_line(last) {
            if let Some(probe) = &self.probe {
                probe.note_peak_bytes(pid, said.peak_bytes);
                if let Some((pss_mib, cost)) = said.pss {
                    probe.note_end_pss(EndReading { pid, pss_mib, cost });
                }
                if let Some(allocations) = said.allocations {
                    probe.note_allocations(allocations);
                }
            }
            answer = if rest.is_empty() {
                String::new()
            } else {
                format!("{rest}\n")
            };
        }
        let status = self
            .child
            .wait()
            .with_context(|| format!("waiting for worker {n} (pid {pid})"))?;
        if !status.success() {
            bail!("worker {n} (pid {pid}) failed: {status}");
        }
        read.with_context(|| format!("reading worker {n}'s answer"))?;
        Ok(answer)
    }

    /// The worker's number.
    pub fn n(&self) -> usize {
        self.n
    }
}

/// The descriptor a child started with [`pass_listener`] finds its listener at.
const LISTENER_FD: i32 = 3;

/// Makes the child `cmd` starts inherit `listener` as descriptor 3 (pre-fork servers: every
/// worker process accepts from the one listening socket). Read it there with
/// [`inherited_listener`], once.
#[allow(unsafe_code)]
pub fn pass_listener(cmd: &mut Command, listener: &std::net::TcpListener) {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let fd = listener.as_raw_fd();
    // SAFETY: the closure runs in the child between fork and exec and calls only dup2 and fcntl,
    // which are async-signal-safe; it touches no memory the parent's threads could hold locked.
    unsafe {
        cmd.pre_exec(move || {
            // dup2 onto the same descriptor would leave close-on-exec set: clear it instead.
            let rc = if fd == LISTENER_FD {
                libc::fcntl(fd, libc::F_SETFD, 0)
            } else {
                libc::dup2(fd, LISTENER_FD)
            };
            if rc < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// The listener a parent passed with [`pass_listener`]; an error if descriptor 3 is not a
/// listening TCP socket.
#[allow(unsafe_code)]
pub fn inherited_listener() -> anyhow::Result<std::net::TcpListener> {
    use std::os::fd::FromRawFd;
    // SAFETY: fstat only reads the descriptor's metadata into a struct we own.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::fstat(LISTENER_FD, &mut st) };
    anyhow::ensure!(
        rc == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFSOCK,
        "descriptor {LISTENER_FD} is not the listening socket a serving worker inherits; this mode is started by its model"
    );
    // SAFETY: descriptor 3 is an open socket (checked above) that nothing else in this process
    // owns: the parent passed it for this purpose and this is its only taker.
    let listener = unsafe { std::net::TcpListener::from_raw_fd(LISTENER_FD) };
    listener
        .local_addr()
        .context("descriptor 3 is a socket but not a bound listener")?;
    Ok(listener)
}

/// Waits at most `within` for the `http://` URL a just-started bench-server prints as the first
/// line of its `stdout`.
pub fn announced_url(stdout: ChildStdout, within: Duration) -> anyhow::Result<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = tx.send(BufReader::new(stdout).read_line(&mut line).map(|_| line));
    });
    match rx.recv_timeout(within) {
        Ok(Ok(line)) if line.starts_with("http://") => Ok(line.trim().to_string()),
        Ok(Ok(line)) => bail!("bench-server announced {line:?} instead of its URL"),
        Ok(Err(err)) => bail!("reading bench-server's URL: {err}"),
        Err(_) => bail!("bench-server did not announce its URL within {within:?}"),
    }
}

/// How long a started bench-server may take to announce its URL.
const SERVER_START: Duration = Duration::from_secs(10);

/// A bench-server this process started, told to stop when its stdin closes: so it cannot outlive
/// its starter, even one killed with SIGKILL. Dropping it closes the server's stdin and reaps it
/// (killing it if it has not stopped within 3 s).
#[derive(Debug)]
pub struct SpawnedServer {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The URL the server announced.
    pub url: String,
}

impl SpawnedServer {
    /// Starts this executable's own server (the hidden `--serve` mode of the IO models).
    pub fn own() -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("finding this executable to start bench-server")?;
        let mut cmd = Command::new(&exe);
        cmd.arg("--serve");
        Self::start(cmd).with_context(|| format!("starting bench-server ({} --serve)", exe.display()))
    }

    /// Starts the `bench-server` executable at `exe`.
    pub fn binary(exe: &Path) -> anyhow::Result<Self> {
        let mut cmd = Command::new(exe);
        cmd.arg("--until-stdin-closes");
        Self::start(cmd).with_context(|| format!("starting {}", exe.display()))
    }

    /// Starts `cmd`, a server that stops at the end of its stdin, and waits (bounded) for the URL
    /// it announces.
    fn start(mut cmd: Command) -> anyhow::Result<Self> {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().expect("stdout was piped");
        let stdin = child.stdin.take();
        let mut server = Self {
            child,
            stdin,
            url: String::new(),
        };
        // On an error `server` drops here, which stops the child.
        server.url = announced_url(stdout, SERVER_START)?;
        tracing::info!(url = %server.url, pid = server.child.id(), "bench-server started");
        Ok(server)
    }
}

impl Drop for SpawnedServer {
    fn drop(&mut self) {
        drop(self.stdin.take());
        for _ in 0..300 {
            if matches!(self.child.try_wait(), Ok(Some(_)) | Err(_)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        tracing::warn!("bench-server did not stop within 3 s of its stdin closing; killing it");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workers_last_line_gives_its_peak_its_end_reading_of_pss_and_its_allocations() {
        assert_eq!(
            parse_peak_line("concbench-worker-peak-bytes 4096 12.500 250000 30 4000"),
            Some(LastLine {
                peak_bytes: 4096,
                pss: Some((12.5, Duration::from_micros(250))),
                allocations: Some((30, 4000)),
            })
        );
        assert_eq!(
            parse_peak_line("concbench-worker-peak-bytes 4096 - - 30 4000"),
            Some(LastLine {
                peak_bytes: 4096,
                pss: None,
                allocations: Some((30, 4000)),
            }),
            "a kernel without smaps_rollup"
        );
        assert_eq!(parse_peak_line("answer 4096"), None);
    }
}
