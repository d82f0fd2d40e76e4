#!/usr/bin/env python3
"""The A/A control's false-alarm rate over result folders (issue 30 D).

Every group of every folder whose runs had an A/A control gives one verdict: the control tied
with its twin (the baseline), or came out faster or slower beyond the margin, which is a false
alarm, since the two are the same run. Prints the count, the rate with its exact (Clopper-Pearson)
95 % interval, the resolution per group (median and range over the folders), and what the
controls cost.

    python3 scripts/control-rate.py /tmp/aa/run*
"""

import json
import statistics
import sys
from math import comb
from pathlib import Path


def binom_cdf(k, n, p):
    return sum(comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


def clopper_pearson(k, n, alpha=0.05):
    """The exact two-sided interval of a binomial proportion, by bisection."""

    def solve(f):
        lo, hi = 0.0, 1.0
        for _ in range(60):
            mid = (lo + hi) / 2
            if f(mid):
                hi = mid
            else:
                lo = mid
        return (lo + hi) / 2

    low = 0.0 if k == 0 else solve(lambda p: 1 - binom_cdf(k - 1, n, p) >= alpha / 2)
    high = 1.0 if k == n else solve(lambda p: binom_cdf(k, n, p) <= alpha / 2)
    return low, high


def main(folders):
    if not folders:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    verdicts, alarms, cost, measured = 0, [], 0.0, 0.0
    resolution = {}
    for folder in map(Path, folders):
        try:
            groups = json.loads((folder / "conclusions.json").read_text())["groups"]
            summary = json.loads((folder / "summary.json").read_text())["summary"]
        except (OSError, KeyError, ValueError) as err:
            print(f"control-rate: skipping {folder}: {err}", file=sys.stderr)
            continue
        for g in groups:
            kinds = {c["caveat"]: c for c in g.get("caveats", [])}
            if "resolution" not in kinds:
                continue
            verdicts += 1
            resolution.setdefault(g["id"], []).append(kinds["resolution"]["pct"])
            if "control_moved" in kinds:
                alarms.append(f"{folder.name}/{g['id']} {kinds['control_moved']['median']:.3f}x")
        controls = [f["control"] for f in summary["families"] if f.get("control")]
        cost += sum(c["cost_s"] for c in controls)
        measured += summary.get("measured_s") or 0.0
    if verdicts == 0:
        print("control-rate: no group with an A/A control", file=sys.stderr)
        return 2
    low, high = clopper_pearson(len(alarms), verdicts)
    print(
        f"{verdicts} control verdicts, {len(alarms)} false alarms: "
        f"{100 * len(alarms) / verdicts:.1f} % (95 % interval {100 * low:.1f}-{100 * high:.1f} %)"
    )
    for a in alarms:
        print(f"  moved: {a}")
    print("resolution per group, % (median, min-max over the folders):")
    for gid, values in resolution.items():
        print(f"  {gid}: {statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f}), {len(values)} folders")
    if measured > 0:
        print(f"the controls took {cost:.1f} s of the measured runs' {measured:.1f} s ({100 * cost / measured:.0f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
