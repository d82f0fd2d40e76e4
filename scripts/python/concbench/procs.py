"""The process entries' pool, and py-cpu-procs' worker side: a batch arrives pickled, its tally
goes back with the worker's pid and memory high-water mark (the parent adds each worker's mark
to its peak)."""

import multiprocessing
import os

from . import cpu
from .sampler import peak_rss_bytes


def pool_map(sampler, processes: int, work, items, ordered: bool = True) -> list:
    """`work` over `items` on a forked pool of `processes`, as the process entries run: the
    workers are counted in the tree's figures, each answer is `(value, pid, high-water mark)`
    and each worker's mark joins the peak; the values, in order when `ordered`."""
    pool = multiprocessing.get_context("fork").Pool(processes=processes)
    try:
        for child in multiprocessing.active_children():
            sampler.track_child(child.pid)
        mapped = pool.map(work, items, chunksize=1) if ordered else pool.imap_unordered(work, items)
        answers = list(mapped)
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.close()
        pool.join()
    for _, pid, hwm in answers:
        sampler.note_peak(pid, hwm)
    return [value for value, _, _ in answers]


def batch_of(inputs, items: range):
    """What goes to a worker for `items`: the items themselves (pickled), not their indices."""
    if inputs.kernel == "sqrt-sum":
        return inputs.kernel, items.start, len(items), None
    n = len(inputs.items)
    return inputs.kernel, items.start, len(items), [inputs.items[i % n] for i in items]


def count_batch(batch):
    kernel, start, count, payload = batch
    if kernel == "char-encoding":
        tally = cpu.tally_urls(payload, range(start, start + count), first=start)
    elif kernel == "sqrt-sum":
        tally = cpu.tally_sqrt(range(start, start + count))
    else:
        tally = cpu.tally_records(payload, range(count))
    return tally, os.getpid(), peak_rss_bytes() or 0
