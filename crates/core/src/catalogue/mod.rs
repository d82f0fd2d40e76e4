//! The catalogue: every model binary this workspace builds, declared once with its family, its
//! kind, what it runs on, and its entries in the full matrix (those of the default matrix marked).
//!
//! The runner's built-in matrix, `configs/default.toml`, the quick matrix, the Justfile's family
//! recipes and the README's model tables come from this list or are checked against it by tests.
//! A new model of an existing family is its crate plus one [`ModelSpec`] here.

mod python;

pub use python::PYTHON_MODELS;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One model binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    /// The binary's (and its crate's) name, e.g. `io-tokio`.
    pub name: &'static str,
    /// The family whose work it does.
    pub family: Family,
    /// How it runs its units of concurrency (its colour in plots).
    pub kind: Kind,
    /// What it runs on, e.g. `tokio (multi-thread) + hyper 1`.
    pub runtime: &'static str,
    /// How it runs the family's work, in one sentence (the README's model tables).
    pub about: &'static str,
    /// Its entries in the full matrix, in order; those not [`EntrySpec::full_only`] are also in
    /// the default one.
    pub entries: &'static [EntrySpec],
}

/// One entry of the full matrix: the model run with some keys set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntrySpec {
    /// The name in tables and plots; `{section.key}` becomes that key's value for the entry
    /// (`cores` resolved), so `cpu-threads {cpu.workers} threads` reads `cpu-threads 2 threads`
    /// on two cores. Empty: the model's name.
    pub label: &'static str,
    /// `section.key=value` overrides, as `--set` takes them.
    pub set: &'static [&'static str],
    /// A group of its own within the family, compared with that group's entries only.
    pub group: Option<&'static str>,
    /// Only in the full matrix (`models = "full"`, `configs/all.toml`), not in the default one,
    /// which keeps the entries that answer the report's questions in about three minutes.
    pub full_only: bool,
}

impl EntrySpec {
    /// This entry, in the full matrix only.
    const fn full_only(self) -> Self {
        EntrySpec {
            full_only: true,
            ..self
        }
    }
}

/// The entry that runs a model with its family's defaults.
const PLAIN: EntrySpec = EntrySpec {
    label: "",
    set: &[],
    group: None,
    full_only: false,
};

/// The IO models' group at one budget: every entry holds 50 requests in flight.
pub const EQUAL_BUDGET: &str = "equal budget: 50 in flight";

const fn entry(label: &'static str, set: &'static [&'static str]) -> EntrySpec {
    EntrySpec {
        label,
        set,
        group: None,
        full_only: false,
    }
}

const fn at_50(label: &'static str, set: &'static [&'static str]) -> EntrySpec {
    EntrySpec {
        label,
        set,
        group: Some(EQUAL_BUDGET),
        full_only: false,
    }
}

/// Every model, in matrix order.
pub const MODELS: &[ModelSpec] = &[
    ModelSpec {
        name: "cpu-sync",
        family: Family::Cpu,
        kind: Kind::Sync,
        runtime: "std",
        about: "one thread, one loop: the baseline",
        entries: &[PLAIN],
    },
    ModelSpec {
        name: "cpu-async",
        family: Family::Cpu,
        kind: Kind::Async,
        runtime: "tokio (current-thread, multi-thread), smol, async-std (`cpu.runtime`)",
        about: "one task per `cpu.chunk` items on `cpu.runtime`; the multi-threaded runtimes on `cpu.workers` threads",
        entries: &[
            entry(
                "cpu-async tokio-current-thread",
                &["cpu.runtime=tokio-current-thread"],
            )
            .full_only(),
            entry(
                "cpu-async tokio-multi-thread",
                &["cpu.runtime=tokio-multi-thread"],
            ),
            entry("cpu-async smol", &["cpu.runtime=smol"]),
            entry("cpu-async async-std", &["cpu.runtime=async-std"]).full_only(),
        ],
    },
    ModelSpec {
        name: "cpu-threads",
        family: Family::Cpu,
        kind: Kind::Pool,
        runtime: "threadpool",
        about: "jobs of `cpu.chunk` items on a `threadpool` of `cpu.workers` threads",
        entries: &[
            entry("cpu-threads {cpu.workers} threads", &["cpu.workers=cores"]),
            entry("cpu-threads {cpu.workers} threads", &["cpu.workers=5*cores"]).full_only(),
        ],
    },
    ModelSpec {
        name: "cpu-rayon",
        family: Family::Cpu,
        kind: Kind::Pool,
        runtime: "rayon",
        about: "rayon's parallel iterator over the same jobs of `cpu.chunk` items, on a pool of `cpu.workers` threads (work stealing)",
        entries: &[entry("cpu-rayon {cpu.workers} threads", &["cpu.workers=cores"])],
    },
    ModelSpec {
        name: "cpu-may",
        family: Family::Cpu,
        kind: Kind::Async,
        runtime: "may 0.3 (stackful coroutines)",
        about: "a may coroutine (32 KiB stack) per job of `cpu.chunk` items, on may's scheduler of `cpu.workers` threads",
        entries: &[entry("cpu-may {cpu.workers} threads", &["cpu.workers=cores"]).full_only()],
    },
    ModelSpec {
        name: "cpu-procs",
        family: Family::Cpu,
        kind: Kind::Processes,
        runtime: "child processes over pipes",
        about: "`cpu.workers` child processes, each sent its shard of the distinct items over a pipe once, counting it `cpu.passes` times, its tally read back as JSON",
        entries: &[
            entry("cpu-procs {cpu.workers} processes", &["cpu.workers=cores"]),
            entry("cpu-procs {cpu.workers} processes", &["cpu.workers=5*cores"]).full_only(),
        ],
    },
    ModelSpec {
        name: "io-sync",
        family: Family::Io,
        kind: Kind::Sync,
        runtime: "ureq",
        about: "one thread, one `ureq` agent, one request after another: the baseline (1 in flight)",
        entries: &[PLAIN.full_only()],
    },
    ModelSpec {
        name: "io-threads",
        family: Family::Io,
        kind: Kind::Pool,
        runtime: "threadpool + ureq",
        about: "a `threadpool` of `io.workers` threads sharing one `ureq` agent, a request per job (`io.workers` in flight)",
        entries: &[
            entry("io-threads {io.workers} threads", &["io.workers=10"]).full_only(),
            entry("io-threads {io.workers} threads", &["io.workers=100"]).full_only(),
            entry("io-threads {io.workers} threads", &["io.workers=1000"]).full_only(),
            at_50("io-threads at 50", &["io.workers=50"]),
        ],
    },
    ModelSpec {
        name: "io-tokio",
        family: Family::Io,
        kind: Kind::Async,
        runtime: "tokio (multi-thread) + hyper 1",
        about: "tokio's multi-threaded runtime, hyper 1's HTTP/1 client on hyper-util's tokio adapters (`io.concurrency` in flight)",
        entries: &[PLAIN.full_only(), at_50("io-tokio at 50", &["io.concurrency=50"])],
    },
    ModelSpec {
        name: "io-smol",
        family: Family::Io,
        kind: Kind::Async,
        runtime: "smol + hyper 1",
        about: "a smol `Executor` on a thread per core, hyper 1 through smol-hyper (`io.concurrency` in flight)",
        entries: &[PLAIN.full_only(), at_50("io-smol at 50", &["io.concurrency=50"])],
    },
    ModelSpec {
        name: "io-async-std",
        family: Family::Io,
        kind: Kind::Async,
        runtime: "async-std + hyper 1 (legacy)",
        about: "async-std's executor, hyper 1 through smol-hyper's futures-io adapter; discontinued upstream, reports say `legacy` (`io.concurrency` in flight)",
        entries: &[
            PLAIN.full_only(),
            at_50("io-async-std at 50", &["io.concurrency=50"]).full_only(),
        ],
    },
    ModelSpec {
        name: "io-hybrid",
        family: Family::Io,
        kind: Kind::Hybrid,
        runtime: "tokio current-thread loops, or tokio + a blocking pool of ureq",
        about: "`loop-per-thread`: `io.workers` threads each with its own tokio loop sharing the `io.concurrency` slots; `blocking-pool`: each request a blocking `ureq` call on tokio's pool of `io.workers` threads",
        entries: &[
            entry(
                "io-hybrid {io.workers} loops",
                &["io.hybrid_mode=loop-per-thread", "io.workers=10"],
            )
            .full_only(),
            entry(
                "io-hybrid {io.workers} loops",
                &["io.hybrid_mode=loop-per-thread", "io.workers=100"],
            )
            .full_only(),
            entry(
                "io-hybrid pool of {io.workers}",
                &["io.hybrid_mode=blocking-pool", "io.workers=10"],
            )
            .full_only(),
            entry(
                "io-hybrid pool of {io.workers}",
                &["io.hybrid_mode=blocking-pool", "io.workers=100"],
            )
            .full_only(),
            at_50(
                "io-hybrid {io.workers} loops at 50",
                &[
                    "io.hybrid_mode=loop-per-thread",
                    "io.workers=cores",
                    "io.concurrency=50",
                ],
            ),
            at_50(
                "io-hybrid pool at 50",
                &[
                    "io.hybrid_mode=blocking-pool",
                    "io.workers=50",
                    "io.concurrency=50",
                ],
            )
            .full_only(),
        ],
    },
    ModelSpec {
        name: "io-compio",
        family: Family::Io,
        kind: Kind::Hybrid,
        runtime: "compio 0.19 (io_uring) + hyper 1 via cyper-core",
        about: "`io.workers` threads, each a compio io_uring loop with its share of the `io.concurrency` slots; hyper 1 through cyper-core's completion-based stream",
        entries: &[
            entry("io-compio {io.workers} rings", &["io.workers=cores"]).full_only(),
            at_50(
                "io-compio {io.workers} rings at 50",
                &["io.workers=cores", "io.concurrency=50"],
            ),
        ],
    },
    ModelSpec {
        name: "io-monoio",
        family: Family::Io,
        kind: Kind::Hybrid,
        runtime: "monoio 0.2 (io_uring) + hyper 1 via monoio-compat",
        about: "`io.workers` threads, each a monoio io_uring loop with its share of the `io.concurrency` slots; hyper 1 through monoio-compat over monoio's poll-io (readiness, then plain socket calls)",
        entries: &[
            entry("io-monoio {io.workers} rings", &["io.workers=cores"]).full_only(),
            at_50(
                "io-monoio {io.workers} rings at 50",
                &["io.workers=cores", "io.concurrency=50"],
            ),
        ],
    },
    ModelSpec {
        name: "io-may",
        family: Family::Io,
        kind: Kind::Async,
        runtime: "may 0.3 (stackful coroutines) + ureq over may's sockets",
        about: "a may coroutine per in-flight slot on may's scheduler of `io.workers` threads, each sending with the blocking `ureq` client over may's coroutine-aware sockets (`io.concurrency` in flight)",
        entries: &[
            entry("io-may", &["io.workers=cores"]).full_only(),
            at_50("io-may at 50", &["io.workers=cores", "io.concurrency=50"]).full_only(),
        ],
    },
    ModelSpec {
        name: "io-procs",
        family: Family::Io,
        kind: Kind::Processes,
        runtime: "child processes, each with ureq",
        about: "`io.workers` child processes, each sending a contiguous shard with its own `ureq` agent (`io.workers` in flight)",
        entries: &[PLAIN.full_only(), at_50("io-procs at 50", &["io.workers=50"])],
    },
    ModelSpec {
        name: "serve-sync",
        family: Family::Serve,
        kind: Kind::Sync,
        runtime: "std::net",
        about: "one connection at a time: the baseline",
        entries: &[entry("serve-sync", &["serve.connections=1000"])],
    },
    ModelSpec {
        name: "serve-threads",
        family: Family::Serve,
        kind: Kind::Threads,
        runtime: "std::thread",
        about: "an OS thread per connection, 64 KiB stacks",
        entries: &[entry("serve-threads", &["serve.connections=1000"])],
    },
    ModelSpec {
        name: "serve-pool",
        family: Family::Serve,
        kind: Kind::Pool,
        runtime: "threadpool",
        about: "a `threadpool` of `serve.workers` threads, a connection per job",
        entries: &[entry(
            "serve-pool {serve.workers}",
            &["serve.connections=1000", "serve.workers=8"],
        )
        .full_only()],
    },
    ModelSpec {
        name: "serve-tokio",
        family: Family::Serve,
        kind: Kind::Async,
        runtime: "tokio (multi-thread)",
        about: "a task per connection on tokio's multi-threaded runtime",
        entries: &[entry("serve-tokio", &["serve.connections=1000"])],
    },
    ModelSpec {
        name: "serve-smol",
        family: Family::Serve,
        kind: Kind::Async,
        runtime: "smol",
        about: "a task per connection on a smol `Executor` with a thread per core",
        entries: &[entry("serve-smol", &["serve.connections=1000"])],
    },
    ModelSpec {
        name: "serve-async-std",
        family: Family::Serve,
        kind: Kind::Async,
        runtime: "async-std (legacy)",
        about: "a task per connection on async-std's executor (discontinued upstream: `legacy`)",
        entries: &[entry("serve-async-std", &["serve.connections=1000"]).full_only()],
    },
    ModelSpec {
        name: "serve-hybrid",
        family: Family::Serve,
        kind: Kind::Hybrid,
        runtime: "tokio current-thread loops",
        about: "`serve.workers` threads, each a single-threaded tokio loop accepting from one shared listener",
        entries: &[entry(
            "serve-hybrid {serve.workers}",
            &["serve.connections=1000", "serve.workers=cores"],
        )],
    },
    ModelSpec {
        name: "serve-compio",
        family: Family::Serve,
        kind: Kind::Hybrid,
        runtime: "compio 0.19 (io_uring), a ring per thread",
        about: "`serve.workers` threads, each a compio io_uring loop accepting from one shared listener",
        entries: &[entry(
            "serve-compio {serve.workers}",
            &["serve.connections=1000", "serve.workers=cores"],
        )],
    },
    ModelSpec {
        name: "serve-monoio",
        family: Family::Serve,
        kind: Kind::Hybrid,
        runtime: "monoio 0.2 (io_uring), a ring per thread",
        about: "`serve.workers` threads, each a monoio io_uring loop accepting from one shared listener",
        entries: &[entry(
            "serve-monoio {serve.workers}",
            &["serve.connections=1000", "serve.workers=cores"],
        )],
    },
    ModelSpec {
        name: "serve-may",
        family: Family::Serve,
        kind: Kind::Async,
        runtime: "may 0.3 (stackful coroutines)",
        about: "a may coroutine per connection, blocking-style reads and writes on may's sockets, on may's scheduler of `serve.workers` threads",
        entries: &[entry(
            "serve-may {serve.workers}",
            &["serve.connections=1000", "serve.workers=cores"],
        )
        .full_only()],
    },
    ModelSpec {
        name: "serve-procs",
        family: Family::Serve,
        kind: Kind::Processes,
        runtime: "pre-forked processes, each a tokio loop",
        about: "pre-fork: `serve.workers` processes inheriting the listener, each one tokio loop",
        entries: &[entry(
            "serve-procs {serve.workers}",
            &["serve.connections=1000", "serve.workers=cores"],
        )],
    },
];

/// The catalogue's entry for the model binary `name`, or for the Python entry `name`
/// ([`PYTHON_MODELS`]).
pub fn spec(name: &str) -> Option<&'static ModelSpec> {
    every().find(|m| m.name == name)
}

/// Every model binary, then every Python entry.
pub fn every() -> impl Iterator<Item = &'static ModelSpec> {
    MODELS.iter().chain(PYTHON_MODELS)
}

/// The models of `family`, in matrix order.
pub fn of_family(family: Family) -> impl Iterator<Item = &'static ModelSpec> {
    MODELS.iter().filter(move |m| m.family == family)
}

/// The family's one-loop model (its [`Kind::Sync`] binary): the baseline its groups are
/// compared with unless a reference is chosen.
pub fn sync_model(family: Family) -> Option<&'static ModelSpec> {
    of_family(family).find(|m| m.kind == Kind::Sync)
}

/// A model family: the models that do the same work and are compared with each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// CPU-bound: char-encoding and the task-cost scenarios.
    Cpu,
    /// IO-bound: HTTP.
    Io,
    /// Serving: the model is a TCP echo server, a fixed load generator drives it.
    Serve,
}

impl Family {
    /// Every family, in report order.
    pub const ALL: [Family; 3] = [Family::Cpu, Family::Io, Family::Serve];

    /// The name in reports, config sections and file names: `cpu`, `io` or `serve`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Cpu => "cpu",
            Family::Io => "io",
            Family::Serve => "serve",
        }
    }

    /// The family of the model binary `model`, when it is one of [`MODELS`].
    pub fn of_model(model: &str) -> Option<Family> {
        spec(model).map(|m| m.family)
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How a model runs its units of concurrency (its colour in every plot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// One thread, one unit after another.
    Sync,
    /// An OS thread per unit.
    Threads,
    /// A pool of OS threads.
    Pool,
    /// Tasks on an async runtime.
    Async,
    /// Async runtimes on several threads, or async over a blocking pool.
    Hybrid,
    /// Worker processes.
    Processes,
}

impl Kind {
    /// Every kind, in legend order.
    pub const ALL: [Kind; 6] = [
        Kind::Sync,
        Kind::Threads,
        Kind::Pool,
        Kind::Async,
        Kind::Hybrid,
        Kind::Processes,
    ];

    /// The name in legends.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sync => "sync",
            Kind::Threads => "threads",
            Kind::Pool => "thread pool",
            Kind::Async => "async runtime",
            Kind::Hybrid => "hybrid",
            Kind::Processes => "processes",
        }
    }

    /// The kind of a model binary.
    pub fn of_model(model: &str) -> Option<Kind> {
        spec(model).map(|m| m.kind)
    }

    /// The kind of a task-cost unit as the report names it (`task`, `thread`, ...).
    pub fn of_unit(unit: &str) -> Option<Kind> {
        match unit {
            "sequential" => Some(Kind::Sync),
            "thread" => Some(Kind::Threads),
            "pool" | "rayon" => Some(Kind::Pool),
            "task" | "future" | "coroutine" => Some(Kind::Async),
            "process" => Some(Kind::Processes),
            _ => None,
        }
    }
}

/// The README's table of models, one row per catalogue entry: name, family, runtime, what it
/// does. A test keeps the README's copy equal to it.
pub fn markdown_table() -> String {
    let mut out =
        String::from("| model | family | runs on | how it runs the family's work |\n|---|---|---|---|\n");
    for m in MODELS {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            m.name, m.family, m.runtime, m.about
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_family_has_one_sync_model_and_it_is_its_baseline() {
        for (family, name) in [
            (Family::Cpu, "cpu-sync"),
            (Family::Io, "io-sync"),
            (Family::Serve, "serve-sync"),
        ] {
            assert_eq!(sync_model(family).map(|m| m.name), Some(name));
            assert_eq!(
                of_family(family).filter(|m| m.kind == Kind::Sync).count(),
                1,
                "{family:?}"
            );
        }
    }

    #[test]
    fn the_readme_lists_every_model_as_the_catalogue_does() {
        crate::testing::assert_in_readme(
            &markdown_table(),
            "model table (crates/core/src/catalogue/mod.rs)",
        );
    }

    #[test]
    fn every_model_is_named_once_with_entries_of_its_own() {
        let mut names: Vec<&str> = MODELS.iter().map(|m| m.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), MODELS.len(), "names are unique");
        for m in MODELS {
            assert!(
                m.name.starts_with(m.family.name()),
                "{} is named by its family",
                m.name
            );
            assert!(!m.entries.is_empty(), "{} has a default entry", m.name);
            assert_eq!(spec(m.name), Some(m));
            assert_eq!(
                (Family::of_model(m.name), Kind::of_model(m.name)),
                (Some(m.family), Some(m.kind))
            );
        }
        assert_eq!(spec("io-nope"), None);
    }
}
