//! serve-hybrid run as a user runs it: the real binary and its real load generator.

const EXE: &str = env!("CARGO_BIN_EXE_serve-hybrid");

#[test]
fn serve_contract() {
    concbench_echo::testing::contract(EXE, 1000);
}

/// Three loops on one listener: one count per loop, adding up to the connections.
#[test]
fn each_loop_counts_the_connections_it_took() {
    let r = concbench_echo::testing::report(EXE, &["serve.connections=300", "serve.workers=3"]);
    let s = r.serve.as_ref().expect("a serve block");
    assert_eq!(s.accepted_by.len(), 3, "{:?}", s.accepted_by);
    assert_eq!(s.accepted_by.iter().sum::<u64>(), 300);
}
