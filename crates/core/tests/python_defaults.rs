//! The Python entries read their built-in defaults from `scripts/python/concbench/defaults.json`;
//! this keeps that file equal to `Config::default()` (`UPDATE_PY_DEFAULTS=1` rewrites it).

use concbench_core::config::{Config, to_json};

#[test]
fn the_python_entries_defaults_equal_the_built_in_config() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/python/concbench/defaults.json"
    );
    let generated = serde_json::to_string_pretty(&to_json(&Config::default())).unwrap() + "\n";
    concbench_core::testing::assert_committed(std::path::Path::new(path), &generated, "UPDATE_PY_DEFAULTS");
}
