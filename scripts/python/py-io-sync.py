#!/usr/bin/env python3
"""py-io-sync: one requests.Session, one request after another (1 in flight)."""

from concbench import http


def fetch(cfg, plan, sampler):
    tally = http.Tally()
    with http.session(plan, 1) as s:
        for i in range(plan.requests):
            http.blocking_get(s, plan, i, tally)
    return tally


if __name__ == "__main__":
    http.main("py-io-sync", fetch, lambda cfg: 1)
