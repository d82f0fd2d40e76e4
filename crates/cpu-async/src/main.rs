//! `cpu-async`: see the crate documentation (`lib.rs`) and the README.

fn main() -> std::process::ExitCode {
    concbench_core::harness::main::<cpu_async::CpuAsync>()
}
