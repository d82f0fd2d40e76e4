//! io-may run as a user runs it: the real binary against the bench-server it starts.

fn exe() -> &'static str {
    crate::bin("io-may")
}

#[test]
fn io_contract() {
    concbench_http::testing::contract(exe(), &[]);
}

/// 200 requests of 100 ms, all in flight, on 2 scheduler threads: each wait parks its coroutine,
/// so the run takes a few delays, not 200 × 100 ms ÷ 2 (10 s).
#[test]
fn a_waiting_request_parks_its_coroutine_not_its_thread() {
    let sets = [
        "io.workers=2",
        "io.concurrency=200",
        "io.requests=200",
        "io.endpoints=[\"/delay/0.1\"]",
    ];
    let args = concbench_core::testing::set_args(&sets);
    let r = concbench_core::testing::run(exe(), &args, std::time::Duration::from_secs(60)).report();
    let io = r.io.as_ref().expect("an io block");
    assert_eq!((io.ok, io.failed), (200, 0));
    assert!(
        r.wall_s < 5.0,
        "the waits overlapped (one after another: 10 s): {} s",
        r.wall_s
    );
    assert_eq!(r.variant.as_deref(), Some("stack 256 KiB"));
}
