//! `io-may`: see the crate documentation (`lib.rs`) and the README.

fn main() -> std::process::ExitCode {
    concbench_core::harness::main::<concbench_http::Io<io_may::IoMay>>()
}
