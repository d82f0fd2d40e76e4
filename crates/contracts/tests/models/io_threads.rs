//! io-threads run as a user runs it: the real binary against the bench-server it starts.

fn exe() -> &'static str {
    crate::bin("io-threads")
}

#[test]
fn io_contract() {
    concbench_http::testing::contract(exe(), &[]);
}

#[test]
fn more_threads_than_the_os_allows_is_exit_1_naming_the_limit() {
    // More threads than vm.max_map_count has maps: refused after the first 64 whatever the
    // machine's setting (a thread needs one map at the least), so the test adapts to a raised
    // limit (1,048,576 on recent Ubuntu and Fedora) instead of skipping there.
    let Some(max_maps) = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
    else {
        concbench_core::testing::skip("max-map-count", "/proc/sys/vm/max_map_count is unreadable");
        return;
    };
    let workers = format!("io.workers={}", max_maps.max(1_000_000));
    let args = concbench_core::testing::set_args(&[&workers, "io.requests=10"]);
    let r = concbench_core::testing::run(exe(), &args, concbench_http::testing::LIMIT);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("vm.max_map_count") && r.stderr.contains("threads at most"),
        "{}",
        r.stderr
    );
}
