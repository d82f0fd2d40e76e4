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

# Every CPU model once on the quick config
quick:
    for m in cpu-sync cpu-async cpu-threads cpu-procs; do cargo run --release --quiet -p $m -- --config configs/quick.toml | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["model"], r["variant"] or "", r["wall_s"], r["work"]["checksum"])'; done

# Regenerate schema/report.schema.json after changing the report types
schema:
    UPDATE_SCHEMA=1 cargo test -p concbench-core committed_schema
