//! concbench-core: what every model binary and the runner share (the CPU family's workloads
//! live in `concbench-cpu`).
//!
//! - [`config`]: the one TOML config, `--config` and `--set`, validated with clear errors.
//! - [`sampler`]: the background thread that measures CPU, memory, threads and processes.
//! - [`report`]: the JSON run report (schema_version 2).
//! - [`seq`]: the seeded bit mixer, range split and byte pattern every family's checksums use.
//! - [`harness`]: the `main` every model binary shares; a model implements [`harness::Model`].
//! - [`worker`]: the child processes of the process models; [`pool`]: threads in numbers.
//!
//! A model binary is a few lines: `fn main() -> ExitCode { harness::main::<MyModel>() }`; a CPU model
//! implements `concbench_cpu::CpuModel` and runs as `harness::main::<Cpu<MyModel>>()`.
#![deny(missing_docs)]

pub mod alloc;
pub mod catalogue;
pub mod config;
pub mod counts;
pub mod env;
pub mod harness;
pub mod latency;
pub mod pool;
pub mod python;
pub mod report;
pub mod sampler;
pub mod seq;
pub mod skew;
pub mod sys;
pub mod testing;
pub mod work;
pub mod worker;

pub use config::Config;
pub use harness::{Family, Hooks, Model, Outcome};
pub use sampler::Probe;

/// Every binary that links this crate allocates through the counting allocator: the models'
/// reports give allocations per unit of work ([`alloc`]).
#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;
