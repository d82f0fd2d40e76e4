//! io-tokio run as a user runs it: the real binary against the bench-server it starts.

fn exe() -> &'static str {
    crate::bin("io-tokio")
}

#[test]
fn io_contract() {
    concbench_http::testing::contract(exe(), &[]);
}
