//! The lean client (`io.client = "lean"`) and the bare floor it is held to (`"bare"`): keep-alive
//! HTTP/1.1 over a runtime's own TCP, so that what a request in flight costs is the runtime's,
//! not an HTTP library's.
//!
//! One task per slot and nothing else: no connection task beside it, no adapter between the
//! runtime's socket and the client. A connection is a [`Conn`], written and read with owned
//! buffers, which is how a completion-based runtime (compio, monoio on io_uring) reads: the
//! kernel fills the client's own buffer. Each slot keeps one buffer for its responses: 1 KiB at
//! first (or `io.buffer_kib`), doubled when a response needs more, kept at the largest response
//! it has held. The request is written from a second buffer the size of the request line and
//! headers.
//!
//! Lean: the status line and headers parsed by httparse; bodies by `Content-Length`, chunked,
//! or up to the server's close; a 1xx answer skipped; `Connection: close` honoured; a kept-alive
//! connection the server closed before answering reopened once (a GET is safe to send again).
//! Bare: the request written, the reply read until `\r\n\r\n` and then its `Content-Length`,
//! the status taken from the status line; nothing else, and a reply it cannot read that way is
//! an `other` error. Both bound every request by `io.timeout_ms`, connecting included, and
//! send the same request bytes as the hyper client, so the server's echoes are the same size.

use std::io;
use std::sync::Arc;
use std::time::Instant;

use concbench_core::config::Client;

use crate::jobs::Jobs;
use crate::plan::{self, Plan};
pub use crate::runtime::Conn;
use crate::runtime::{Runtime, due};
use crate::tally::{Answer, ErrorKind, Fetch};

/// A slot's response buffer before its first response, without `io.buffer_kib`.
pub const START: usize = 1024;
/// The least spare room a read is given; below it the buffer doubles.
const ROOM: usize = 256;
/// The most headers a response may carry.
const HEADERS: usize = 32;

/// Takes requests from `jobs` until none is left, one at a time over one connection, with the
/// lean client (`bare`: the bare floor). Open loop, it awaits each request's scheduled send
/// on the runtime's timer and skips one that is overdue.
pub async fn drive<R: Runtime>(jobs: Arc<Jobs>, rt: R, bare: bool) {
    let mut slot = Slot {
        rt,
        bare,
        conn: None,
        buf: Vec::new(),
        out: Vec::new(),
    };
    while let Some(ticket) = jobs.next() {
        due(&slot.rt, &ticket).await;
        if jobs.overdue(&ticket) {
            continue;
        }
        let sent = Instant::now();
        let fetch = slot.fetch(jobs.plan(), ticket.index).await;
        jobs.record(&ticket, &fetch, sent);
    }
}

/// True when `client` is served by this module.
pub fn serves(client: Client) -> bool {
    matches!(client, Client::Lean | Client::Bare)
}

/// Why an exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fail {
    /// A kept-alive connection was closed before any byte of the answer: send it again.
    Stale,
    /// Counted as this kind.
    Kind(ErrorKind),
}

impl From<ErrorKind> for Fail {
    fn from(kind: ErrorKind) -> Self {
        Self::Kind(kind)
    }
}

/// How a response's body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

/// A response's status line and headers, `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Head {
    len: usize,
    status: u16,
    framing: Framing,
    close: bool,
}

struct Slot<R: Runtime> {
    rt: R,
    bare: bool,
    conn: Option<R::Conn>,
    buf: Vec<u8>,
    out: Vec<u8>,
}

impl<R: Runtime> Slot<R> {
    /// Request `i`, bounded by the plan's timeout (connecting included).
    async fn fetch(&mut self, plan: &Plan, i: usize) -> Fetch {
        let rt = self.rt.clone();
        let timeout = plan.timeout;
        let expire = async move {
            rt.sleep(timeout).await;
            Err(ErrorKind::Timeout)
        };
        let fetch = futures_lite::future::or(self.exchange(plan, i), expire).await;
        if !matches!(fetch, Ok((_, true))) || !plan.keep_alive {
            self.conn = None;
        }
        fetch.map(|(answer, _)| answer)
    }

    /// Request `i` and whether its connection can carry the next one.
    async fn exchange(&mut self, plan: &Plan, i: usize) -> Result<(Answer, bool), ErrorKind> {
        self.out.clear();
        write_request(&mut self.out, plan, i);
        let reused = self.conn.is_some();
        match self.round_trip(plan).await {
            Err(Fail::Stale) if reused && !self.bare => {
                self.conn = None;
                self.round_trip(plan).await.map_err(Fail::kind)
            }
            other => other.map_err(Fail::kind),
        }
    }

    async fn round_trip(&mut self, plan: &Plan) -> Result<(Answer, bool), Fail> {
        if self.conn.is_none() {
            let conn = self.rt.open(plan.target.addr).await;
            self.conn = Some(conn.map_err(|e| ErrorKind::of_connect(&e))?);
        }
        let conn = self.conn.as_mut().expect("a connection is open");
        let (sent, out) = conn.send(std::mem::take(&mut self.out)).await;
        self.out = out;
        sent.map_err(|e| stale_or(&e))?;
        self.buf.clear();
        let head = self.head().await?;
        let (bytes, keep) = match head.framing {
            Framing::Length(n) => self.body_of_length(&head, n, plan).await?,
            Framing::Chunked => (self.chunked(&head, plan).await?, true),
            Framing::UntilClose => (self.until_close(&head, plan).await?, false),
        };
        let answer = Answer {
            status: head.status,
            bytes,
        };
        Ok((answer, keep && !head.close))
    }

    /// Reads more into the response buffer: how many bytes came (0: the peer closed).
    async fn more(&mut self) -> Result<usize, ErrorKind> {
        let mut buf = std::mem::take(&mut self.buf);
        if buf.capacity() - buf.len() < ROOM {
            buf.reserve(buf.capacity().max(START));
        }
        let conn = self.conn.as_mut().expect("a connection is open");
        let (read, buf) = conn.receive(buf).await;
        self.buf = buf;
        read.map_err(|e| ErrorKind::of_io(&e))
    }

    /// Reads until the status line and headers are in (skipping 1xx answers) and parses them.
    async fn head(&mut self) -> Result<Head, Fail> {
        loop {
            let parsed = if self.bare {
                bare_head(&self.buf)?
            } else {
                parse_head(&self.buf)?
            };
            match parsed {
                Some(head) if (100..200).contains(&head.status) && head.status != 101 => {
                    self.buf.drain(..head.len);
                }
                Some(head) => return Ok(head),
                // Closed or reset before a byte of the answer: a stale kept-alive connection.
                None => match self.more().await {
                    Ok(0) | Err(ErrorKind::Reset) if self.buf.is_empty() => return Err(Fail::Stale),
                    Ok(0) => return Err(ErrorKind::Reset.into()),
                    Ok(_) => {}
                    Err(kind) => return Err(kind.into()),
                },
            }
        }
    }

    /// Reads until `n` body bytes follow the head; sinks them and counts them. Bytes beyond
    /// them (nothing was asked for) leave the connection unfit for the next request.
    async fn body_of_length(&mut self, head: &Head, n: usize, plan: &Plan) -> Result<(u64, bool), Fail> {
        let end = head.len.checked_add(n).ok_or(ErrorKind::Other)?;
        while self.buf.len() < end {
            if self.more().await? == 0 {
                return Err(ErrorKind::Reset.into());
            }
        }
        plan.sink.write(&self.buf[head.len..end]);
        Ok((n as u64, self.buf.len() == end))
    }

    /// Reads until the server closes; everything after the head is the body.
    async fn until_close(&mut self, head: &Head, plan: &Plan) -> Result<u64, Fail> {
        while self.more().await? > 0 {}
        plan.sink.write(&self.buf[head.len..]);
        Ok((self.buf.len() - head.len) as u64)
    }

    /// Reads a chunked body to its last chunk; sinks and counts the data of each chunk.
    async fn chunked(&mut self, head: &Head, plan: &Plan) -> Result<u64, Fail> {
        let (mut at, mut bytes) = (head.len, 0u64);
        loop {
            let Some((size_len, size)) = chunk_size(&self.buf[at..])? else {
                self.fill_past(self.buf.len() + 1).await?;
                continue;
            };
            let size = usize::try_from(size).map_err(|_| ErrorKind::Other)?;
            let data = at + size_len;
            if size == 0 {
                // The last chunk: no trailers are asked for; the body ends at an empty line.
                let end = data + 2;
                self.fill_past(end).await?;
                if &self.buf[data..end] != b"\r\n" {
                    return Err(ErrorKind::Other.into());
                }
                return Ok(bytes);
            }
            let end = data.checked_add(size + 2).ok_or(ErrorKind::Other)?;
            self.fill_past(end).await?;
            if &self.buf[end - 2..end] != b"\r\n" {
                return Err(ErrorKind::Other.into());
            }
            if plan.sink.keeps_bodies() {
                plan.sink.write(&self.buf[data..end - 2]);
            }
            bytes += size as u64;
            at = end;
        }
    }

    /// Reads until the buffer holds at least `len` bytes.
    async fn fill_past(&mut self, len: usize) -> Result<(), Fail> {
        while self.buf.len() < len {
            if self.more().await? == 0 {
                return Err(ErrorKind::Reset.into());
            }
        }
        Ok(())
    }
}

impl Fail {
    fn kind(self) -> ErrorKind {
        match self {
            Self::Stale => ErrorKind::Reset,
            Self::Kind(kind) => kind,
        }
    }
}

/// A send that failed on a closed connection may be a stale keep-alive one.
fn stale_or(err: &io::Error) -> Fail {
    match ErrorKind::of_io(err) {
        ErrorKind::Reset => Fail::Stale,
        kind => Fail::Kind(kind),
    }
}

/// The bytes of request `i`: the hyper client's request line and headers, in its order.
pub fn write_request(out: &mut Vec<u8>, plan: &Plan, i: usize) {
    use std::io::Write;
    let _ = write!(
        out,
        "GET {} HTTP/1.1\r\nhost: {}\r\nuser-agent: {}\r\naccept: */*\r\n",
        plan.path(i),
        plan.target.authority,
        plan::USER_AGENT
    );
    if !plan.keep_alive {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

/// The head at the start of `buf`, parsed by httparse; `None` until it is all in.
fn parse_head(buf: &[u8]) -> Result<Option<Head>, ErrorKind> {
    let mut headers = [httparse::EMPTY_HEADER; HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let len = match response.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(ErrorKind::Other),
    };
    let status = response.code.ok_or(ErrorKind::Other)?;
    let (mut framing, mut close) = (Framing::UntilClose, response.version == Some(0));
    for header in response.headers.iter() {
        if header.name.eq_ignore_ascii_case("content-length") && framing != Framing::Chunked {
            let n = std::str::from_utf8(header.value)
                .ok()
                .and_then(|v| v.trim().parse().ok());
            framing = Framing::Length(n.ok_or(ErrorKind::Other)?);
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            if has_token(header.value, b"chunked") {
                framing = Framing::Chunked;
            }
        } else if header.name.eq_ignore_ascii_case("connection") {
            close = has_token(header.value, b"close") || close && !has_token(header.value, b"keep-alive");
        }
    }
    if status == 204 || status == 304 || (100..200).contains(&status) {
        framing = Framing::Length(0);
    }
    Ok(Some(Head {
        len,
        status,
        framing,
        close,
    }))
}

/// The bare floor's head: the end of the headers, the status from the status line and the
/// `Content-Length`, by scanning; `None` until the empty line is in.
fn bare_head(buf: &[u8]) -> Result<Option<Head>, ErrorKind> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = &buf[..end];
    let status = head
        .get(9..12)
        .and_then(|code| std::str::from_utf8(code).ok()?.parse().ok())
        .ok_or(ErrorKind::Other)?;
    let length = head
        .split(|&b| b == b'\n')
        .find_map(|line| {
            let (name, value) = line.split_at(line.iter().position(|&b| b == b':')?);
            name.eq_ignore_ascii_case(b"content-length")
                .then(|| std::str::from_utf8(&value[1..]).ok()?.trim().parse().ok())?
        })
        .ok_or(ErrorKind::Other)?;
    Ok(Some(Head {
        len: end + 4,
        status,
        framing: Framing::Length(length),
        close: false,
    }))
}

/// A chunk-size line at the start of `buf`: its length and the size; `None` until it is in.
fn chunk_size(buf: &[u8]) -> Result<Option<(usize, u64)>, ErrorKind> {
    match httparse::parse_chunk_size(buf) {
        Ok(httparse::Status::Complete((len, size))) => Ok(Some((len, size))),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(_) => Err(ErrorKind::Other),
    }
}

/// True when the comma-separated header `value` lists `token`.
fn has_token(value: &[u8], token: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .any(|part| part.trim_ascii().eq_ignore_ascii_case(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_framed_as_the_headers_say() {
        let head = |raw: &str| parse_head(raw.as_bytes()).unwrap().unwrap();
        let h = head("HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\nhello");
        assert_eq!(
            (h.status, h.framing, h.close, h.len),
            (200, Framing::Length(12), false, 39)
        );
        let h = head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
        assert_eq!(h.framing, Framing::Chunked);
        let h = head("HTTP/1.1 503 Busy\r\nConnection: Close\r\n\r\n");
        assert_eq!((h.status, h.framing, h.close), (503, Framing::UntilClose, true));
        let h = head("HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n");
        assert!(h.close, "HTTP/1.0 closes unless it says keep-alive");
        let h = head("HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 0\r\n\r\n");
        assert!(!h.close);
        let h = head("HTTP/1.1 204 No Content\r\n\r\n");
        assert_eq!(h.framing, Framing::Length(0));
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\ncontent-le").unwrap(), None);
        assert_eq!(
            parse_head(b"HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n"),
            Err(ErrorKind::Other)
        );
        assert_eq!(parse_head(b"SMTP ready\r\n\r\n"), Err(ErrorKind::Other));
    }

    #[test]
    fn the_bare_head_reads_only_the_status_and_the_length() {
        let h = bare_head(b"HTTP/1.1 404 Not Found\r\nX: y\r\nContent-Length: 7\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!((h.status, h.framing, h.len), (404, Framing::Length(7), 51));
        assert_eq!(bare_head(b"HTTP/1.1 200 OK\r\n").unwrap(), None);
        assert_eq!(
            bare_head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Err(ErrorKind::Other),
            "no length: the floor does not read it"
        );
    }

    #[test]
    fn chunk_sizes_and_tokens() {
        assert_eq!(chunk_size(b"1a\r\n").unwrap(), Some((4, 26)));
        assert_eq!(chunk_size(b"1a").unwrap(), None);
        assert_eq!(chunk_size(b"zz\r\n"), Err(ErrorKind::Other));
        assert!(has_token(b"keep-alive, Close", b"close"));
        assert!(!has_token(b"closed", b"close"));
    }
}
