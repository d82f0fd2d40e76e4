//! io-hybrid run as a user runs it, in both designs, against the bench-server it starts.

fn exe() -> &'static str {
    crate::bin("io-hybrid")
}

#[test]
fn io_contract_loop_per_thread() {
    concbench_http::testing::contract(exe(), &["io.hybrid_mode=loop-per-thread"]);
}

#[test]
fn io_contract_blocking_pool() {
    concbench_http::testing::contract(exe(), &["io.hybrid_mode=blocking-pool"]);
}

#[test]
fn the_report_names_the_mode() {
    let r = concbench_http::testing::report(exe(), &["io.requests=4", "io.hybrid_mode=blocking-pool"], &[]);
    assert_eq!(r.variant.as_deref(), Some("blocking-pool"));
}
