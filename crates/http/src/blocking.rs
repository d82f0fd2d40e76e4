//! The blocking client: one `ureq` agent, shared by the threads of a run.

use std::io::Read;

use crate::plan::{Plan, USER_AGENT};
use crate::tally::{Answer, ErrorKind, Fetch};

/// The chunk a body is read in. (The connection's own buffers are ureq's default, 128 KiB each
/// way, unless `io.buffer_kib` sets them: at 10,000 threads each holding a connection that
/// default costs gigabytes, so the scale sweep sets 16 KiB.)
const BUFFER: usize = 16 * 1024;

/// An agent for `plan` that keeps up to `pool` idle connections (none without keep-alive).
pub fn agent(plan: &Plan, pool: usize) -> ureq::Agent {
    config(plan, pool).new_agent()
}

/// The agent's config for `plan`, for an agent built over another transport (io-may's).
pub fn config(plan: &Plan, pool: usize) -> ureq::config::Config {
    let idle = if plan.keep_alive { pool.max(1) } else { 0 };
    let builder = ureq::Agent::config_builder();
    let builder = match plan.buffer {
        Some(bytes) => builder.input_buffer_size(bytes).output_buffer_size(bytes),
        None => builder,
    };
    builder
        .timeout_global(Some(plan.timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(USER_AGENT)
        .accept("*/*")
        .max_idle_connections(idle)
        .max_idle_connections_per_host(idle)
        .build()
}

/// Sends request `i` of `plan` and reads its whole body.
pub fn get(agent: &ureq::Agent, plan: &Plan, i: usize) -> Fetch {
    let mut request = agent.get(plan.url(i));
    if !plan.keep_alive {
        request = request.header("connection", "close");
    }
    let mut response = request.call().map_err(|e| kind(&e))?;
    let status = response.status().as_u16();
    let mut reader = response.body_mut().as_reader();
    let mut buf = [0u8; BUFFER];
    let mut kept = Vec::new();
    let mut bytes = 0u64;
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                bytes += n as u64;
                if plan.sink.keeps_bodies() {
                    kept.extend_from_slice(&buf[..n]);
                }
            }
            Err(err) => return Err(io_kind(&err)),
        }
    }
    plan.sink.write(&kept);
    Ok(Answer { status, bytes })
}

fn kind(err: &ureq::Error) -> ErrorKind {
    match err {
        ureq::Error::Timeout(_) => ErrorKind::Timeout,
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => ErrorKind::Connect,
        ureq::Error::Io(io) => ErrorKind::of_io(io),
        _ => ErrorKind::Other,
    }
}

/// Body read errors: ureq wraps its own errors (timeouts among them) in an `io::Error`.
fn io_kind(err: &std::io::Error) -> ErrorKind {
    match err.get_ref().and_then(|e| e.downcast_ref::<ureq::Error>()) {
        Some(inner) => kind(inner),
        None => ErrorKind::of_io(err),
    }
}
