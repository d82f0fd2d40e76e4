//! io-threads run as a user runs it: the real binary against the bench-server it starts.

const EXE: &str = env!("CARGO_BIN_EXE_io-threads");

#[test]
fn io_contract() {
    concbench_http::testing::contract(EXE, &[]);
}

#[test]
fn more_threads_than_the_os_allows_is_exit_1_naming_the_limit() {
    let max_maps: usize = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(usize::MAX);
    if max_maps > 1_000_000 {
        eprintln!("skipped: vm.max_map_count = {max_maps} would let this test start a million threads");
        return;
    }
    let args = concbench_core::testing::set_args(&["io.workers=1000000", "io.requests=10"]);
    let r = concbench_core::testing::run(EXE, &args, concbench_http::testing::LIMIT);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("vm.max_map_count") && r.stderr.contains("threads at most"),
        "{}",
        r.stderr
    );
}
