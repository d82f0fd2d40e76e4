//! The Python entries (`py-*`): the study's models as programs under `scripts/python/`, each
//! declared in the catalogue ([`MODELS`]) with its family and kind, and here with its Rust
//! counterpart. The runner runs them
//! from a virtual environment it makes (`runner::python`); they are never in the built-in
//! matrix or `"all"` (a config names them, as `configs/python.toml` does).

pub use crate::catalogue::PYTHON_MODELS as MODELS;

/// The prefix of every Python entry's name.
pub const PREFIX: &str = "py-";

/// True when `model` names a Python entry.
pub fn is_python(model: &str) -> bool {
    model.starts_with(PREFIX)
}

/// Each Python entry's Rust counterpart: the model that does the same work the same way, the
/// pair the report's "Rust against Python" compares.
pub const COUNTERPARTS: &[(&str, &str)] = &[
    ("py-cpu-sync", "cpu-sync"),
    ("py-cpu-threads", "cpu-threads"),
    ("py-cpu-asyncio", "cpu-async"),
    ("py-cpu-procs", "cpu-procs"),
    ("py-io-sync", "io-sync"),
    ("py-io-threads", "io-threads"),
    ("py-io-asyncio", "io-tokio"),
    ("py-io-hybrid", "io-hybrid"),
    ("py-io-procs", "io-procs"),
    ("py-serve-asyncio", "serve-tokio"),
    ("py-serve-threads", "serve-threads"),
];

/// The Rust counterpart of the Python entry `model`.
pub fn counterpart(model: &str) -> Option<&'static str> {
    COUNTERPARTS.iter().find(|(p, _)| *p == model).map(|(_, r)| *r)
}

/// The README's table of the Python entries (a test keeps the README's copy equal to it).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| entry | family | runs on | how it runs the family's work | Rust counterpart |\n|---|---|---|---|---|\n",
    );
    for m in MODELS {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | `{}` |\n",
            m.name,
            m.family,
            m.runtime,
            m.about,
            counterpart(m.name).unwrap_or("")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_a_program_a_family_prefix_and_a_counterpart() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/python");
        for m in MODELS {
            let rest = m.name.strip_prefix(PREFIX).expect("py- prefix");
            assert!(
                rest.starts_with(m.family.name()),
                "{} is named by its family",
                m.name
            );
            assert!(
                std::path::Path::new(dir).join(format!("{}.py", m.name)).is_file(),
                "{} has its program",
                m.name
            );
            let rust = counterpart(m.name).expect("a counterpart");
            assert_eq!(crate::catalogue::Family::of_model(rust), Some(m.family));
            assert!(!is_python(rust));
        }
        assert_eq!(COUNTERPARTS.len(), MODELS.len());
    }

    #[test]
    fn the_readme_lists_every_python_entry() {
        crate::testing::assert_in_readme(
            &markdown_table(),
            "table of Python entries (crates/core/src/python.rs)",
        );
    }
}
