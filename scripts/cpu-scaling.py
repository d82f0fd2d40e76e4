#!/usr/bin/env python3
"""Interleaved CPU-family comparison: every model once per round, N rounds, medians.

Usage: scripts/cpu-scaling.py [--rounds 5] [--config configs/cpu-scaling.toml] [--out DIR]

Builds the release binaries, runs each model of the CPU family once per round in turn (so drift of
the machine falls on every model alike), appends each report to DIR/runs.jsonl as it arrives, checks
that every run reports the same work and checksum, and prints a Markdown table of medians with the
speed-up over cpu-sync, both as a ratio of medians and as
the median of per-round ratios (each round's models ran back to back, so the pair shares the
machine's state; this machine's speed drifts by up to 2x over seconds). For the whole matrix with
full statistics use the runner (`cargo run --release --bin runner`); this script keeps the
1,000,000-URL scaling table of the README.
"""
import argparse, datetime, json, os, statistics, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENTRIES = [
    ("cpu-sync", []),
    ("cpu-threads", []),
    ("cpu-procs", []),
    ("cpu-async", ["--set", "cpu.runtime=tokio-current-thread"]),
    ("cpu-async", ["--set", "cpu.runtime=tokio-multi-thread"]),
    ("cpu-async", ["--set", "cpu.runtime=smol"]),
    ("cpu-async", ["--set", "cpu.runtime=async-std"]),
]


def label(model, args):
    return model + (" " + args[1].split("=")[1] if args else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--config", default=os.path.join(ROOT, "configs", "cpu-scaling.toml"))
    ap.add_argument("--out")
    opts = ap.parse_args()
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H%M%SZ")
    out = opts.out or os.path.join(ROOT, "results", "runs", f"{stamp}-cpu-scaling")
    os.makedirs(out, exist_ok=True)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bins"], cwd=ROOT, check=True)
    runs = {}
    with open(os.path.join(out, "runs.jsonl"), "a") as log:
        for r in range(opts.rounds):
            for model, args in ENTRIES:
                exe = os.path.join(ROOT, "target", "release", model)
                p = subprocess.run([exe, "--config", opts.config, *args], capture_output=True, text=True, timeout=600)
                if p.returncode != 0:
                    sys.exit(f"{label(model, args)} failed ({p.returncode}): {p.stderr}")
                report = json.loads(p.stdout)
                log.write(json.dumps(report) + "\n")
                log.flush()
                runs.setdefault(label(model, args), []).append(report)
                print(f"round {r + 1}/{opts.rounds} {label(model, args)}: {report['wall_s']:.3f} s", file=sys.stderr)
    works = {json.dumps(rep["work"], sort_keys=True) for reps in runs.values() for rep in reps}
    if len(works) != 1:
        sys.exit(f"models disagree on the work: {works}")
    base = statistics.median(r["wall_s"] for r in runs["cpu-sync"])
    any_report = runs["cpu-sync"][0]
    env, cfg = any_report["env"], any_report["config"]["cpu"]
    print(f"{cfg['urls']:,} URLs, {cfg['workers']} workers, chunk {cfg['chunk']}; median of {opts.rounds} interleaved runs;"
          f" work {any_report['work']['bytes']:,} bytes, checksum {any_report['work']['checksum']} in every run.\n")
    print("| model | median wall (s) | min–max (s) | speed-up vs cpu-sync (medians) | paired speed-up (median of rounds) |"
          " process CPU avg % | peak RSS (MiB) | threads | processes |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, reps in runs.items():
        walls = [r["wall_s"] for r in reps]
        med = statistics.median(walls)
        cpu = statistics.median(r["cpu"]["process_avg_pct"] for r in reps)
        rss = statistics.median(r["memory"]["rss_peak_mib"] for r in reps)
        paired = statistics.median(s["wall_s"] / r["wall_s"] for s, r in zip(runs["cpu-sync"], reps))
        print(f"| {name} | {med:.3f} | {min(walls):.3f}–{max(walls):.3f} | {base / med:.2f}× | {paired:.2f}× | {cpu:.0f} |"
              f" {rss:.0f} | {max(r['threads']['peak'] for r in reps)} | {max(r['processes']['peak'] for r in reps)} |")
    print(f"\nMachine: {env['cpu_model']}, {env['cores_logical']} logical cores, {env['mem_total_mib']} MiB, {env['os']},"
          f" kernel {env['kernel']}, {env['rustc']}, commit {env['git_sha']}, profile {env['profile']}. Raw runs: {out}/runs.jsonl")


if __name__ == "__main__":
    main()
