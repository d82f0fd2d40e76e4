//! Every model binary run as a user runs it, in one test binary: the contracts each family's
//! models share (same work, same checksum, counted failures, exit codes), with a module per
//! model. One binary instead of one per model crate keeps the test command's link time down.
//! The binaries are found by path and built before the first test
//! (`concbench_core::testing::workspace_bins`).

mod cpu_async;
mod cpu_may;
mod cpu_procs;
mod cpu_rayon;
mod cpu_sync;
mod cpu_threads;
mod io_async_std;
mod io_compio;
mod io_hybrid;
mod io_may;
mod io_monoio;
mod io_procs;
mod io_smol;
mod io_sync;
mod io_threads;
mod io_tokio;
mod serve_async_std;
mod serve_compio;
mod serve_hybrid;
mod serve_may;
mod serve_monoio;
mod serve_pool;
mod serve_procs;
mod serve_smol;
mod serve_sync;
mod serve_threads;
mod serve_tokio;

/// The path of the workspace binary `name`, built and up to date.
fn bin(name: &str) -> &'static str {
    concbench_core::testing::workspace_bin(name).leak()
}
