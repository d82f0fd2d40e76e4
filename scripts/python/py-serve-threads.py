#!/usr/bin/env python3
"""py-serve-threads: a blocking accept loop and an OS thread per connection."""

import socket
import threading
import time

from concbench import echo


def serve(cfg, listener, stop):
    size, work = cfg["serve"]["message_bytes"], cfg["serve"]["work_ms"] / 1000.0

    def handle(conn):
        try:
            echo_all(conn)
        except OSError:  # reset by the client: the load generator counts it
            pass
        finally:
            conn.close()

    def echo_all(conn):
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = bytearray(size)
        view = memoryview(buf)
        while True:
            got = 0
            while got < size:
                n = conn.recv_into(view[got:])
                if n == 0:
                    return
                got += n
            if work:
                time.sleep(work)
            conn.sendall(buf)

    threads = []
    while True:
        conn, _ = listener.accept()
        if stop.is_set():
            conn.close()
            break
        t = threading.Thread(target=handle, args=(conn,), daemon=True)
        t.start()
        threads.append(t)
    deadline = time.monotonic() + echo.STOP_BOUND_S
    for t in threads:  # the connections end as their clients close them
        t.join(max(0.0, deadline - time.monotonic()))


if __name__ == "__main__":
    echo.main("py-serve-threads", serve)
