//! concbench-echo: the serving family, where the model under test is the server.
//!
//! The workload is TCP echo: each of `serve.connections` client connections sends
//! `serve.round_trips` messages of `serve.message_bytes` and reads each echo back before the next.
//! A fixed load generator ([`loadgen`], tokio on one thread) drives every model the same way; the
//! model binary starts it as a child (its hidden `--loadgen` mode) that the sampler does not
//! track, so the report's CPU, memory and threads are the server's alone. Every echoed byte is
//! checked, and the checksum over `(connection, round trip, bytes)` is the same for every model.
//!
//! - [`proto`]: the messages and the checksum.
//! - [`loadgen`]: the load generator and what it reports.
//! - [`model`]: [`model::ServeModel`], what a server binary implements, and the [`model::Echo`]
//!   wrapper that runs it under the harness.
//! - [`handler`]: echoing one connection, blocking and on tokio.
//! - [`loops`]: thread-per-core servers, an event loop per thread on one shared listener.
//! - [`testing`]: the contract every serving model's integration tests check.
#![deny(missing_docs)]

pub mod handler;
pub mod loadgen;
pub mod loops;
pub mod model;
pub mod proto;
pub mod testing;

pub use model::{Echo, ServeCtx, ServeModel, Served};
