//! io-procs run as a user runs it: the real binary against the bench-server it starts.

const EXE: &str = env!("CARGO_BIN_EXE_io-procs");

#[test]
fn io_contract() {
    concbench_http::testing::contract(EXE, &[]);
}
