//! The lean client against answers bench-server never gives: chunked bodies, a body that ends
//! when the server closes, a 1xx before the answer, a kept-alive connection the server drops
//! without saying so, and bytes that are not HTTP. A scripted server on loopback writes each
//! answer as it is given here.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use concbench_core::config;
use concbench_http::plan::{BodySink, Plan, Target};
use concbench_http::tally::HttpTally;
use concbench_http::{Jobs, client, rt};

/// A server that answers every request with `answer` and, when `close` is set, closes the
/// connection after it without a `Connection: close` header. Its thread ends with the test
/// process; each connection's reads are bounded.
fn scripted(answer: &'static [u8], close: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer_each(stream, answer, close));
        }
    });
    url
}

fn answer_each(mut stream: TcpStream, answer: &[u8], close: bool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut request = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&chunk[..n]),
        }
        while let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            request.drain(..end + 4);
            if stream.write_all(answer).is_err() || close {
                return;
            }
        }
    }
}

/// `requests` GETs of `/x` against `url` with `client`, one slot, keep-alive, on tokio; the
/// tally and what the body sink holds.
fn run(url: &str, client: &str, requests: usize) -> (HttpTally, Vec<u8>) {
    let sets = [
        format!("io.client={client}"),
        format!("io.requests={requests}"),
        r#"io.endpoints=["/x"]"#.to_string(),
        "io.concurrency=1".to_string(),
        "io.timeout_ms=2000".to_string(),
        "io.sink=file".to_string(),
    ];
    let cfg = config::load(None, &sets).expect("valid test sets");
    let sink = BodySink::create(cfg.io.sink).expect("a body sink");
    let plan = Arc::new(Plan::new(&cfg.io, Target::parse(url).expect("a URL"), sink));
    let jobs = Arc::new(Jobs::new(plan.clone()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(client::drive(jobs.clone(), rt::Tokio));
    let kept = std::fs::read(plan.sink.path().expect("a file sink")).expect("the sink's file");
    (jobs.tally(), kept)
}

#[test]
fn chunked_bodies_are_decoded_counted_and_sunk() {
    let url = scripted(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        false,
    );
    let (tally, kept) = run(&url, "lean", 3);
    let stats = tally.stats();
    assert_eq!((stats.ok, stats.failed), (3, 0), "{:?}", stats.errors);
    assert_eq!(tally.work().bytes, 33);
    assert_eq!(kept, b"hello worldhello worldhello world");
}

#[test]
fn a_body_without_a_length_ends_when_the_server_closes() {
    let url = scripted(b"HTTP/1.1 200 OK\r\n\r\nabc", true);
    let (tally, kept) = run(&url, "lean", 2);
    assert_eq!((tally.stats().ok, tally.work().bytes), (2, 6));
    assert_eq!(kept, b"abcabc");
}

#[test]
fn a_1xx_answer_is_skipped() {
    let url = scripted(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok",
        false,
    );
    let (tally, _) = run(&url, "lean", 2);
    let stats = tally.stats();
    assert_eq!(
        (stats.ok, stats.status.get("201").copied()),
        (2, Some(2)),
        "{stats:?}"
    );
}

#[test]
fn a_dropped_keep_alive_connection_is_reopened_by_lean_and_counted_by_bare() {
    let url = scripted(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok", true);
    let (lean, kept) = run(&url, "lean", 4);
    assert_eq!(
        (lean.stats().ok, lean.stats().failed),
        (4, 0),
        "each request after the first finds its connection closed and sends again"
    );
    assert_eq!(kept, b"okokokok");
    let (bare, _) = run(&url, "bare", 4);
    let stats = bare.stats();
    assert_eq!(stats.ok + stats.failed, 4);
    assert_eq!(
        stats.errors["reset"], stats.failed,
        "the floor does not retry: {stats:?}"
    );
    assert!(stats.failed >= 1, "{stats:?}");
}

#[test]
fn bytes_that_are_not_http_are_an_other_error() {
    let url = scripted(b"SSH-2.0-OpenSSH\r\n\r\n", false);
    for client in ["lean", "bare"] {
        let (tally, _) = run(&url, client, 2);
        let stats = tally.stats();
        assert_eq!((stats.ok, stats.errors["other"]), (0, 2), "{client}: {stats:?}");
    }
}
