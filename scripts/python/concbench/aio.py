"""The event loop `py.loop` picks: CPython's asyncio or uvloop."""

import asyncio


def run(cfg, coro):
    if cfg["py"]["loop"] == "uvloop":
        import uvloop

        return uvloop.run(coro)
    return asyncio.run(coro)


def variant(cfg):
    return cfg["py"]["loop"]
