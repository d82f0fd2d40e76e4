//! The async client: hyper 1's HTTP/1 connection API, one connection per in-flight slot, on any
//! runtime that implements [`Runtime`], or the lean client of [`crate::lean`] where
//! `io.client` says so. Every async model (tokio, smol, async-std, hybrid, compio, monoio) runs
//! this same code; only the runtime differs.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{ACCEPT, CONNECTION, HOST, HeaderValue, USER_AGENT};
use hyper::{Request, body::Incoming};

use concbench_core::config::Client;

use crate::jobs::Jobs;
use crate::lean;
use crate::plan::{self, Plan};
pub use crate::runtime::{Conn, Driver, Runtime, due, slots};
use crate::tally::{Answer, ErrorKind, Fetch};

/// Takes requests from `jobs` until none is left, one at a time over one connection (a new one
/// after an error, a timeout, or every request without keep-alive), with the client `io.client`
/// names. Open loop, it awaits each request's scheduled send on the runtime's timer and skips
/// one that is overdue.
///
/// hyper's loop is boxed, so a lean slot's task holds the lean loop alone, not room for
/// hyper's larger one: the memory of a lean request in flight is the lean client's.
pub fn drive<R: Runtime>(jobs: Arc<Jobs>, rt: R) -> impl Future<Output = ()> {
    let client = jobs.plan().client;
    let hyper = (!lean::serves(client)).then(|| Box::pin(drive_hyper(jobs.clone(), rt.clone())));
    async move {
        match hyper {
            Some(hyper) => hyper.await,
            None => lean::drive(jobs, rt, client == Client::Bare).await,
        }
    }
}

async fn drive_hyper<R: Runtime>(jobs: Arc<Jobs>, rt: R) {
    let mut slot = Slot { rt, sender: None };
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

struct Slot<R: Runtime> {
    rt: R,
    sender: Option<SendRequest<Empty<Bytes>>>,
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
        if fetch.is_err() || !plan.keep_alive {
            self.sender = None;
        }
        fetch
    }

    async fn exchange(&mut self, plan: &Plan, i: usize) -> Fetch {
        // A reused connection may still be finishing the previous exchange; if it closes instead
        // (the server said `Connection: close`), nothing was sent yet: open a new one.
        let reusable = match &mut self.sender {
            Some(sender) if !sender.is_closed() => sender.ready().await.is_ok(),
            _ => false,
        };
        if !reusable {
            let mut fresh = connect(&self.rt, plan.target.addr, plan.buffer).await?;
            fresh.ready().await.map_err(|e| hyper_kind(&e))?;
            self.sender = Some(fresh);
        }
        let sender = self.sender.as_mut().expect("a connection is open");
        let response = sender
            .send_request(request(plan, i))
            .await
            .map_err(|e| hyper_kind(&e))?;
        let status = response.status().as_u16();
        let bytes = read_body(response.into_body(), plan).await?;
        Ok(Answer { status, bytes })
    }
}

async fn connect<R: Runtime>(
    rt: &R,
    addr: SocketAddr,
    buffer: Option<usize>,
) -> Result<SendRequest<Empty<Bytes>>, ErrorKind> {
    let io = rt.connect(addr).await.map_err(|e| ErrorKind::of_connect(&e))?;
    let mut builder = http1::Builder::new();
    if let Some(bytes) = buffer {
        builder.read_buf_exact_size(Some(bytes));
    }
    let (sender, conn) = builder.handshake(io).await.map_err(|e| hyper_kind(&e))?;
    rt.spawn(Driver(conn));
    Ok(sender)
}

fn request(plan: &Plan, i: usize) -> Request<Empty<Bytes>> {
    let mut request = Request::new(Empty::new());
    *request.uri_mut() = plan
        .path(i)
        .parse()
        .unwrap_or_else(|_| hyper::Uri::from_static("/"));
    let headers = request.headers_mut();
    if let Ok(host) = HeaderValue::from_str(&plan.target.authority) {
        headers.insert(HOST, host);
    }
    headers.insert(USER_AGENT, HeaderValue::from_static(plan::USER_AGENT));
    headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
    if !plan.keep_alive {
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    request
}

async fn read_body(mut body: Incoming, plan: &Plan) -> Result<u64, ErrorKind> {
    let mut bytes = 0u64;
    let mut kept = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| hyper_kind(&e))?;
        if let Some(data) = frame.data_ref() {
            bytes += data.len() as u64;
            if plan.sink.keeps_bodies() {
                kept.extend_from_slice(data);
            }
        }
    }
    plan.sink.write(&kept);
    Ok(bytes)
}

fn hyper_kind(err: &hyper::Error) -> ErrorKind {
    if err.is_timeout() {
        return ErrorKind::Timeout;
    }
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        if let Some(io) = inner.downcast_ref::<io::Error>() {
            return ErrorKind::of_io(io);
        }
        source = inner.source();
    }
    if err.is_incomplete_message() || err.is_canceled() || err.is_closed() {
        ErrorKind::Reset
    } else {
        ErrorKind::Other
    }
}
