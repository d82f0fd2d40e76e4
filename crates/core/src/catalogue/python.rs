//! The Python entries of the catalogue: the study's programs under `scripts/python/`, declared
//! as the Rust models are, but with no entries of the matrix.

use super::{Family, Kind, ModelSpec};

const fn py(
    name: &'static str,
    family: Family,
    kind: Kind,
    runtime: &'static str,
    about: &'static str,
) -> ModelSpec {
    ModelSpec {
        name,
        family,
        kind,
        runtime,
        about,
        entries: &[],
    }
}

/// Every Python entry (`scripts/python/py-*.py`), family by family: never in the built-in
/// matrix or `"all"`; `crate::python` holds their Rust counterparts.
pub const PYTHON_MODELS: &[ModelSpec] = &[
    py(
        "py-cpu-sync",
        Family::Cpu,
        Kind::Sync,
        "CPython",
        "the study's loop: every character encoded and its length added, one thread",
    ),
    py(
        "py-cpu-threads",
        Family::Cpu,
        Kind::Pool,
        "CPython threads (the GIL)",
        "jobs of `cpu.chunk` items on a `ThreadPoolExecutor` of `cpu.workers` threads",
    ),
    py(
        "py-cpu-asyncio",
        Family::Cpu,
        Kind::Async,
        "asyncio or uvloop (`py.loop`)",
        "a task per job of `cpu.chunk` items on one event loop: the study's asyncio for CPU work",
    ),
    py(
        "py-cpu-procs",
        Family::Cpu,
        Kind::Processes,
        "multiprocessing",
        "a `multiprocessing` pool of `cpu.workers` processes; every job's items pickled to a worker, its tally pickled back",
    ),
    py(
        "py-io-sync",
        Family::Io,
        Kind::Sync,
        "requests",
        "one `requests.Session`, one request after another (1 in flight)",
    ),
    py(
        "py-io-threads",
        Family::Io,
        Kind::Pool,
        "threads + requests",
        "a `ThreadPoolExecutor` of `io.workers` threads sharing one `requests.Session` (`io.workers` in flight)",
    ),
    py(
        "py-io-asyncio",
        Family::Io,
        Kind::Async,
        "aiohttp on asyncio or uvloop (`py.loop`)",
        "one event loop, one `aiohttp` session, `io.concurrency` requests in flight",
    ),
    py(
        "py-io-hybrid",
        Family::Io,
        Kind::Hybrid,
        "threads + aiohttp",
        "the study's threads + asyncio: `io.workers` threads, each its own event loop and session over its share, `io.concurrency` split over them",
    ),
    py(
        "py-io-procs",
        Family::Io,
        Kind::Processes,
        "multiprocessing + requests",
        "a `multiprocessing` pool of `io.workers` processes, each its contiguous shard with `requests` (`io.workers` in flight)",
    ),
    py(
        "py-serve-asyncio",
        Family::Serve,
        Kind::Async,
        "asyncio streams or uvloop (`py.loop`)",
        "the article's `asyncio.start_server` echo: a coroutine per connection on one event loop",
    ),
    py(
        "py-serve-threads",
        Family::Serve,
        Kind::Threads,
        "CPython threads",
        "a blocking accept loop and an OS thread per connection",
    ),
];
