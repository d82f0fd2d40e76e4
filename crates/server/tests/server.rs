//! bench-server run as a user runs it: the real binary on an ephemeral loopback port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bench-server"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("bench-server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("http://")
            .expect("announces an http:// URL")
            .to_string();
        assert!(
            addr.starts_with("127.0.0.1:"),
            "binds loopback by default: {addr}"
        );
        Self { child, addr }
    }

    /// Sends raw bytes and returns the whole answer (the request asks the server to close).
    fn raw(&self, request: &[u8]) -> Vec<u8> {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        stream.write_all(request).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        answer
    }

    /// The status and the body bytes of a GET.
    fn get(&self, path: &str) -> (u16, Vec<u8>) {
        let answer =
            self.raw(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes());
        let end = answer
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a header block")
            + 4;
        let head = String::from_utf8_lossy(&answer[..end]);
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        (status, answer[end..].to_vec())
    }

    fn json(&self, path: &str) -> serde_json::Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).expect("a JSON body")
    }

    fn terminate(mut self) -> (Option<i32>, Duration) {
        let start = Instant::now();
        let pid = i32::try_from(self.child.id()).unwrap();
        Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        let status = self.child.wait().unwrap();
        (status.code(), start.elapsed())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn get_and_anything_echo_like_httpbin() {
    let server = Server::start();
    let v = server.json("/get?a=1&b=two%20words");
    assert_eq!(v["args"], serde_json::json!({"a": "1", "b": "two words"}));
    assert_eq!(v["headers"]["Host"], "x");
    assert_eq!(v["origin"], "127.0.0.1");
    assert_eq!(v["url"], "http://x/get?a=1&b=two%20words");
    let v = server.json("/anything/7?q=z");
    assert_eq!(
        (v["method"].as_str(), v["args"]["q"].as_str()),
        (Some("GET"), Some("z"))
    );
    assert_eq!(v["url"], "http://x/anything/7?q=z");
    assert!(v["json"].is_null() && v["data"] == "");
}

#[test]
fn status_bytes_delay_health_and_errors() {
    let server = Server::start();
    assert_eq!(server.get("/status/503").0, 503);
    assert_eq!(server.get("/status/204").0, 204);
    assert_eq!(server.get("/status/abc").0, 400);
    assert_eq!(server.get("/nowhere").0, 404);
    assert_eq!(server.get("/health"), (200, b"ok\n".to_vec()));
    let (status, body) = server.get("/bytes/1000");
    assert_eq!((status, body.len()), (200, 1000));
    let (_, capped) = server.get("/bytes/999999");
    assert_eq!(capped.len(), 100 * 1024, "capped at 100 KiB as httpbin caps it");
    let start = Instant::now();
    assert_eq!(server.get("/delay/0.2").0, 200);
    assert!(start.elapsed() >= Duration::from_millis(200));
    assert_eq!(server.get("/delay/-1").0, 400);
}

#[test]
fn malformed_requests_get_a_4xx_and_the_server_lives_on() {
    let server = Server::start();
    for garbage in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET / HTTP/9.9\r\n\r\n",
        b"\x00\x01\x02\r\n\r\n",
    ] {
        let answer = String::from_utf8_lossy(&server.raw(garbage)).into_owned();
        assert!(answer.starts_with("HTTP/1.1 4"), "{garbage:?} got {answer:?}");
    }
    assert_eq!(server.get("/health").0, 200, "still serving");
}

#[test]
fn sigterm_stops_it_cleanly_and_quickly() {
    let server = Server::start();
    assert_eq!(server.get("/health").0, 200);
    let (code, took) = server.terminate();
    assert_eq!(code, Some(0));
    assert!(took < Duration::from_secs(3), "{took:?}");
}
