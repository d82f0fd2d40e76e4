#!/usr/bin/env python3
"""py-cpu-procs: a multiprocessing pool of `cpu.workers` processes; every job of `cpu.chunk`
items is pickled to a worker and its tally pickled back (the article's batch processing)."""

from concbench import cpu_entry, procs
from concbench.seq import chunks


def run(cfg, inputs, sampler):
    batches = (procs.batch_of(inputs, r) for r in chunks(inputs.len, cfg["cpu"]["chunk"]))
    return procs.pool_map(sampler, cfg["cpu"]["workers"], procs.count_batch, batches, ordered=False)


if __name__ == "__main__":
    cpu_entry.main("py-cpu-procs", run)
