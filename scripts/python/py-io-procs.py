#!/usr/bin/env python3
"""py-io-procs: a multiprocessing pool of `io.workers` processes, each sending its contiguous
shard of the requests with its own requests.Session, one after another (`io.workers` in
flight); the tallies come back pickled."""

import os

from concbench import harness, http, procs
from concbench.sampler import peak_rss_bytes
from concbench.seq import split

PLAN = None  # the parent's plan, inherited by the forked workers


def shard(items):
    tally = http.Tally()
    with http.session(PLAN, 1) as s:
        for i in items:
            http.blocking_get(s, PLAN, i, tally)
    return tally, os.getpid(), peak_rss_bytes() or 0


def fetch(cfg, plan, sampler):
    global PLAN
    PLAN = plan
    if plan.sink is not None:
        raise harness.Usage("io.sink", 'py-io-procs keeps no bodies: "discard" only')
    shards = split(plan.requests, cfg["io"]["workers"])
    total = http.Tally()
    for tally in procs.pool_map(sampler, len(shards), shard, shards):
        total += tally
    return total


if __name__ == "__main__":
    http.main("py-io-procs", fetch, lambda cfg: cfg["io"]["workers"])
