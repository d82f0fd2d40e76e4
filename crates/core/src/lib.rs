//! concbench-core: everything the model binaries and the runner share.
//!
//! - [`config`]: the one TOML config, `--config` and `--set`, validated with clear errors.
//! - [`sampler`]: the background thread that measures CPU, memory, threads and processes.
//! - [`report`]: the JSON run report (schema_version 1).
//! - [`workload`]: the char-encoding URL generator and kernel.
//! - [`harness`]: the `main` every model binary shares; a model implements [`harness::Model`].
//! - [`worker`]: the child processes of the process models; [`pool`]: threads in numbers.
//!
//! A model binary is a few lines: `fn main() -> ExitCode { harness::main::<MyModel>() }`; a CPU model
//! implements [`cpu::CpuModel`] and runs as `harness::main::<cpu::Cpu<MyModel>>()`.
#![deny(missing_docs)]

pub mod config;
pub mod cpu;
pub mod env;
pub mod harness;
pub mod latency;
pub mod pool;
pub mod report;
pub mod sampler;
pub mod sys;
pub mod testing;
pub mod worker;
pub mod workload;

pub use config::Config;
pub use harness::{Family, Hooks, Model, Outcome};
pub use sampler::Probe;
