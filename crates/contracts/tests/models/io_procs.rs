//! io-procs run as a user runs it: the IO contract, and a tree of worker processes whose memory
//! counts a shared page once.

use std::time::Duration;

use concbench_core::testing::{run, set_args};

fn exe() -> &'static str {
    crate::bin("io-procs")
}

#[test]
fn io_contract() {
    concbench_http::testing::contract(exe(), &[]);
}

/// Issue 30: 200 requests at 50 worker processes end before the slow tier may read the tree's
/// PSS within its budget, so the workers' own readings as they end give the tree's figure; it
/// counts the 50 copies of the executable's pages once, where summed RSS counts them 51 times.
#[test]
fn a_short_tree_of_fifty_workers_has_its_pss_as_the_work_ended() {
    let sets = ["io.requests=200", "io.workers=50"];
    let report = run(exe(), &set_args(&sets), Duration::from_secs(60)).report();
    let m = &report.memory;
    let end = m.pss_end_mib.unwrap_or_else(|| panic!("no end reading: {m:?}"));
    assert!(
        end > 0.0 && end < m.rss_peak_mib / 3.0,
        "PSS counts shared pages once, summed RSS 51 times: {m:?}"
    );
}
