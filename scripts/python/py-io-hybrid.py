#!/usr/bin/env python3
"""py-io-hybrid: the study's threads + asyncio: `io.workers` OS threads, each running its own
event loop (`py.loop`) and aiohttp session over its share of the requests; the
`io.concurrency` slots are split over the loops, as io-hybrid splits them."""

import threading

from concbench import aio, http
from concbench.seq import split


def fetch(cfg, plan, sampler):
    workers = min(cfg["io"]["workers"], plan.requests)
    slots = split(min(cfg["io"]["concurrency"], plan.requests), workers)
    parts: list = [None] * workers
    failures: list = []

    def loop(k):
        try:
            share = range(k, plan.requests, workers)
            parts[k] = aio.run(cfg, http.fetch_async(plan, share, max(1, len(slots[k]))))
        except BaseException as err:  # reported below: a crashed loop is a failed run
            failures.append(f"loop {k}: {type(err).__name__}: {err}")

    threads = [threading.Thread(target=loop, args=(k,), name=f"loop-{k}") for k in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError("; ".join(failures))
    total = http.Tally()
    for part in parts:
        total += part
    return total


if __name__ == "__main__":
    http.main("py-io-hybrid", fetch, lambda cfg: cfg["io"]["concurrency"], variant=aio.variant)
