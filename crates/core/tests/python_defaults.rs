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
    if std::env::var_os("UPDATE_PY_DEFAULTS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} drifted from Config::default(); rerun with UPDATE_PY_DEFAULTS=1"
    );
}
