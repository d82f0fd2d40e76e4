#!/usr/bin/env python3
"""py-io-threads: a ThreadPoolExecutor of `io.workers` threads sharing one requests.Session
(as the study's threads shared theirs), a request per job (`io.workers` in flight)."""

import threading
from concurrent.futures import ThreadPoolExecutor

from concbench import http


def fetch(cfg, plan, sampler):
    workers = cfg["io"]["workers"]
    mine = threading.local()
    parts, lock = [], threading.Lock()

    def job(i):
        if not hasattr(mine, "tally"):
            mine.tally = http.Tally()
            with lock:
                parts.append(mine.tally)
        http.blocking_get(s, plan, i, mine.tally)

    with http.session(plan, workers) as s, ThreadPoolExecutor(max_workers=workers) as pool:
        for f in [pool.submit(job, i) for i in range(plan.requests)]:
            f.result()
    total = http.Tally()
    for part in parts:
        total += part
    return total


if __name__ == "__main__":
    http.main("py-io-threads", fetch, lambda cfg: cfg["io"]["workers"])
