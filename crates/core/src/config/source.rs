//! Reading a config: the built-in defaults, then `--config FILE`, then each `--set`; every
//! error names its origin (the file with line and column, or the `--set` argument), the key and
//! what is allowed; and the checks of allowed values.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::{AsyncUnits, Config, ScenarioName};

/// A config error: where it came from, which key, what is wrong and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, `--set ...` argument, or "built-in defaults".
    pub origin: String,
    /// Line and column (1-based) in the file, where known.
    pub position: Option<(usize, usize)>,
    /// The dotted key, e.g. `cpu.workers`; empty when the whole file is at fault.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "config error in {}", self.origin)?;
        if let Some((line, col)) = self.position {
            write!(f, " at line {line}, column {col}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": key `{}`", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Loads the config: defaults, then `file` if given, then each `key=value` override.
pub fn load(file: Option<&Path>, sets: &[String]) -> Result<Config, ConfigError> {
    let mut config: Config = load_adjusted(file, sets, scenario_defaults, validate)?;
    config.cpu.chunk = config.cpu.job_items();
    Ok(config)
}

/// Loads the sections that `T` reads from the shared file (the runner reads `[runner]` this
/// way), then checks them with `validate`; errors name the file with line and column, or the
/// `--set` argument, as [`load`]'s do. `T` ignores the sections it does not name.
pub fn load_as<T: DeserializeOwned>(
    file: Option<&Path>,
    sets: &[String],
    validate: impl Fn(&T) -> Result<(), Invalid>,
) -> Result<T, ConfigError> {
    load_adjusted(file, sets, |_, _| {}, validate)
}

/// [`load_as`], with `adjust` filling in, before the checks, the defaults that depend on other
/// keys; it is told which keys the user gave (in the file or a `--set`), which it leaves alone.
fn load_adjusted<T: DeserializeOwned>(
    file: Option<&Path>,
    sets: &[String],
    adjust: impl Fn(&mut T, &dyn Fn(&str) -> bool),
    validate: impl Fn(&T) -> Result<(), Invalid>,
) -> Result<T, ConfigError> {
    let (origin, text) = match file {
        Some(path) => (path.display().to_string(), read(path)?),
        None => ("built-in defaults".to_string(), String::new()),
    };
    let config: T = parse_as(&origin, &text)?;
    // The file as a table, read once: the base of the `--set`s and what tells a key the user gave.
    let file_table: toml::Table = toml::from_str(&text).expect("text parsed above");
    let mut set_keys = Vec::new();
    let mut config = if sets.is_empty() {
        config
    } else {
        let mut table = file_table.clone();
        for arg in sets {
            set_keys.push((apply_set(&mut table, arg)?, arg.clone()));
        }
        from_table(table, &set_keys)?
    };
    let given = |key: &str| {
        set_keys.iter().any(|(k, _)| k == key)
            || key.split_once('.').is_some_and(|(section, field)| {
                file_table
                    .get(section)
                    .and_then(toml::Value::as_table)
                    .is_some_and(|t| t.contains_key(field))
            })
    };
    adjust(&mut config, &given);
    validate(&config).map_err(|Invalid { key, message }| {
        match set_keys.iter().rfind(|(k, _)| *k == key) {
            Some((_, arg)) => set_error(arg, &key, message),
            None => ConfigError {
                position: locate(&text, &key),
                origin,
                key,
                message,
            },
        }
    })?;
    Ok(config)
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError {
        origin: path.display().to_string(),
        position: None,
        key: String::new(),
        message: format!("cannot read the file: {e}"),
    })
}

/// Parses TOML text into a config, naming `origin` in errors.
pub fn parse(origin: &str, text: &str) -> Result<Config, ConfigError> {
    parse_as(origin, text)
}

fn parse_as<T: DeserializeOwned>(origin: &str, text: &str) -> Result<T, ConfigError> {
    let error = |key: String, e: toml::de::Error| ConfigError {
        origin: origin.to_string(),
        position: e.span().map(|span| line_col(text, span.start)),
        key,
        message: e.message().trim().to_string(),
    };
    let de = toml::Deserializer::parse(text).map_err(|e| error(String::new(), e))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = path_key(e.path());
        error(key, e.into_inner())
    })
}

fn from_table<T: DeserializeOwned>(
    table: toml::Table,
    set_keys: &[(String, String)],
) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
        let key = path_key(e.path());
        let arg = set_keys
            .iter()
            .rfind(|(k, _)| key.starts_with(k.as_str()) || k.starts_with(key.as_str()))
            .or(set_keys.last())
            .map(|(_, arg)| arg.clone())
            .unwrap_or_default();
        set_error(&arg, &key, e.into_inner().message().trim().to_string())
    })
}

fn set_error(arg: &str, key: &str, message: String) -> ConfigError {
    ConfigError {
        origin: format!("--set {arg}"),
        position: None,
        key: key.to_string(),
        message,
    }
}

fn path_key(path: &serde_path_to_error::Path) -> String {
    let key = path.to_string();
    if key == "." { String::new() } else { key }
}

/// Applies one `section.key=value` to the table; returns the dotted key.
fn apply_set(table: &mut toml::Table, arg: &str) -> Result<String, ConfigError> {
    let usage = |message: &str| set_error(arg, "", message.to_string());
    let (key, raw) = arg
        .split_once('=')
        .ok_or_else(|| usage("expected section.key=value"))?;
    let (section, field) = key
        .trim()
        .split_once('.')
        .filter(|(s, f)| !s.is_empty() && !f.is_empty() && !f.contains('.'))
        .ok_or_else(|| usage("expected section.key=value, e.g. cpu.workers=4"))?;
    let entry = table
        .entry(section.to_string())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let toml::Value::Table(section_table) = entry else {
        return Err(usage("that section is not a table"));
    };
    section_table.insert(field.to_string(), set_value(raw));
    Ok(format!("{section}.{field}"))
}

/// Reads a `--set` value as a TOML value, or as a plain string where it is not valid TOML.
/// A `--set` value: TOML when it parses as TOML (`2`, `true`, `[1, 2]`), else a plain string.
pub fn set_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Where `section.key` is written in `text`, if it is.
fn locate(text: &str, key: &str) -> Option<(usize, usize)> {
    let (section, field) = key.split_once('.')?;
    let doc = toml::de::DeTable::parse(text).ok()?;
    let section = doc.get_ref().get(section)?.get_ref().as_table()?;
    let (name, _) = section.get_key_value(field)?;
    Some(line_col(text, name.span().start))
}

/// A value that parsed but is not allowed: its dotted key and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The dotted key, e.g. `cpu.workers`.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

/// The highest `io.rate`, requests per second.
const MAX_RATE: f64 = 1_000_000.0;
/// The longest open-loop schedule, `io.requests / io.rate`, seconds.
const MAX_SCHEDULE_S: f64 = 3600.0;

/// The defaults a scenario brings, unless the user set the key: the switch passes its token
/// between two units, so `--set scenario.name=switch` alone runs.
fn scenario_defaults(c: &mut Config, given: &dyn Fn(&str) -> bool) {
    if c.scenario.name == ScenarioName::Switch && !given("scenario.units") {
        c.scenario.units = 2;
    }
}

fn validate(c: &Config) -> Result<(), Invalid> {
    range("cpu.urls", c.cpu.urls, 1, 10_000_000)?;
    range("cpu.passes", c.cpu.passes, 1, 10_000)?;
    range("cpu.workers", c.cpu.workers, 1, 1024)?;
    range("cpu.chunk", c.cpu.chunk, 0, 1_000_000_000)?;
    range("cpu.numbers", c.cpu.numbers, 1, 100_000_000_000)?;
    range("cpu.records", c.cpu.records, 1, 100_000_000)?;
    check(
        "cpu.host",
        !c.cpu.host.is_empty() && !c.cpu.host.contains(['/', '?', ' ']),
        "a non-empty host[:port] without '/', '?' or spaces",
    )?;
    check(
        "io.target",
        !c.io.target.starts_with("https://"),
        "\"spawn\" or an http:// base URL: TLS is not supported, so https:// targets cannot be used",
    )?;
    check(
        "io.target",
        c.io.target == "spawn" || c.io.target.starts_with("http://") && c.io.target.len() > "http://".len(),
        "\"spawn\" or a base URL such as \"http://127.0.0.1:8080\"",
    )?;
    range("io.requests", c.io.requests, 1, 10_000_000)?;
    check(
        "io.endpoints",
        !c.io.endpoints.is_empty() && c.io.endpoints.iter().all(|e| e.starts_with('/')),
        "a non-empty list of paths that start with '/'",
    )?;
    range("io.concurrency", c.io.concurrency, 1, 1_000_000)?;
    range("io.workers", c.io.workers, 1, 1_000_000)?;
    range("io.timeout_ms", c.io.timeout_ms, 1, 3_600_000)?;
    range("io.buffer_kib", c.io.buffer_kib, 0, 1024)?;
    check(
        "io.rate",
        c.io.rate == 0.0 || c.io.rate.is_finite() && c.io.rate > 0.0 && c.io.rate <= MAX_RATE,
        &format!(
            "0 (closed loop) or requests per second above 0, at most {MAX_RATE} (got {})",
            c.io.rate
        ),
    )?;
    check(
        "io.rate",
        c.io.rate == 0.0 || c.io.requests as f64 / c.io.rate <= MAX_SCHEDULE_S,
        &format!(
            "a rate at which io.requests ({}) are all due within {MAX_SCHEDULE_S} s (got {} req/s: {:.0} s)",
            c.io.requests,
            c.io.rate,
            c.io.requests as f64 / c.io.rate
        ),
    )?;
    range("scenario.units", c.scenario.units, 1, 10_000_000)?;
    range("scenario.sleep_ms", c.scenario.sleep_ms, 0, 600_000)?;
    range("scenario.rows", c.scenario.rows, 1, 1_000_000)?;
    range("scenario.file_bytes", c.scenario.file_bytes, 1, 1 << 30)?;
    range("scenario.switches", c.scenario.switches, 2, 100_000_000)?;
    range("scenario.cpus", c.scenario.cpus, 0, super::cores())?;
    check(
        "scenario.units",
        c.scenario.name != ScenarioName::Switch || c.scenario.units == 2,
        &format!(
            "2 with scenario.name = \"switch\" (two units pass the token; got {})",
            c.scenario.units
        ),
    )?;
    check(
        "scenario.data",
        c.scenario.data.is_empty() || !Path::new(&c.scenario.data).exists(),
        &format!(
            "\"\" (a temporary file) or the path of a file that does not exist yet (got \"{}\", which exists)",
            c.scenario.data
        ),
    )?;
    check(
        "scenario.async_units",
        c.scenario.async_units == AsyncUnits::Spawned || c.scenario.name == ScenarioName::IdleScale,
        "\"spawned\", or \"futures\" with scenario.name = \"idle-scale\" (the only scenario with unspawned units)",
    )?;
    range("serve.connections", c.serve.connections, 1, 100_000)?;
    range("serve.round_trips", c.serve.round_trips, 1, 1_000_000)?;
    range("serve.message_bytes", c.serve.message_bytes, 1, 1 << 20)?;
    range("serve.think_ms", c.serve.think_ms, 0, 60_000)?;
    range("serve.work_ms", c.serve.work_ms, 0, 60_000)?;
    range("serve.hold_ms", c.serve.hold_ms, 0, 600_000)?;
    skew("serve", &c.serve.skew())?;
    skew("io", &c.io.skew())?;
    range("serve.workers", c.serve.workers, 1, 10_000)?;
    range("serve.timeout_ms", c.serve.timeout_ms, 1, 3_600_000)?;
    range("serve.loadgens", c.serve.loadgens, 1, 16)?;
    range("sampler.interval_ms", c.sampler.interval_ms, 1, 60_000)?;
    Ok(())
}

/// The three keys of uneven load under `section`.
fn skew(section: &str, s: &crate::skew::Skew) -> Result<(), Invalid> {
    range(&format!("{section}.spin_rounds"), s.spin_rounds, 0, 1_000_000_000)?;
    check(
        &format!("{section}.heavy_share"),
        (0.0..=1.0).contains(&s.heavy_share),
        &format!("a share from 0 to 1 (got {})", s.heavy_share),
    )?;
    range(&format!("{section}.heavy_factor"), s.heavy_factor, 1, 10_000)
}

/// `value` lies in `min..=max`, else an [`Invalid`] for `key` naming the range.
pub fn range<T: PartialOrd + fmt::Display>(key: &str, value: T, min: T, max: T) -> Result<(), Invalid> {
    let allowed = format!("an integer from {min} to {max} (got {value})");
    check(key, value >= min && value <= max, &allowed)
}

/// `ok`, else an [`Invalid`] for `key`: "expected {allowed}".
pub fn check(key: &str, ok: bool, allowed: &str) -> Result<(), Invalid> {
    if ok {
        Ok(())
    } else {
        Err(Invalid {
            key: key.to_string(),
            message: format!("expected {allowed}"),
        })
    }
}

/// The config as JSON, for the `config` field of a report.
pub fn to_json(config: &Config) -> serde_json::Value {
    serde_json::to_value(config).expect("a config always serializes")
}

/// Path of the workspace's `configs/` folder (for tests and tools run from the source tree).
pub fn configs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs")
}
