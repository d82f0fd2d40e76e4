"""The IO family as `concbench_http` has it: request i is a GET of endpoints[i % len] with {i}
replaced by i, on the target; every model counts statuses, error kinds, body bytes, latencies
and the checksum over (request index, outcome), which is the Rust models' checksum."""

import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

from . import harness, latency
from .seq import M64, mix

USER_AGENT = "concbench/0.1.0"  # the Rust clients' User-Agent, so /anything echoes alike
ERROR_KINDS = ["connect", "timeout", "reset", "other", "dropped"]
ERROR_CODE = {k: 1000 + n for n, k in enumerate(ERROR_KINDS)}


class Target:
    """The base URL, and a bench-server this entry started when `io.target = "spawn"`."""

    def __init__(self, cfg):
        self.server = None
        base = cfg["io"]["target"]
        if base == "spawn":
            self.server = subprocess.Popen([str(harness.binary("bench-server")), "--until-stdin-closes"],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            base = self.server.stdout.readline().strip()
            if not base.startswith("http://"):
                raise harness.CouldNotRun(f"bench-server said {base!r} instead of its URL")
        parts = urlsplit(base.rstrip("/"))
        self.base = base.rstrip("/")
        self.authority = parts.netloc
        self.prefix = parts.path
        self.host, self.port = parts.hostname, parts.port or 80
        try:
            socket.create_connection((self.host, self.port), timeout=min(5.0, cfg["io"]["timeout_ms"] / 1000)).close()
        except OSError as err:
            self.close()
            raise harness.CouldNotRun(f"target {self.base} ({self.host}:{self.port}) is unreachable: {err}") from None

    def close(self):
        if self.server is not None:
            self.server.stdin.close()
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
            self.server = None


class Plan:
    """What every IO model of the run shares: the target, the requests, where bodies go."""

    def __init__(self, cfg):
        io = cfg["io"]
        if io["rate"] > 0:
            raise harness.Usage("io.rate", "the Python entries run closed loop only: 0 (got {})".format(io["rate"]))
        self.requests, self.endpoints = io["requests"], io["endpoints"]
        self.timeout_s = io["timeout_ms"] / 1000.0
        self.keep_alive = io["keep_alive"]
        self.target = Target(cfg)
        self.sink = tempfile.TemporaryFile() if io["sink"] == "file" else None
        self.sink_lock = threading.Lock()

    def url(self, i: int) -> str:
        endpoint = self.endpoints[i % len(self.endpoints)].replace("{i}", str(i))
        return f"http://{self.target.authority}{self.target.prefix}{endpoint}"

    def keep(self, body: bytes):
        if self.sink is not None:
            with self.sink_lock:
                self.sink.write(body)


class Tally:
    """One run's counters, or one worker's part of them (merge with `+=`)."""

    def __init__(self):
        self.requests = self.ok = self.bytes = self.checksum = 0
        self.status: dict[int, int] = {}
        self.errors: dict[str, int] = {}
        self.latency_us: list[int] = []

    def response(self, index: int, status: int, body_len: int, seconds: float):
        self.requests += 1
        self.status[status] = self.status.get(status, 0) + 1
        self.ok += 200 <= status < 300
        self.bytes += body_len
        self.latency_us.append(max(1, int(seconds * 1e6)))
        self.checksum = (self.checksum + mix((index << 16) ^ status)) & M64

    def error(self, index: int, kind: str):
        self.requests += 1
        self.errors[kind] = self.errors.get(kind, 0) + 1
        self.checksum = (self.checksum + mix((index << 16) ^ ERROR_CODE[kind])) & M64

    def __iadd__(self, other: "Tally"):
        self.requests += other.requests
        self.ok += other.ok
        self.bytes += other.bytes
        self.checksum = (self.checksum + other.checksum) & M64
        for code, n in other.status.items():
            self.status[code] = self.status.get(code, 0) + n
        for kind, n in other.errors.items():
            self.errors[kind] = self.errors.get(kind, 0) + n
        self.latency_us += other.latency_us
        return self

    def outcome(self, in_flight_max: int) -> dict:
        errors = {k: self.errors.get(k, 0) for k in ERROR_KINDS}
        return {
            "work": {"units": self.requests, "bytes": self.bytes, "checksum": f"{self.checksum:016x}"},
            "io": {
                "ok": self.ok,
                "failed": self.requests - self.ok - errors["dropped"],
                "status": {str(c): n for c, n in sorted(self.status.items())},
                "errors": errors,
                "bytes_received": self.bytes,
                "responses": sum(self.status.values()),
                "req_per_s": 0.0,
                "bytes_per_s": 0.0,
                "latency_ms": latency.summary(Counter(self.latency_us).items()),
                "in_flight_max": in_flight_max,
            },
        }


def main(model: str, fetch, in_flight, variant=None):
    """The whole `main` of an IO entry: `fetch(cfg, plan, sampler)` sends every request and
    returns the Tally; `in_flight(cfg)` is the budget the report names."""

    def prepare(cfg):
        harness.only_main_scenario(cfg, model)
        harness.ensure_fds(min(cfg["io"]["concurrency"], cfg["io"]["requests"]) + 256, f"{model}'s connections")
        return Plan(cfg)

    def run(cfg, plan, sampler):
        tally = fetch(cfg, plan, sampler)
        return tally.outcome(min(in_flight(cfg), plan.requests))

    def check(cfg, plan, outcome):
        plan.target.close()
        if outcome["work"]["units"] != plan.requests:
            raise RuntimeError(f"counted {outcome['work']['units']} requests of {plan.requests}")

    harness.main(model, "io", "http", prepare, run, variant=variant, check=check)


# The blocking client (requests), shared by py-io-sync, py-io-threads and py-io-procs.

def session(plan: Plan, pool: int):
    import requests
    from requests.adapters import HTTPAdapter

    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    if not plan.keep_alive:
        s.headers["Connection"] = "close"
    # One pooled connection per thread that may use it at once (urllib3 keeps 10 by default and
    # drops the rest after each use).
    s.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=max(pool, 1)))
    return s


def blocking_get(s, plan: Plan, index: int, tally: Tally):
    import requests

    t0 = time.perf_counter()
    try:
        r = s.get(plan.url(index), timeout=plan.timeout_s)
        body = r.content
    except requests.exceptions.ConnectTimeout:
        return tally.error(index, "timeout")
    except requests.exceptions.Timeout:
        return tally.error(index, "timeout")
    except requests.exceptions.ConnectionError as err:
        text = repr(err)
        kind = "connect" if ("NewConnectionError" in text or "Connection refused" in text) else "reset"
        return tally.error(index, kind)
    except requests.exceptions.ChunkedEncodingError:
        return tally.error(index, "reset")
    except Exception:
        return tally.error(index, "other")
    plan.keep(body)
    tally.response(index, r.status_code, len(body), time.perf_counter() - t0)


# The asyncio client (aiohttp), shared by py-io-asyncio and py-io-hybrid.

async def fetch_async(plan: Plan, indices, slots: int) -> Tally:
    """Sends the requests of `indices` from `slots` coroutines, each pulling the next index,
    over one aiohttp session whose connector holds `slots` connections."""
    import asyncio

    import aiohttp

    tally = Tally()
    pending = iter(indices)
    timeout = aiohttp.ClientTimeout(total=plan.timeout_s)
    connector = aiohttp.TCPConnector(limit=slots, force_close=not plan.keep_alive)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     headers={"User-Agent": USER_AGENT}) as client:
        async def slot():
            for index in pending:
                t0 = time.perf_counter()
                try:
                    async with client.get(plan.url(index)) as r:
                        body = await r.read()
                        status = r.status
                except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
                    tally.error(index, "timeout")
                    continue
                except aiohttp.ClientConnectorError:
                    tally.error(index, "connect")
                    continue
                except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError,
                        aiohttp.ClientOSError, ConnectionResetError):
                    tally.error(index, "reset")
                    continue
                except Exception:
                    tally.error(index, "other")
                    continue
                plan.keep(body)
                tally.response(index, status, len(body), time.perf_counter() - t0)

        await asyncio.gather(*(slot() for _ in range(slots)))
    return tally
