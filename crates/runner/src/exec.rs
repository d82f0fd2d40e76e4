//! Running one child process with a time limit: its own process group (so a timeout or an
//! interrupt also stops the worker processes it started), stdout and stderr captured.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What a finished child left.
#[derive(Debug, Clone)]
pub struct Finished {
    /// Exit code, when it exited.
    pub code: Option<i32>,
    /// The signal that ended it.
    pub signal: Option<i32>,
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
    /// Killed at the limit.
    pub timed_out: bool,
    /// Killed because `stop` was set.
    pub interrupted: bool,
    /// From the end of spawning (fork and exec done) to exit.
    pub elapsed: Duration,
}

/// Runs `cmd` until it exits, `limit` passes or `stop` is set (then its group is killed).
pub fn run(mut cmd: Command, limit: Duration, stop: &AtomicBool) -> std::io::Result<Finished> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn()?;
    let start = Instant::now();
    let pid = child.id();
    let out = reader(child.stdout.take());
    let err = reader(child.stderr.take());
    let (mut timed_out, mut interrupted) = (false, false);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() >= limit || stop.load(Ordering::SeqCst) {
            timed_out = start.elapsed() >= limit;
            interrupted = !timed_out;
            kill_group(pid);
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = start.elapsed();
    kill_group(pid); // anything the run left behind in its group
    Ok(Finished {
        code: status.code(),
        signal: status.signal(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        timed_out,
        interrupted,
        elapsed,
    })
}

fn reader(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

#[allow(unsafe_code)]
fn kill_group(pid: u32) {
    let Ok(pid) = i32::try_from(pid) else { return };
    // SAFETY: kill(2) with a negative pid signals the process group the child leads (it was
    // started with process_group(0)); it touches no memory of ours.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}

/// The last `lines` lines of `text`.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_output_and_status() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let f = run(cmd, Duration::from_secs(10), &AtomicBool::new(false)).unwrap();
        assert_eq!(
            (f.code, f.stdout.as_str(), f.stderr.as_str()),
            (Some(3), "out\n", "err\n")
        );
        assert!(!f.timed_out && !f.interrupted);
    }

    /// A shell that starts a grandchild `sleep 30` and waits for it; the grandchild's pid is
    /// written to a file, so the test can see whether the group kill reached it.
    fn with_grandchild() -> (Command, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("grandchild");
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            &format!("sleep 30 & echo $! > {}; wait", pid_file.display()),
        ]);
        (cmd, dir)
    }

    /// That `f` was killed promptly with its whole group: SIGKILL, well before the group's
    /// 30 s sleeps, and the grandchild of [`with_grandchild`] gone too.
    fn assert_group_killed(f: &Finished, begun: std::time::Instant, dir: &tempfile::TempDir) {
        assert_eq!(f.signal, Some(libc::SIGKILL), "{f:?}");
        assert!(
            begun.elapsed() < Duration::from_secs(10),
            "took {:?}: it waited for the group's sleeps",
            begun.elapsed()
        );
        assert!(grandchild_gone(dir), "the grandchild was killed with its group");
    }

    /// Whether the grandchild of [`with_grandchild`] is gone (or a zombie), within a second.
    fn grandchild_gone(dir: &tempfile::TempDir) -> bool {
        let pid = std::fs::read_to_string(dir.path().join("grandchild")).unwrap();
        let stat = format!("/proc/{}/stat", pid.trim());
        (0..100).any(|_| {
            let gone = std::fs::read_to_string(&stat).map_or(true, |s| s.contains(") Z "));
            if !gone {
                std::thread::sleep(Duration::from_millis(10));
            }
            gone
        })
    }

    #[test]
    fn kills_at_the_limit_including_grandchildren() {
        let (cmd, dir) = with_grandchild();
        let begun = std::time::Instant::now();
        let f = run(cmd, Duration::from_millis(300), &AtomicBool::new(false)).unwrap();
        assert!(f.timed_out && !f.interrupted, "{f:?}");
        assert_group_killed(&f, begun, &dir);
    }

    #[test]
    fn stops_when_asked() {
        let (cmd, dir) = with_grandchild();
        let begun = std::time::Instant::now();
        let stop = AtomicBool::new(false);
        let f = std::thread::scope(|s| {
            s.spawn(|| {
                // Once the shell has started its grandchild.
                let written = || {
                    std::fs::read_to_string(dir.path().join("grandchild")).is_ok_and(|p| p.ends_with('\n'))
                };
                while !written() && begun.elapsed() < Duration::from_secs(5) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                stop.store(true, std::sync::atomic::Ordering::SeqCst);
            });
            run(cmd, Duration::from_secs(60), &stop).unwrap()
        });
        assert!(f.interrupted && !f.timed_out, "{f:?}");
        assert_group_killed(&f, begun, &dir);
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
    }
}
