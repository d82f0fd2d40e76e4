//! io-monoio run as a user runs it: the real binary against the bench-server it starts, on io_uring.

const EXE: &str = env!("CARGO_BIN_EXE_io-monoio");

#[test]
fn io_contract() {
    concbench_http::testing::contract(EXE, &[]);
}

/// One ring per core, the way the model is meant to run.
#[test]
fn io_contract_on_a_ring_per_core() {
    concbench_http::testing::contract(EXE, &["io.workers=2"]);
}
