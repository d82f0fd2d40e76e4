//! `[runner]`: the matrix, its repeats and sweeps. Only the runner reads this section; core
//! passes it through untyped, so one TOML file still serves every binary. Errors name the file
//! with line and column, or the `--set` argument, as core's do.

use std::fmt;
use std::path::Path;

use concbench_core::catalogue;
use concbench_core::config::{self, Config, ConfigError, CpuKernel, Invalid, ScenarioName, check, range};
use concbench_core::report::Family;
use serde::{Deserialize, Serialize};

/// The runner's view of the shared file: `[runner]`, the other sections ignored (core reads them).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RunnerSection {
    runner: RunnerConfig,
}

/// Loads the models' config (core's sections, checked by core) and `[runner]` (checked here)
/// from the defaults, `file` and the `--set` overrides.
pub fn load(file: Option<&Path>, sets: &[String]) -> Result<(Config, RunnerConfig), ConfigError> {
    let models = config::load(file, sets)?;
    let section: RunnerSection = config::load_as(file, sets, |s: &RunnerSection| validate(&s.runner))?;
    Ok((models, section.runner))
}

/// `[runner]`: the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunnerConfig {
    /// Entries to run, in order: a model name, or `{ model, set, label, group }`; or, instead of
    /// a list, `"all"` (every model of the catalogue once, with the config's values),
    /// `"default"` (the built-in matrix) or `"full"` (every model in every group it has).
    #[serde(deserialize_with = "entries")]
    pub models: Vec<Entry>,
    /// Measured rounds: a number, or `"auto"` (rounds until every speed-up is resolved; see
    /// `[runner.auto]`).
    pub repeats: Repeats,
    /// How `repeats = "auto"` decides when to stop.
    pub auto: Auto,
    /// Unmeasured runs per model before the repeats.
    pub warmup: usize,
    /// A run that takes longer is killed and recorded as hung.
    pub run_timeout_s: u64,
    /// `[[runner.sweep]]`: entries run at each value of a key instead of once.
    pub sweep: Vec<Sweep>,
    /// Task-cost scenarios every CPU entry runs, one after another in each round (empty: the
    /// `[scenario]` section decides, once). IO entries run their HTTP workload once.
    pub scenarios: Vec<ScenarioName>,
    /// CPU kernels every CPU entry runs, one after another in each round (empty: `cpu.kernel`
    /// decides, once). Each kernel is a group of its own, with cpu-sync as its baseline.
    pub kernels: Vec<CpuKernel>,
    /// The entry (label or model name) every other entry of its group is compared with,
    /// instead of the sync model.
    pub reference: Option<String>,
    /// The equivalence margin, %: an entry is faster or slower than its baseline only when its
    /// paired 95 % interval lies wholly outside 1 ± this; otherwise the two are tied.
    pub margin_pct: f64,
    /// An A/A control in every group: each measured round also runs the group's baseline a
    /// second time, at a random place in the round; its paired interval against the baseline is
    /// the group's resolution, and a control that comes out faster or slower marks the group's
    /// standings suspect. `false` saves its runs.
    pub control: bool,
}

/// How many measured rounds the matrix runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeats {
    /// Exactly this many.
    Fixed(usize),
    /// Two stages: `auto.min_rounds` pilot rounds of every entry fix, from the spread of each
    /// entry's paired ratios, the rounds at which its interval should reach `auto.target_pct`;
    /// the interval is then drawn from exactly those rounds (a limit of `[runner.auto]` may
    /// end them sooner).
    Auto,
}

impl Serialize for Repeats {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Repeats::Fixed(n) => s.serialize_u64(*n as u64),
            Repeats::Auto => s.serialize_str("auto"),
        }
    }
}

impl<'de> Deserialize<'de> for Repeats {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RepeatsVisitor;
        impl serde::de::Visitor<'_> for RepeatsVisitor {
            type Value = Repeats;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number of rounds or \"auto\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Repeats, E> {
                usize::try_from(v).map(Repeats::Fixed).map_err(|_| {
                    E::custom(format!(
                        "expected a number of rounds from 1 or \"auto\" (got {v})"
                    ))
                })
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Repeats, E> {
                Ok(Repeats::Fixed(v as usize))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Repeats, E> {
                match v {
                    "auto" => Ok(Repeats::Auto),
                    _ => Err(E::custom(format!(
                        "expected a number of rounds or \"auto\" (got \"{v}\")"
                    ))),
                }
            }
        }
        d.deserialize_any(RepeatsVisitor)
    }
}

/// `[runner.auto]`: when `repeats = "auto"` stops adding rounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Auto {
    /// The half-width of a paired speed-up's 95 % interval, as a share of the speed-up, that
    /// the planned rounds aim at, %.
    pub target_pct: f64,
    /// Pilot rounds: every entry runs this many before its rounds are planned (a 95 % interval
    /// needs 6 at the least).
    pub min_rounds: usize,
    /// Stop after this many rounds whatever the intervals.
    pub max_rounds: usize,
    /// Start no round after this many seconds of measured rounds.
    pub budget_s: u64,
}

impl Default for Auto {
    fn default() -> Self {
        Self {
            target_pct: 5.0,
            min_rounds: 6,
            max_rounds: 60,
            budget_s: 150,
        }
    }
}

/// `[[runner.sweep]]`: run some entries at each of several values of one key (e.g.
/// `io.concurrency` over 1 … 10,000), with other keys stepped in lockstep, and plot the metrics
/// against the value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    /// The swept `section.key` (the plots' x axis).
    pub key: String,
    /// The values, numbers, in order.
    pub values: Vec<toml::Value>,
    /// Labels (or model names) of the entries swept; empty: every entry. An entry that some
    /// sweep names runs only at the sweep's values.
    #[serde(default)]
    pub models: Vec<String>,
    /// Other keys set in lockstep: one value per value of `key` (e.g. `io.requests`, so that
    /// a sweep over concurrency keeps each point's duration in bounds).
    #[serde(default)]
    pub with: std::collections::BTreeMap<String, Vec<toml::Value>>,
    /// The x-axis title; sweeps with the same axis share their plots (default: `key`).
    pub axis: Option<String>,
}

impl Sweep {
    /// The x-axis title.
    pub fn axis(&self) -> String {
        self.axis.clone().unwrap_or_else(|| self.key.clone())
    }

    /// Whether this sweep runs `entry`.
    pub fn covers(&self, entry: &Entry) -> bool {
        self.models.is_empty() || self.models.iter().any(|m| entry.is_named(m))
    }
}

/// One entry of the matrix: a model binary, the keys it overrides, and a label.
///
/// In TOML either a bare model name (`"cpu-sync"`) or a table
/// (`{ model = "cpu-threads", set = { "cpu.workers" = 2 }, label = "cpu-threads-2" }`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// The model binary.
    pub model: String,
    /// `section.key` = value overrides, passed to the model as `--set`.
    pub set: std::collections::BTreeMap<String, toml::Value>,
    /// The name in tables and plots; defaults to the model and its overrides.
    pub label: Option<String>,
    /// A group of its own within the family (e.g. `equal budget`): compared with the entries
    /// of that group only, in a section of its own.
    pub group: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryTable {
    model: String,
    #[serde(default)]
    set: std::collections::BTreeMap<String, toml::Value>,
    label: Option<String>,
    group: Option<String>,
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> serde::de::Visitor<'de> for EntryVisitor {
            type Value = Entry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a model name or a table { model, set, label, group }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Entry, E> {
                Ok(Entry::model(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Entry, A::Error> {
                let t = EntryTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Entry {
                    model: t.model,
                    set: t.set,
                    label: t.label,
                    group: t.group,
                })
            }
        }
        d.deserialize_any(EntryVisitor)
    }
}

impl Entry {
    /// A bare model with no overrides.
    pub fn model(name: &str) -> Self {
        Self {
            model: name.into(),
            set: Default::default(),
            label: None,
            group: None,
        }
    }

    /// `name` with `set` overrides and a label.
    pub fn with(name: &str, label: &str, set: &[(&str, toml::Value)]) -> Self {
        Self {
            model: name.into(),
            set: set.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            label: Some(label.into()),
            group: None,
        }
    }

    /// A catalogue entry of the model `model`.
    pub fn of_spec(model: &str, spec: &catalogue::EntrySpec) -> Self {
        let set = spec
            .set
            .iter()
            .map(|s| {
                let (k, v) = s.split_once('=').expect("catalogue sets are key=value");
                (k.to_string(), config::set_value(v))
            })
            .collect();
        Self {
            model: model.into(),
            set,
            label: (!spec.label.is_empty()).then(|| spec.label.to_string()),
            group: spec.group.map(str::to_string),
        }
    }

    /// The label (each `{section.key}` in it replaced by the value this entry sets, a count
    /// such as `cores` resolved), or the model followed by its overrides.
    pub fn name(&self) -> String {
        match &self.label {
            Some(label) => self.fill(label),
            None if self.set.is_empty() => self.model.clone(),
            None => {
                let sets: Vec<String> = self.set.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{} {}", self.model, sets.join(" "))
            }
        }
    }

    /// `label` with each `{section.key}` replaced by the value this entry sets for the key.
    fn fill(&self, label: &str) -> String {
        let mut out = label.to_string();
        for (key, value) in &self.set {
            let shown = match value {
                toml::Value::String(text) => {
                    config::parse_count(text).map_or_else(|| text.clone(), |n| n.to_string())
                }
                other => other.to_string(),
            };
            out = out.replace(&format!("{{{key}}}"), &shown);
        }
        out
    }

    /// Whether `--models NAME` picks this entry: its label, its model, or its family's name.
    pub fn is_picked(&self, name: &str) -> bool {
        self.is_named(name) || name == self.family().name()
    }

    /// The model's family.
    pub fn family(&self) -> Family {
        Family::of_model(&self.model).expect("a model of core's MODELS (validated)")
    }

    /// Whether `name` picks this entry: its label (or default name) or its model.
    pub fn is_named(&self, name: &str) -> bool {
        name == self.model || name == self.name()
    }

    /// The overrides as `--set` arguments: `section.key=VALUE` with the value written as TOML.
    pub fn set_args(&self) -> Vec<String> {
        self.set.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }
}

/// `runner.models`: a list of entries, `"all"`, `"default"` or `"full"`.
fn entries<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Entry>, D::Error> {
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = Vec<Entry>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(
                "a list of entries (a model name or { model, set, label, group }), \"all\", \"default\" or \"full\"",
            )
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Vec<Entry>, E> {
            match v {
                "all" => Ok(catalogue::MODELS.iter().map(|m| Entry::model(m.name)).collect()),
                "default" => Ok(default_matrix()),
                "full" => Ok(full_matrix()),
                other => Err(E::custom(format!(
                    "expected a list of entries, \"all\", \"default\" or \"full\", found \"{other}\""
                ))),
            }
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Vec<Entry>, A::Error> {
            Vec::<Entry>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
        }
    }
    d.deserialize_any(Entries)
}

/// The built-in matrix (= `configs/default.toml`): the catalogue's entries that answer the
/// report's questions in about three minutes of rounds on two cores. The CPU family at
/// 100,000 URLs (sync, threads, rayon and processes at `cores`, tokio's multi-threaded runtime
/// and smol); the IO models at one budget, 50 in flight (threads, tokio, smol, tokio loops per
/// thread, compio, monoio, processes); the serving family at 1,000 connections (sync, a thread
/// per connection, tokio, smol, tokio loops, compio, monoio, pre-forked processes).
pub fn default_matrix() -> Vec<Entry> {
    matrix(|e| !e.full_only)
}

/// The full matrix (`models = "full"`, `configs/all.toml`): every entry of the catalogue,
/// every model in every group it has.
pub fn full_matrix() -> Vec<Entry> {
    matrix(|_| true)
}

/// The catalogue's entries that `keep`, family by family, each family's own groups after its
/// main group.
fn matrix(keep: impl Fn(&catalogue::EntrySpec) -> bool) -> Vec<Entry> {
    let mut specs: Vec<(&catalogue::ModelSpec, &catalogue::EntrySpec)> = catalogue::MODELS
        .iter()
        .flat_map(|m| m.entries.iter().map(move |e| (m, e)))
        .filter(|(_, e)| keep(e))
        .collect();
    specs.sort_by_key(|(m, e)| (m.family, e.group.is_some()));
    specs
        .into_iter()
        .map(|(m, e)| Entry::of_spec(m.name, e))
        .collect()
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            models: default_matrix(),
            repeats: Repeats::Auto,
            auto: Auto::default(),
            warmup: 1,
            run_timeout_s: 300,
            sweep: Vec::new(),
            scenarios: Vec::new(),
            kernels: Vec::new(),
            reference: None,
            margin_pct: crate::record::DEFAULT_MARGIN_PCT,
            control: true,
        }
    }
}

fn validate(r: &RunnerConfig) -> Result<(), Invalid> {
    if let Repeats::Fixed(n) = r.repeats {
        range("runner.repeats", n, 1, 10_000)?;
    }
    check(
        "runner.auto",
        r.auto.target_pct > 0.0 && r.auto.target_pct <= 100.0,
        &format!("`target_pct` above 0 and at most 100 (got {})", r.auto.target_pct),
    )?;
    check(
        "runner.auto",
        (1..=10_000).contains(&r.auto.min_rounds),
        &format!("`min_rounds` from 1 to 10000 (got {})", r.auto.min_rounds),
    )?;
    check(
        "runner.auto",
        r.auto.max_rounds >= r.auto.min_rounds && r.auto.max_rounds <= 10_000,
        &format!(
            "`max_rounds` from `min_rounds` ({}) to 10000 (got {})",
            r.auto.min_rounds, r.auto.max_rounds
        ),
    )?;
    check(
        "runner.auto",
        (1..=86_400).contains(&r.auto.budget_s),
        &format!("`budget_s` from 1 to 86400 (got {})", r.auto.budget_s),
    )?;
    check(
        "runner.margin_pct",
        (0.0..=50.0).contains(&r.margin_pct),
        &format!("from 0 to 50 (got {})", r.margin_pct),
    )?;
    range("runner.warmup", r.warmup, 0, 1_000)?;
    range("runner.run_timeout_s", r.run_timeout_s, 1, 86_400)?;
    check(
        "runner.models",
        !r.models.is_empty(),
        "at least one entry (got an empty list)",
    )?;
    let mut names = std::collections::BTreeSet::new();
    for entry in &r.models {
        validate_entry(entry, &mut names)?;
    }
    for (n, sweep) in r.sweep.iter().enumerate() {
        validate_sweep(r, n + 1, sweep)?;
    }
    check(
        "runner.kernels",
        r.kernels.is_empty() || r.scenarios.is_empty(),
        "runner.kernels or runner.scenarios, not both: the kernels are the family's own workload, the scenarios replace it",
    )?;
    if let Some(reference) = &r.reference {
        check(
            "runner.reference",
            r.models.iter().any(|e| e.is_named(reference)),
            &format!("a label or model name of runner.models (\"{reference}\" is none)"),
        )?;
    }
    Ok(())
}

/// A `section.key` outside `[runner]`: what a matrix entry or a sweep may set.
fn is_model_key(key: &str) -> bool {
    key.split_once('.')
        .is_some_and(|(s, k)| !s.is_empty() && !k.is_empty() && s != "runner")
}

fn validate_entry(entry: &Entry, names: &mut std::collections::BTreeSet<String>) -> Result<(), Invalid> {
    let model = &entry.model;
    let known: Vec<&str> = catalogue::every().map(|m| m.name).collect();
    check(
        "runner.models",
        known.contains(&model.as_str()),
        &format!("model names from: {} (got \"{model}\")", known.join(", ")),
    )?;
    let name = entry.name();
    check(
        "runner.models",
        !(name.contains('{') && name.contains('}')),
        &format!("a label whose `{{section.key}}` names a key the entry sets (\"{name}\")"),
    )?;
    check(
        "runner.models",
        names.insert(name.clone()),
        &format!("distinct labels (\"{name}\" twice)"),
    )?;
    for key in entry.set.keys() {
        check(
            "runner.models",
            is_model_key(key),
            &format!("`set` keys of the form section.key outside [runner] (got \"{key}\" in \"{name}\")"),
        )?;
    }
    Ok(())
}

fn validate_sweep(r: &RunnerConfig, n: usize, sweep: &Sweep) -> Result<(), Invalid> {
    let key = "runner.sweep";
    check(
        key,
        is_model_key(&sweep.key),
        &format!(
            "`key` of the form section.key outside [runner] (got \"{}\" in sweep {n})",
            sweep.key
        ),
    )?;
    check(
        key,
        (1..=100).contains(&sweep.values.len())
            && sweep.values.iter().all(|v| v.is_integer() || v.is_float()),
        &format!("`values`: 1 to 100 numbers (sweep {n}, key {})", sweep.key),
    )?;
    for (k, values) in &sweep.with {
        check(
            key,
            is_model_key(k) && *k != sweep.key,
            &format!(
                "`with` keys of the form section.key outside [runner], other than `key` (got \"{k}\" in sweep {n})"
            ),
        )?;
        check(
            key,
            values.len() == sweep.values.len(),
            &format!(
                "`with` lists as long as `values` ({} values; \"{k}\" has {} in sweep {n})",
                sweep.values.len(),
                values.len()
            ),
        )?;
    }
    for m in &sweep.models {
        check(
            key,
            r.models.iter().any(|e| e.is_named(m)),
            &format!("`models` naming entries of runner.models (\"{m}\" in sweep {n} is none)"),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_err(text: &str, sets: &[&str]) -> String {
        concbench_core::testing::config_error(text, sets, |file, sets| load(Some(file), sets))
    }

    #[test]
    fn the_matrices_come_from_the_catalogue() {
        let models: Vec<&str> = catalogue::MODELS.iter().map(|m| m.name).collect();
        let (_, quick) = load(Some(&config::configs_dir().join("quick.toml")), &[]).unwrap();
        let quick: Vec<&str> = quick.models.iter().map(|e| e.model.as_str()).collect();
        assert_eq!(quick, models, "the quick matrix runs every model once");
        let matrix = full_matrix();
        let n: usize = catalogue::MODELS.iter().map(|m| m.entries.len()).sum();
        assert_eq!(matrix.len(), n);
        for m in catalogue::MODELS {
            assert!(
                matrix.iter().any(|e| e.model == m.name),
                "{} is in the full matrix",
                m.name
            );
        }
        let cores = config::cores();
        let names: Vec<String> = matrix.iter().map(Entry::name).collect();
        assert!(
            names.contains(&format!("cpu-threads {cores} threads")),
            "{names:?}"
        );
        assert!(
            names.contains(&format!("cpu-threads {} threads", 5 * cores)),
            "{names:?}"
        );
        assert!(names.contains(&"io-threads 100 threads".to_string()), "{names:?}");
        let families: Vec<Family> = matrix.iter().map(Entry::family).collect();
        assert!(families.is_sorted(), "family by family: {families:?}");
        let io: Vec<Entry> = matrix.iter().filter(|e| e.is_picked("io")).cloned().collect();
        let io_entries: usize = catalogue::of_family(Family::Io).map(|m| m.entries.len()).sum();
        assert!(
            io.iter().all(|e| e.family() == Family::Io) && io.len() == io_entries,
            "{}",
            io.len()
        );
        // The default matrix: what the answers need, in the full one's order.
        let default: Vec<String> = default_matrix().iter().map(Entry::name).collect();
        assert_eq!(
            default,
            [
                "cpu-sync".to_string(),
                "cpu-async tokio-multi-thread".into(),
                "cpu-async smol".into(),
                format!("cpu-threads {cores} threads"),
                format!("cpu-rayon {cores} threads"),
                format!("cpu-procs {cores} processes"),
                "io-threads at 50".into(),
                "io-tokio at 50".into(),
                "io-smol at 50".into(),
                format!("io-hybrid {cores} loops at 50"),
                format!("io-compio {cores} rings at 50"),
                format!("io-monoio {cores} rings at 50"),
                "io-procs at 50".into(),
                "serve-sync".into(),
                "serve-threads".into(),
                "serve-tokio".into(),
                "serve-smol".into(),
                format!("serve-hybrid {cores}"),
                format!("serve-compio {cores}"),
                format!("serve-monoio {cores}"),
                format!("serve-procs {cores}"),
            ]
        );
        assert!(default_matrix().iter().all(|e| names.contains(&e.name())));
        let (_, all) = load(Some(&config::configs_dir().join("all.toml")), &[]).unwrap();
        assert_eq!(all.models, matrix, "configs/all.toml runs the full matrix");
        let bad = load_err("[runner]\nmodels = \"every\"\n", &[]);
        assert!(
            bad.contains("\"all\", \"default\" or \"full\"") && bad.contains("every"),
            "{bad}"
        );
        let bad = load_err(
            "[runner]\nmodels = [{ model = \"io-tokio\", label = \"io-tokio {io.workers}\" }]\n",
            &[],
        );
        assert!(bad.contains("names a key the entry sets"), "{bad}");
    }

    #[test]
    fn default_toml_equals_the_builtin_matrix() {
        let file = config::configs_dir().join("default.toml");
        let (_, runner) = load(Some(&file), &[]).unwrap();
        assert_eq!(
            runner,
            RunnerConfig::default(),
            "configs/default.toml drifted from the built-in matrix"
        );
        for entry in std::fs::read_dir(config::configs_dir()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                load(Some(&path), &[]).unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }

    #[test]
    fn a_reference_must_name_an_entry() {
        let err = load_err(
            "[runner]\nmodels = [\"cpu-sync\", \"cpu-async\"]\nreference = \"cpu-gpu\"\n",
            &[],
        );
        assert!(
            err.contains("line 3, column 1")
                && err.contains("`runner.reference`")
                && err.contains("\"cpu-gpu\" is none"),
            "{err}"
        );
        let file = concbench_core::testing::config_file(
            "[runner]\nmodels = [\"cpu-sync\", \"cpu-async\"]\nreference = \"cpu-async\"\n",
        );
        let (_, runner) = load(Some(&file), &[]).unwrap();
        assert_eq!(runner.reference.as_deref(), Some("cpu-async"));
    }

    #[test]
    fn runner_errors_name_line_column_key_and_what_is_allowed() {
        let err = load_err("[cpu]\nurls = 5\n\n[runner]\nmodels = [\"cpu-gpu\"]\n", &[]);
        assert!(
            err.contains("line 5, column 1")
                && err.contains("`runner.models`")
                && err.contains("cpu-sync")
                && err.contains("cpu-gpu"),
            "{err}"
        );
        let err = load_err("[runner]\nrepeets = 3\n", &[]);
        assert!(
            err.contains("line 2, column 1") && err.contains("`runner.repeets`") && err.contains("`repeats`"),
            "{err}"
        );
        let err = load_err("[runner]\nrepeats = 3\n", &["runner.repeats=0"]);
        assert!(
            err.contains("--set runner.repeats=0") && err.contains("from 1 to 10000 (got 0)"),
            "{err}"
        );
        let err = load_err("[cpu]\nworkers = 0\n", &[]);
        assert!(
            err.contains("`cpu.workers`"),
            "core still checks its sections: {err}"
        );
    }

    #[test]
    fn sweeps_are_checked_and_name_what_is_wrong() {
        let base = "[runner]\nmodels = [\"cpu-sync\", \"io-tokio\"]\n[[runner.sweep]]\n";
        for (sweep, wanted) in [
            ("key = \"runner.repeats\"\nvalues = [1]\n", "outside [runner]"),
            ("key = \"io.concurrency\"\nvalues = []\n", "1 to 100 numbers"),
            (
                "key = \"io.concurrency\"\nvalues = [\"ten\"]\n",
                "1 to 100 numbers",
            ),
            (
                "key = \"io.concurrency\"\nvalues = [1, 10]\nwith = { \"io.requests\" = [5] }\n",
                "\"io.requests\" has 1",
            ),
            (
                "key = \"io.concurrency\"\nvalues = [1]\nmodels = [\"io-smol\"]\n",
                "\"io-smol\" in sweep 1 is none",
            ),
            ("key = \"io.concurrency\"\nvalue = [1]\n", "value"),
        ] {
            let err = load_err(&format!("{base}{sweep}"), &[]);
            assert!(err.contains(wanted), "{sweep}: {err}");
        }
        let ok = format!("{base}key = \"io.concurrency\"\nvalues = [1, 10.5]\nmodels = [\"io-tokio\"]\n");
        let file = concbench_core::testing::config_file(&ok);
        let (_, runner) = load(Some(&file), &[]).unwrap();
        let sweep = &runner.sweep[0];
        assert_eq!(
            (sweep.axis(), sweep.values.len()),
            ("io.concurrency".to_string(), 2)
        );
        assert!(sweep.covers(&Entry::model("io-tokio")) && !sweep.covers(&Entry::model("cpu-sync")));
    }

    #[test]
    fn runner_kernels_take_kernel_names_and_exclude_scenarios() {
        let err = load_err("[runner]\nkernels = [\"sqrt-sum\", \"matmul\"]\n", &[]);
        assert!(
            err.contains("matmul") && err.contains("filter-aggregate"),
            "{err}"
        );
        let err = load_err(
            "[runner]\nkernels = [\"sqrt-sum\"]\nscenarios = [\"squares\"]\n",
            &[],
        );
        assert!(
            err.contains("`runner.kernels`") && err.contains("not both"),
            "{err}"
        );
    }

    #[test]
    fn runner_scenarios_take_scenario_names() {
        let err = load_err("[runner]\nscenarios = [\"spawn-only\", \"nap\"]\n", &[]);
        assert!(err.contains("nap") && err.contains("spawn-only"), "{err}");
    }
}
