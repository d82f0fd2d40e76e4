"""The latency block of a report (ms) from (microseconds, count) pairs, as
`concbench_core::latency::summary` gives it: min, mean, the values at rank ceil(p * n) (an HDR
histogram's value_at_quantile, here on exact values) and max."""

import math

QUANTILES = {"p50": 0.5, "p90": 0.9, "p99": 0.99, "p999": 0.999}


def summary(buckets) -> dict:
    pairs = sorted((v, n) for v, n in buckets if n > 0)
    total = sum(n for _, n in pairs)
    if not total:
        return {"min": 0.0, "mean": 0.0, **{k: 0.0 for k in QUANTILES}, "max": 0.0}

    def at(p):
        rank, seen = max(1, math.ceil(p * total)), 0
        for v, n in pairs:
            seen += n
            if seen >= rank:
                return v / 1000.0
        return pairs[-1][0] / 1000.0

    return {
        "min": pairs[0][0] / 1000.0,
        "mean": sum(v * n for v, n in pairs) / total / 1000.0,
        **{k: at(p) for k, p in QUANTILES.items()},
        "max": pairs[-1][0] / 1000.0,
    }
