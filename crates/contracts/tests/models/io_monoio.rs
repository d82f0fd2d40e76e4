//! io-monoio run as a user runs it: the real binary against the bench-server it starts, on io_uring.

fn exe() -> &'static str {
    crate::bin("io-monoio")
}

#[test]
fn io_contract() {
    concbench_http::testing::contract(exe(), &[]);
}

/// One ring per core, the way the model is meant to run.
#[test]
fn io_contract_on_a_ring_per_core() {
    concbench_http::testing::contract(exe(), &["io.workers=2"]);
}
