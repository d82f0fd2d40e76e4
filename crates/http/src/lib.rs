//! concbench-http: the HTTP workload of the IO models, written once.
//!
//! - [`plan`]: the target (a spawned bench-server or an external URL), the job list, the body sink.
//! - [`jobs`]: handing out request indices to workers and counting their results.
//! - [`tally`]: statuses, error kinds, bytes, the latency histogram, the checksum.
//! - [`blocking`]: the `ureq` client of the sync, thread, hybrid and process models.
//! - [`client`] and [`rt`]: the hyper client of the async models, on tokio, smol or async-std.
//! - [`lean`]: the lean HTTP/1.1 client over a runtime's own TCP, and the bare floor.
//! - [`runtime`]: what both clients need from an async runtime.
//! - [`loops`]: thread-per-core clients, an event loop per thread with its share of the slots.
//! - [`testing`]: the IO contract every model's integration tests check.
//! - [`model`]: [`model::IoModel`], what an IO binary implements, and its [`model::Io`] wrapper.
#![deny(missing_docs)]

pub mod blocking;
pub mod client;
pub mod jobs;
pub mod lean;
pub mod loops;
pub mod model;
pub mod plan;
pub mod rt;
pub mod runtime;
pub mod tally;
pub mod testing;

pub use jobs::Jobs;
pub use model::{Io, IoModel};
