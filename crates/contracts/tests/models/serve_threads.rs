//! serve-threads run as a user runs it: the real binary and its real load generator.

fn exe() -> &'static str {
    crate::bin("serve-threads")
}

#[test]
fn serve_contract() {
    concbench_echo::testing::contract(exe(), 1000);
}
