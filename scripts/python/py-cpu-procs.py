#!/usr/bin/env python3
"""py-cpu-procs: a multiprocessing pool of `cpu.workers` processes; every job of `cpu.chunk`
items is pickled to a worker and its tally pickled back (the article's batch processing)."""

import multiprocessing

from concbench import cpu_entry, procs
from concbench.seq import chunks


def run(cfg, inputs, sampler):
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(processes=cfg["cpu"]["workers"])
    try:
        for child in multiprocessing.active_children():  # the pool's workers, in the tree's figures
            sampler.track_child(child.pid)
        batches = (procs.batch_of(inputs, r) for r in chunks(inputs.len, cfg["cpu"]["chunk"]))
        results = list(pool.imap_unordered(procs.count_batch, batches))
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.close()
        pool.join()
    for _, pid, hwm in results:
        sampler.note_peak(pid, hwm)
    return [tally for tally, _, _ in results]


if __name__ == "__main__":
    cpu_entry.main("py-cpu-procs", run)
