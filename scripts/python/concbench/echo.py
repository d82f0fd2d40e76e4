"""The serving family as `concbench_echo` has it: the entry serves an echo on a loopback
listener (measured) while the workspace's own load generator (`serve-sync --loadgen`, a child
that is not measured) drives `serve.connections` connections of `serve.round_trips` echoes of
`serve.message_bytes`; the load generator's checksum is the Rust servers' checksum."""

import json
import os
import socket
import subprocess
import threading

from . import harness, latency
from .sampler import pss_mib, status_kib

HOLD_FOR_MEMORY_MS = 100
# How long a server may take to stop once the load is done.
STOP_BOUND_S = 30
CONNECTED = "connected"


def listener() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(4096)  # std's 128 overflows when thousands connect at once
    return s


def held_memory():
    rss, pss = status_kib("self", "VmRSS"), pss_mib(os.getpid())
    if rss is None or pss is None:
        return None
    return {"processes": 1, "rss_mib": rss / 1024.0, "pss_mib": pss}


class Load:
    """The load generator child: started with its job, read when it has connected and when
    it is done, reaped after the window (so its CPU time does not join this process's)."""

    def __init__(self, cfg, port: int):
        self.proc = subprocess.Popen([str(harness.binary("serve-sync")), "--loadgen"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        job = {"serve": cfg["serve"], "addr": f"127.0.0.1:{port}", "first": 0, "count": cfg["serve"]["connections"]}
        self.proc.stdin.write(json.dumps(job))
        self.proc.stdin.close()

    def line(self) -> str:
        text = self.proc.stdout.readline()
        if not text:
            raise harness.CouldNotRun(f"the load generator ended (exit {self.proc.wait()}) without answering")
        return text.strip()

    def reap(self):
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main(model: str, serve, variant=None):
    """The whole `main` of a serving entry. `serve(cfg, listener, stop, ready)` runs in a thread
    of its own until `stop` (a threading.Event) is set, then returns once its connections end."""

    def prepare(cfg):
        harness.only_main_scenario(cfg, model)
        if cfg["serve"]["loadgens"] != 1:
            raise harness.Usage("serve.loadgens", f"{model} drives one load generator: 1 (got {cfg['serve']['loadgens']})")
        harness.ensure_fds(cfg["serve"]["connections"] + 64, f"{cfg['serve']['connections']} connections")
        harness.binary("serve-sync")
        return {"listener": listener(), "load": None}

    def run(cfg, state, sampler):
        lst = state["listener"]
        port = lst.getsockname()[1]
        stop, failure = threading.Event(), []

        def server():
            try:
                serve(cfg, lst, stop)
            except BaseException as err:
                failure.append(f"{type(err).__name__}: {err}")

        thread = threading.Thread(target=server, name="server")
        thread.start()
        try:
            load = state["load"] = Load(cfg, port)
            said = load.line()
            if said != CONNECTED:
                raise harness.CouldNotRun(f"the load generator said {said!r} before its connections were in")
            held = held_memory() if cfg["serve"]["hold_ms"] >= HOLD_FOR_MEMORY_MS else None
            report = json.loads(load.line())
        finally:  # the server stops whatever the load did, so the process never hangs on it
            stop.set()
            try:  # wake a blocked accept
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                pass
            thread.join(STOP_BOUND_S)
        if thread.is_alive():
            raise harness.CouldNotRun(f"the server did not stop within {STOP_BOUND_S} s of the load's end")
        if failure:
            raise harness.CouldNotRun(f"the server failed ({report['round_trips']} round trips echoed): {failure[0]}")
        rts = report["round_trips"]
        span = (report["last_end_ns"] - report["first_send_ns"]) / 1e9 if report["first_send_ns"] else 0.0
        return {
            "work": {"units": rts, "bytes": report["bytes"], "checksum": f"{report['checksum']:016x}"},
            "serve": {
                "connections": report["connections"], "connected": report["connected"],
                "round_trips": rts, "failed": report["failed"], "errors": report["errors"],
                "bytes": report["bytes"], "round_trips_per_s": 0.0, "round_trips_s": max(span, 0.0),
                "latency_ms": latency.summary(report["latency_us"]),
                "loadgen_cpu_s": report["cpu_s"],
                "loadgen_cpu_us_per_round_trip": report["cpu_s"] * 1e6 / rts if rts else 0.0,
                "loadgens": 1, "held": held,
            },
        }

    def check(cfg, state, outcome):
        if state["load"] is not None:
            state["load"].reap()

    harness.main(model, "serve", "echo", prepare, run, variant=variant, check=check)
