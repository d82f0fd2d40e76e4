//! The lean client (`io.client = "lean"`) on every runtime the issue names: the IO contract as
//! the hyper client passes it, on the runtime's own TCP; and the blocking models refusing it.

#[test]
fn io_contract_on_tokio() {
    concbench_http::testing::contract(crate::bin("io-tokio"), &["io.client=lean"]);
}

#[test]
fn io_contract_on_smol() {
    concbench_http::testing::contract(crate::bin("io-smol"), &["io.client=lean"]);
}

#[test]
fn io_contract_on_compio_rings() {
    concbench_http::testing::contract(crate::bin("io-compio"), &["io.client=lean", "io.workers=2"]);
}

#[test]
fn io_contract_on_monoio_rings() {
    concbench_http::testing::contract(crate::bin("io-monoio"), &["io.client=lean", "io.workers=2"]);
}

#[test]
fn a_blocking_model_refuses_the_lean_client_with_exit_2() {
    for (exe, sets) in [
        ("io-threads", &["io.client=lean"][..]),
        (
            "io-hybrid",
            &["io.client=bare", "io.hybrid_mode=blocking-pool"][..],
        ),
    ] {
        let args = concbench_core::testing::set_args(sets);
        let r = concbench_core::testing::run(crate::bin(exe), &args, concbench_http::testing::LIMIT);
        assert_eq!(r.code, Some(2), "{exe}: {}", r.stderr);
        assert!(r.stdout.is_empty());
        assert!(
            r.stderr.contains("io.client") && r.stderr.contains(exe) && r.stderr.contains("ureq"),
            "{}",
            r.stderr
        );
    }
}
