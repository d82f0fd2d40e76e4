//! serve-hybrid run as a user runs it: the real binary and its real load generator.

const EXE: &str = env!("CARGO_BIN_EXE_serve-hybrid");

#[test]
fn serve_contract() {
    concbench_echo::testing::contract(EXE, 1000);
}

#[test]
fn each_loop_counts_the_connections_it_took() {
    concbench_echo::testing::each_loop_counts_the_connections_it_took(EXE);
}
