#!/usr/bin/env python3
"""py-io-asyncio: aiohttp on one event loop (`py.loop`: asyncio or uvloop), `io.concurrency`
requests in flight over one session."""

from concbench import aio, http


def fetch(cfg, plan, sampler):
    slots = min(cfg["io"]["concurrency"], plan.requests)
    return aio.run(cfg, http.fetch_async(plan, range(plan.requests), slots))


if __name__ == "__main__":
    http.main("py-io-asyncio", fetch, lambda cfg: cfg["io"]["concurrency"], variant=aio.variant)
