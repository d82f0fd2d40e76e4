#!/usr/bin/env python3
"""py-cpu-asyncio: the study's "asyncio for CPU work": one task per job of `cpu.chunk` items on
one event loop (`py.loop`: asyncio or uvloop), as cpu-async runs them on one thread."""

import asyncio

from concbench import aio, cpu_entry
from concbench.seq import chunks


async def job(inputs, items):
    return inputs.tally(items)


async def all_jobs(cfg, inputs):
    return await asyncio.gather(*(job(inputs, r) for r in chunks(inputs.len, cfg["cpu"]["chunk"])))


if __name__ == "__main__":
    cpu_entry.main(
        "py-cpu-asyncio", lambda cfg, inputs, sampler: aio.run(cfg, all_jobs(cfg, inputs)), variant=aio.variant
    )
