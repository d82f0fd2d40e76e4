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
mod io_hybrid;
mod io_may;
mod io_procs;
mod io_threads;
mod lean;
mod serve_procs;

/// Models whose tests are their family's contract alone, a module each (`io_tokio::io_contract`,
/// `serve_pool::serve_contract`, ...): every IO model against the bench-server it starts, every
/// server against its real load generator at 1,000 connections.
macro_rules! contract_only {
    ($($module:ident: $bin:literal => $family:ident),* $(,)?) => {$(
        mod $module {
            contract_only!(@test $family, $bin);
        }
    )*};
    (@test io, $bin:literal) => {
        #[test]
        fn io_contract() {
            concbench_http::testing::contract(crate::bin($bin), &[]);
        }
    };
    (@test serve, $bin:literal) => {
        #[test]
        fn serve_contract() {
            concbench_echo::testing::contract(crate::bin($bin), 1000);
        }
    };
}

contract_only!(
    io_sync: "io-sync" => io,
    io_tokio: "io-tokio" => io,
    io_smol: "io-smol" => io,
    io_async_std: "io-async-std" => io,
    serve_sync: "serve-sync" => serve,
    serve_threads: "serve-threads" => serve,
    serve_pool: "serve-pool" => serve,
    serve_tokio: "serve-tokio" => serve,
    serve_smol: "serve-smol" => serve,
    serve_async_std: "serve-async-std" => serve,
    serve_may: "serve-may" => serve,
);

/// The models that run a loop or an io_uring ring per thread: the contract (as above), and the same
/// contract with one per core (IO), or each loop's own count of the connections it took
/// (serving).
macro_rules! per_thread_loops {
    ($($module:ident: $bin:literal => $family:ident),* $(,)?) => {$(
        mod $module {
            per_thread_loops!(@test $family, $bin);
        }
    )*};
    (@test io, $bin:literal) => {
        contract_only!(@test io, $bin);

        #[test]
        fn io_contract_on_a_ring_per_core() {
            concbench_http::testing::contract(crate::bin($bin), &["io.workers=2"]);
        }
    };
    (@test serve, $bin:literal) => {
        contract_only!(@test serve, $bin);

        #[test]
        fn each_loop_counts_the_connections_it_took() {
            concbench_echo::testing::each_loop_counts_the_connections_it_took(crate::bin($bin));
        }
    };
}

per_thread_loops!(
    io_compio: "io-compio" => io,
    io_monoio: "io-monoio" => io,
    serve_hybrid: "serve-hybrid" => serve,
    serve_compio: "serve-compio" => serve,
    serve_monoio: "serve-monoio" => serve,
);

/// The path of the workspace binary `name`, built and up to date.
fn bin(name: &str) -> &'static str {
    concbench_core::testing::workspace_bin(name).leak()
}
