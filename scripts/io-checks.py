#!/usr/bin/env python3
"""The IO family's acceptance scenarios, measured: interleaved rounds, medians, one table.

Usage: scripts/io-checks.py [--rounds 3] [--httpbin http://127.0.0.1:8080] [--out DIR]

Scenarios (every run starts its own bench-server, as a user's run does):
  delay-0.1   1,000 x /delay/0.1, 1,000 in flight (threads: 1,000 workers); ideal 0.1 s
  sync-50     io-sync, 50 x /delay/0.1; ideal 5.0 s
  delay-1-10k 10,000 x /delay/1, 10,000 in flight (threads: 10,000 workers); ideal 1.0 s
With --httpbin URL (see scripts/httpbin.sh), every model also sends 200 mixed requests to the
real httpbin, and the script checks that each reports the statuses httpbin gave.

Each report is appended to DIR/runs.jsonl as it arrives; a run that fails is recorded with its
exit code and stderr, and the rounds go on. The table (table.md) gives per scenario and model
the median wall time, its range, the client's peak RSS and the failure count.
"""
import argparse, datetime, json, os, statistics, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIXED = 'io.endpoints=["/get", "/status/200", "/status/503", "/delay/0.05", "/bytes/1024", "/anything/{i}"]'


def sets(*pairs):
    return [a for p in pairs for a in ("--set", p)]


D01 = sets("io.requests=1000", "io.concurrency=1000", "io.workers=1000", 'io.endpoints=["/delay/0.1"]')
D1 = sets("io.requests=10000", "io.concurrency=10000", "io.workers=10000", "io.timeout_ms=30000",
          'io.endpoints=["/delay/1"]')
SCENARIOS = [
    ("delay-0.1", m, D01 + extra) for m, extra in [
        ("io-tokio", []), ("io-smol", []), ("io-async-std", []), ("io-threads", []),
        ("io-hybrid", sets("io.workers=2")), ("io-hybrid", sets("io.hybrid_mode=blocking-pool")),
    ]
] + [("sync-50", "io-sync", sets("io.requests=50", 'io.endpoints=["/delay/0.1"]'))] + [
    ("delay-1-10k", m, D1) for m in ("io-tokio", "io-smol", "io-threads")
]


def label(model, args):
    mode = [a.split("=", 1)[1] for a in args if a.startswith("io.hybrid_mode=")]
    return model + (f" ({mode[0]})" if mode else " (loop-per-thread)" if model == "io-hybrid" else "")


def run(log, scenario, model, args, timeout=300):
    exe = os.path.join(ROOT, "target", "release", model)
    try:
        p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout)
        code, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        code, out, err = "timeout", "", str(e)
    record = {"scenario": scenario, "label": label(model, args), "args": args}
    if code == 0:
        record["report"] = json.loads(out)
    else:
        record["failure"] = {"exit": code, "stderr": err[-2000:]}
    log.write(json.dumps(record) + "\n")
    log.flush()
    return record


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--httpbin")
    ap.add_argument("--out")
    opts = ap.parse_args()
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H%M%SZ")
    out = opts.out or os.path.join(ROOT, "results", "runs", f"{stamp}-io-checks")
    os.makedirs(out, exist_ok=True)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bins"], cwd=ROOT, check=True)
    results = {}
    with open(os.path.join(out, "runs.jsonl"), "a") as log:
        for r in range(opts.rounds):
            for scenario, model, args in SCENARIOS:
                rec = run(log, scenario, model, args)
                results.setdefault((scenario, rec["label"]), []).append(rec)
                wall = rec["report"]["wall_s"] if "report" in rec else None
                print(f"round {r + 1}/{opts.rounds} {scenario} {rec['label']}: "
                      f"{'%.3f s' % wall if wall else rec['failure']}", file=sys.stderr)
        httpbin = []
        if opts.httpbin:
            for model in ("io-sync", "io-threads", "io-tokio", "io-smol", "io-async-std", "io-hybrid", "io-procs"):
                args = sets(f"io.target={opts.httpbin}", "io.requests=200", "io.concurrency=20", MIXED)
                httpbin.append(run(log, "httpbin-mixed", model, args))
    lines = table(results, httpbin, out)
    open(os.path.join(out, "table.md"), "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


def table(results, httpbin, out):
    any_rep = next(rec["report"] for recs in results.values() for rec in recs if "report" in rec)
    env = any_rep["env"]
    lines = [f"{env['cpu_model']}, {env['cores_logical']} cores, {env['kernel']}, {env['rustc']}, "
             f"commit {env['git_sha']}, profile {env['profile']}; command `scripts/io-checks.py`; "
             f"raw runs in `{os.path.relpath(out, ROOT)}/runs.jsonl`.", "",
             "| scenario | model | runs | median wall | range | peak RSS (median) | ok / requests | failed runs |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for (scenario, lab), recs in results.items():
        reps = [r["report"] for r in recs if "report" in r]
        walls = [r["wall_s"] for r in reps]
        if not reps:
            lines.append(f"| {scenario} | {lab} | {len(recs)} | - | - | - | - | {len(recs)} |")
            continue
        rss = statistics.median(r["memory"]["rss_peak_mib"] for r in reps)
        ok = min(r["io"]["ok"] for r in reps)
        lines.append(f"| {scenario} | {lab} | {len(recs)} | {statistics.median(walls):.3f} s | "
                     f"{min(walls):.3f}-{max(walls):.3f} s | {rss:.0f} MiB | {ok:,} / {reps[0]['work']['units']:,} | "
                     f"{len(recs) - len(reps)} |")
    if httpbin:
        lines += ["", "Against the real httpbin (200 requests over the mixed endpoint list, 20 in flight):", "",
                  "| model | wall | statuses | errors | checksum |", "|---|---:|---|---|---|"]
        for rec in httpbin:
            if "report" not in rec:
                lines.append(f"| {rec['label']} | failed: {rec['failure']['exit']} | | | |")
                continue
            rep = rec["report"]
            errs = {k: v for k, v in rep["io"]["errors"].items() if v}
            lines.append(f"| {rec['label']} | {rep['wall_s']:.3f} s | {rep['io']['status']} | {errs or 'none'} | "
                         f"{rep['work']['checksum']} |")
    return lines


if __name__ == "__main__":
    main()
