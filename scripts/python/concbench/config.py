"""The shared TOML config, read as the Rust binaries read it: the built-in defaults
(`defaults.json`, written from the Rust `Config::default()` and kept equal to it by a test),
then `--config FILE`, then each `--set section.key=value`. Every error names where it came from,
the key and what is allowed, and is exit 2."""

import json
import os
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULTS = json.loads((HERE / "defaults.json").read_text())

# Keys that take a worker count: a whole number, "cores" or "N*cores".
COUNTS = {"cpu.workers", "io.workers", "serve.workers", "serve.loadgens"}
# The allowed values of the keys the Python entries read.
CHOICES = {
    "cpu.kernel": ["char-encoding", "sqrt-sum", "filter-aggregate"],
    "io.sink": ["discard", "file"],
    "py.loop": ["asyncio", "uvloop"],
}
# (low, high) of the numbers the Python entries read, as the Rust checks have them.
RANGES = {
    "cpu.urls": (1, 10_000_000),
    "cpu.passes": (1, 10_000),
    "cpu.workers": (1, 1024),
    "cpu.chunk": (0, 1_000_000_000),
    "cpu.numbers": (1, 100_000_000_000),
    "cpu.records": (1, 100_000_000),
    "io.requests": (1, 10_000_000),
    "io.concurrency": (1, 1_000_000),
    "io.workers": (1, 1_000_000),
    "io.timeout_ms": (1, 3_600_000),
    "serve.connections": (1, 100_000),
    "serve.round_trips": (1, 1_000_000),
    "serve.message_bytes": (1, 1_048_576),
    "serve.workers": (1, 10_000),
    "serve.timeout_ms": (1, 3_600_000),
    "sampler.interval_ms": (1, 60_000),
}
# Items of a job when `cpu.chunk = 0`, per kernel (the Rust `CpuKernel::default_chunk`).
DEFAULT_CHUNK = {"char-encoding": 1_000, "sqrt-sum": 64_000, "filter-aggregate": 32_000}


class ConfigError(Exception):
    """A config error; `str()` is the message the Rust binaries print."""

    def __init__(self, origin: str, key: str, message: str):
        self.origin, self.key, self.message = origin, key, message
        where = f": key `{key}`" if key else ""
        super().__init__(f"config error in {origin}{where}: {message}")


def cores() -> int:
    """The cores this process may run on (its CPU affinity)."""
    return len(os.sched_getaffinity(0))


def count(value) -> int | None:
    """A worker count written as a number, "cores" or "N*cores"; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str):
        text = value.strip()
        if text == "cores":
            return cores()
        if text.endswith("*cores"):
            factor = text[: -len("*cores")].strip()
            return int(factor) * cores() if factor.isdigit() else None
    return None


def parse_set(arg: str):
    """`section.key=value`: the value read as TOML, or as a plain string where it is not TOML."""
    if "=" not in arg:
        raise ConfigError(f"--set {arg}", "", "expected section.key=value")
    key, text = arg.split("=", 1)
    key = key.strip()
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        value = text
    return key, value


def load(file: str | None, sets: list[str]) -> dict:
    """The effective config: defaults, then `file`, then `sets`; raises ConfigError."""
    cfg = json.loads(json.dumps(DEFAULTS))
    origins: dict[str, str] = {}
    if file is not None:
        try:
            with open(file, "rb") as f:
                table = tomllib.load(f)
        except OSError as err:
            raise ConfigError(file, "", f"cannot read the file: {err.strerror}") from None
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(file, "", f"not valid TOML: {err}") from None
        for section, keys in table.items():
            if section == "runner":
                cfg["runner"] = keys
                continue
            if not isinstance(keys, dict):
                raise ConfigError(file, section, "expected a table")
            for key, value in keys.items():
                assign(cfg, origins, file, f"{section}.{key}", value)
    for arg in sets:
        key, value = parse_set(arg)
        if key.startswith("runner."):
            continue  # the runner's own keys; it checks them
        assign(cfg, origins, f"--set {arg}", key, value)
    validate(cfg, origins)
    cfg["cpu"]["chunk"] = cfg["cpu"]["chunk"] or DEFAULT_CHUNK[cfg["cpu"]["kernel"]]
    return cfg


def assign(cfg: dict, origins: dict, origin: str, dotted: str, value) -> None:
    """Sets `section.key` to `value` after checking the key and the value's type."""
    section, _, key = dotted.partition(".")
    if section not in cfg or section == "runner":
        allowed = ", ".join(f"`{s}`" for s in cfg if s != "runner")
        raise ConfigError(origin, section, f"unknown section; expected one of {allowed}, `runner`")
    if key not in cfg[section]:
        allowed = ", ".join(f"`{k}`" for k in cfg[section])
        raise ConfigError(origin, dotted, f"unknown field `{key}`, expected one of {allowed}")
    default = cfg[section][key]
    if dotted in COUNTS:
        n = count(value)
        if n is None:
            raise ConfigError(
                origin, dotted,
                f"expected a whole number, \"cores\" or \"N*cores\" (cores: this process's CPU affinity), got {value!r}",
            )
        value = n
    elif not same_type(default, value):
        raise ConfigError(origin, dotted, f"expected {type_name(default)}, got {value!r}")
    if dotted in CHOICES and value not in CHOICES[dotted]:
        raise ConfigError(origin, dotted, f"unknown variant `{value}`, expected one of {', '.join(CHOICES[dotted])}")
    if isinstance(default, float):
        value = float(value)
    cfg[section][key] = value
    origins[dotted] = origin


def same_type(default, value) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, type(default))


def type_name(default) -> str:
    return {bool: "a boolean", int: "a whole number", float: "a number", str: "a string", list: "a list of strings"}[type(default)]


def validate(cfg: dict, origins: dict) -> None:
    for dotted, (low, high) in RANGES.items():
        section, key = dotted.split(".")
        value = cfg[section][key]
        if not low <= value <= high:
            raise ConfigError(origins.get(dotted, "built-in defaults"), dotted, f"must be between {low} and {high}, got {value}")
    for section in ("io", "serve"):
        if cfg[section]["spin_rounds"] > 0:
            raise ConfigError(origins.get(f"{section}.spin_rounds", "built-in defaults"), f"{section}.spin_rounds",
                              "must be 0: the Python entries do not spin, so under it they would do less work than the Rust models")
    if cfg["io"]["client"] != "hyper":
        raise ConfigError(origins.get("io.client", "built-in defaults"), "io.client",
                          "must be \"hyper\" (the default): the Python entries send with their own libraries; "
                          "the lean client is the Rust async models'")
    target = cfg["io"]["target"]
    if not (target == "spawn" or (target.startswith("http://") and len(target) > len("http://"))):
        raise ConfigError(origins.get("io.target", "built-in defaults"), "io.target",
                          "\"spawn\" or a base URL such as \"http://127.0.0.1:8080\"")
    if not cfg["io"]["endpoints"] or not all(e.startswith("/") for e in cfg["io"]["endpoints"]):
        raise ConfigError(origins.get("io.endpoints", "built-in defaults"), "io.endpoints",
                          "a non-empty list of paths that start with '/'")
