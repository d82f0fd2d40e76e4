# concbench: `just --list` shows every recipe with its comment.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Build every binary in release mode (what benchmarks run)
build:
    cargo build --release --workspace --bins

# Run the whole test suite (the README's test command)
test:
    cargo test --workspace

# Exactly what CI runs: format check, clippy with warnings as errors, the tests
ci:
    bash .ci/run

# Run one model alone, e.g. `just run cpu-async --set cpu.runtime=smol`
run MODEL *ARGS:
    cargo run --release --quiet -p {{MODEL}} -- {{ARGS}}

# The CPU family at 1,000,000 URLs on 2 workers, 5 interleaved rounds, as a Markdown table
bench-cpu ROUNDS="5":
    python3 scripts/cpu-scaling.py --rounds {{ROUNDS}}

# The IO acceptance scenarios (1,000 x /delay/0.1, 10,000 x /delay/1, ...) in interleaved rounds
bench-io ROUNDS="3" *ARGS:
    python3 scripts/io-checks.py --rounds {{ROUNDS}} {{ARGS}}

# Run bench-server on loopback (port 0 picks a free one; the URL is printed first)
server BIND="127.0.0.1:8080":
    cargo run --release --quiet -p concbench-server -- --bind {{BIND}}

# bench-server's /get rate next to nginx's under wrk -t2 -c64 (needs wrk and nginx)
capacity ROUNDS="5" SECONDS="10":
    cargo build --release --quiet -p concbench-server
    scripts/server-capacity.sh {{ROUNDS}} {{SECONDS}}

# The real httpbin from PyPI on loopback, as an IO target
httpbin PORT="8080":
    scripts/httpbin.sh {{PORT}}

# Every model once on the quick config
quick:
    for m in cpu-sync cpu-async cpu-threads cpu-procs io-sync io-threads io-tokio io-smol io-async-std io-hybrid io-procs; do cargo run --release --quiet -p $m -- --config configs/quick.toml | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["model"], r["variant"] or "", r["wall_s"], r["work"]["checksum"])'; done

# Regenerate schema/report.schema.json after changing the report types
schema:
    UPDATE_SCHEMA=1 cargo test -p concbench-core committed_schema
