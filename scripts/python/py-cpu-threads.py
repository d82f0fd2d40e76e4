#!/usr/bin/env python3
"""py-cpu-threads: jobs of `cpu.chunk` items on a ThreadPoolExecutor of `cpu.workers` threads,
as cpu-threads runs them; under the GIL one thread runs Python at a time."""

from concurrent.futures import ThreadPoolExecutor

from concbench import cpu_entry
from concbench.seq import chunks


def run(cfg, inputs, sampler):
    with ThreadPoolExecutor(max_workers=cfg["cpu"]["workers"]) as pool:
        return list(pool.map(inputs.tally, chunks(inputs.len, cfg["cpu"]["chunk"])))


if __name__ == "__main__":
    cpu_entry.main("py-cpu-threads", run)
