# concbench: `just --list` shows every recipe with its comment.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Build every binary in release mode (what benchmarks run)
build:
    cargo build --release --workspace --bins

# Run the whole test suite (the README's test command)
test:
    cargo test --release --workspace

# Exactly what CI runs: format check, clippy with warnings as errors, the tests
ci:
    bash .ci/run

# Run one model alone, e.g. `just run cpu-async --set cpu.runtime=smol`
run MODEL *ARGS:
    cargo run --release --quiet --bin {{MODEL}} -- {{ARGS}}

# The default matrix (the README's first command): the entries that answer the report's questions, in about 3 minutes of rounds
bench *ARGS:
    cargo run --release --quiet --bin runner -- {{ARGS}}

# The full matrix (configs/all.toml): every model of the catalogue in every group it has, up to 7 minutes of rounds
bench-all *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/all.toml --label all {{ARGS}}

# One family of the full matrix: `just bench-family cpu` (or io, serve); the entries come from the catalogue
bench-family FAMILY *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/all.toml --models {{FAMILY}} --label {{FAMILY}} {{ARGS}}

# Every model once or twice on small inputs (configs/quick.toml), in seconds
quick *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/quick.toml --label quick {{ARGS}}

# The task-cost suite (configs/suite.toml): spawn-only, sleeps, blocking storm, squares; 100 units, 30 repeats
bench-suite *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/suite.toml --label suite {{ARGS}}

# Scale sweeps (configs/scale.toml): idle units 1 to 1,000,000, threads to the OS limit, IO 1 to 10,000 in flight
bench-scale *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/scale.toml --label scale {{ARGS}}

# The CPU models on three kernels (configs/kernels.toml): char-encoding, sqrt-sum, filter-aggregate; speed-ups compared across kernels
bench-kernels *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/kernels.toml --label kernels {{ARGS}}

# Which runtime? (configs/runtimes.toml): every runtime of every family side by side, io_uring servers, the switch on one core and two, idle memory
bench-runtimes *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/runtimes.toml --label runtimes {{ARGS}}

# Never block the event loop (configs/blocking.toml): 100 units x 10 ms, the runtime's sleep against std::thread::sleep in the task
bench-blocking *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/blocking.toml --label blocking {{ARGS}}

# SQLite from many workers (configs/sqlite.toml): 100 units x 1,000 rows inserted, then read, by a loop, threads, a pool, async tasks, processes
bench-sqlite *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/sqlite.toml --label sqlite {{ARGS}}

# What a process costs (configs/procs-scale.toml): 1 to 1,000 processes, threads and tasks waiting, RSS and PSS per unit
bench-procs-scale *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/procs-scale.toml --label procs-scale {{ARGS}}

# The articles' experiments as configs: 50 x /delay/0.1, 5 x /delay/1, a mixed batch, a health check, the suite at 5 s sleeps
bench-delay-50 *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/delay-50.toml --label delay-50 {{ARGS}}

bench-delay-5 *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/delay-5.toml --label delay-5 {{ARGS}}

bench-mixed-50 *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/mixed-50.toml --label mixed-50 {{ARGS}}

bench-health-check *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/health-check.toml --label health-check {{ARGS}}

bench-suite-article *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/suite-article.toml --label suite-article {{ARGS}}

# Reading files (configs/files.toml): std::fs in a loop, threads, a pool, processes against tokio::fs, smol::fs, async_std::fs
bench-files *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/files.toml --label files {{ARGS}}

# The serving family (configs/serve.toml): TCP echo servers under a fixed load generator, 1 to 10,000 connections
bench-serve *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/serve.toml --label serve {{ARGS}}

# What one held connection costs (configs/serve-memory.toml): RSS and PSS with 1 and 10,000 connections held
bench-serve-memory *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/serve-memory.toml --label serve-memory {{ARGS}}

# Is one load generator the ceiling? (configs/serve-ceiling.toml): serve-tokio at 10,000 connections, one load generator against two
bench-serve-ceiling *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/serve-ceiling.toml --label serve-ceiling {{ARGS}}

# Latency against load (configs/rate.toml): open-loop rates 1,000 to 24,000 req/s, corrected p50/p99/p99.9, each model's knee
bench-rate *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/rate.toml --label rate {{ARGS}}

# Open loop past capacity (configs/open-loop.toml): io-sync, a thread pool and io-tokio at 500 req/s, corrected against plain latency
bench-open-loop *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/open-loop.toml --label open-loop {{ARGS}}

# Re-render summary, report and plots of an earlier run from its runs.jsonl
report DIR:
    cargo run --release --quiet --bin runner -- report {{DIR}}

# The CPU family at 1,000,000 URLs on 2 workers, interleaved rounds, as one Markdown table
cpu-scaling ROUNDS="5":
    python3 scripts/cpu-scaling.py --rounds {{ROUNDS}}

# The IO acceptance scenarios (1,000 x /delay/0.1, 10,000 x /delay/1, ...) in interleaved rounds
io-checks ROUNDS="3" *ARGS:
    python3 scripts/io-checks.py --rounds {{ROUNDS}} {{ARGS}}

# Run bench-server on loopback (port 0 picks a free one; the URL is printed first)
server BIND="127.0.0.1:8080":
    cargo run --release --quiet --bin bench-server -- --bind {{BIND}}

# bench-server's /get rate next to nginx's under wrk -t2 -c64 (needs wrk and nginx)
capacity ROUNDS="5" SECONDS="10":
    cargo build --release --quiet --bin bench-server
    scripts/server-capacity.sh {{ROUNDS}} {{SECONDS}}

# The real httpbin from PyPI on loopback, as an IO target
httpbin PORT="8080":
    scripts/httpbin.sh {{PORT}}

# Regenerate schema/report.schema.json after changing the report types
schema:
    UPDATE_SCHEMA=1 cargo test --release --workspace --lib committed_schema

# Rust against Python (configs/python.toml): the study's Python models beside their Rust counterparts; makes the Python environment on first use
bench-python *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/python.toml --label python {{ARGS}}

# CPU per request at a fixed rate (configs/cpu-per-request.toml): every async IO model on one open-loop schedule
bench-cpu-per-request *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/cpu-per-request.toml --label cpu-per-request {{ARGS}}

# hyper or a lean client (configs/lean-client.toml): 10,000 × /delay/1 in flight on tokio, smol, compio and monoio, each client, beside the bare floor
bench-lean-client *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/lean-client.toml --label lean-client {{ARGS}}

# Work stealing or thread-per-core under uneven load (configs/skew.toml): a tenth of the connections or responses carries 20× the CPU, paired, with p99
bench-skew *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/skew.toml --label skew {{ARGS}}

# The interpreter as an axis (configs/python-versions.toml): the CPU loop one thread and on threads under CPython 3.11, 3.12 and 3.13
bench-python-versions *ARGS:
    cargo run --release --quiet --bin runner -- --config configs/python-versions.toml --label python-versions {{ARGS}}
