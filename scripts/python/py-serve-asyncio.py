#!/usr/bin/env python3
"""py-serve-asyncio: the article's asyncio streams echo server on one event loop (`py.loop`:
asyncio or uvloop), a coroutine per connection."""

import asyncio

from concbench import aio, echo


def serve(cfg, listener, stop):
    size, work = cfg["serve"]["message_bytes"], cfg["serve"]["work_ms"] / 1000.0
    handlers = set()

    async def handle(reader, writer):
        handlers.add(asyncio.current_task())
        try:
            while True:
                try:
                    message = await reader.readexactly(size)
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                if work:
                    await asyncio.sleep(work)
                writer.write(message)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, sock=listener, backlog=4096)
        while not stop.is_set():
            await asyncio.sleep(0.005)
        server.close()
        # The connections held end as their clients close them.
        await asyncio.gather(*handlers, return_exceptions=True)

    aio.run(cfg, main())


if __name__ == "__main__":
    echo.main("py-serve-asyncio", serve, variant=aio.variant)
