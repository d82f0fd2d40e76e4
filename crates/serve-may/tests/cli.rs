//! serve-may run as a user runs it: the real binary and its real load generator.

const EXE: &str = env!("CARGO_BIN_EXE_serve-may");

#[test]
fn serve_contract() {
    concbench_echo::testing::contract(EXE, 1000);
}
