"""What every Python entry does around its work, as `concbench_core::harness` does for the
binaries: read the command line and the config, prepare the inputs (not measured), open the
window, run, close it, check the work, print one report. Exit 0: the run finished; 1: it could
not be done; 2: a usage or config error."""

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import traceback
from pathlib import Path

from . import config
from .sampler import Sampler

SCHEMA_VERSION = 2
REPO = Path(__file__).resolve().parents[3]


class CouldNotRun(Exception):
    """The run could not be done (exit 1): an unreachable target, a crashed worker."""


class Usage(Exception):
    """The config asks for what this entry does not do (exit 2), naming the key."""

    def __init__(self, key: str, message: str):
        super().__init__(f"config error: key `{key}`: {message}")


def main(model: str, family: str, scenario, prepare, run, variant=None, check=None):
    """The whole `main` of an entry. `prepare(cfg)` builds the inputs; `run(cfg, input, sampler)`
    does the measured work and returns the report's `work` block plus its family's block
    (`io`, `serve`); `scenario(cfg)` names the workload; `variant(cfg)` the loop or mode."""
    parser = argparse.ArgumentParser(prog=model, description=f"concbench's Python entry {model}")
    parser.add_argument("--config", metavar="FILE", help="TOML config; without it the built-in defaults apply")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override one key, e.g. --set cpu.workers=4")
    args = parser.parse_args()
    try:
        cfg = config.load(args.config, args.sets)
        report = measure(model, family, scenario, prepare, run, variant, check, cfg)
    except (config.ConfigError, Usage) as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    except CouldNotRun as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
    except Exception as err:  # a crash is a run that could not be done, with its cause
        traceback.print_exc(file=sys.stderr)
        print(f"error: {type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(1)
    sys.stdout.write(json.dumps(report, indent=2) + "\n")


def measure(model, family, scenario, prepare, run, variant, check, cfg):
    env = collect_env()
    inputs = prepare(cfg)
    sampler = Sampler(cfg["sampler"]["interval_ms"])
    started_at = datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    sampler.start()
    try:
        outcome = run(cfg, inputs, sampler)
    finally:
        measured = sampler.stop()
    if check is not None:
        check(cfg, inputs, outcome)
    wall = measured.pop("wall_s")
    io, serve = outcome.get("io"), outcome.get("serve")
    if io is not None:
        io["req_per_s"] = io["responses"] / wall
        io["bytes_per_s"] = io["bytes_received"] / wall
    if serve is not None:
        serve["round_trips_per_s"] = serve["round_trips"] / wall
    return {
        "schema_version": SCHEMA_VERSION,
        "model": model,
        "variant": variant(cfg) if variant else None,
        "legacy": False,
        "family": family,
        "scenario": scenario(cfg) if callable(scenario) else scenario,
        "config": cfg,
        "started_at": started_at,
        "wall_s": wall,
        "work": outcome["work"],
        "io": io,
        "units": None,
        "serve": serve,
        **measured,
        "env": env,
    }


def only_main_scenario(cfg, model):
    if cfg["scenario"]["name"] != "main":
        raise Usage("scenario.name", f"{model} runs its family's main workload only: \"main\" (got \"{cfg['scenario']['name']}\")")


def ensure_fds(wanted: int, what: str):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return
    if hard != resource.RLIM_INFINITY and hard < wanted:
        raise CouldNotRun(f"{what} need {wanted} file descriptors; the hard limit is {hard} (raise it with ulimit -Hn)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def binary(name: str) -> Path:
    """A Rust binary of the workspace this entry uses as a tool (bench-server, the load
    generator): in `CONCBENCH_BIN_DIR` (the runner sets it), else target/release."""
    folder = Path(os.environ.get("CONCBENCH_BIN_DIR") or REPO / "target" / "release")
    path = folder / name
    if not path.is_file():
        raise CouldNotRun(f"{path} is missing: build it with `cargo build --release --bin {name}` (or set CONCBENCH_BIN_DIR)")
    return path


def checksum_hex(value: int) -> str:
    return f"{value & ((1 << 64) - 1):016x}"


def collect_env() -> dict:
    def first(path, key, sep=":"):
        try:
            for line in open(path):
                if line.startswith(key):
                    return line.split(sep, 1)[1].strip().strip('"')
        except OSError:
            pass
        return ""

    os_name = first("/etc/os-release", "PRETTY_NAME", "=")
    mem = first("/proc/meminfo", "MemTotal")
    return {
        "os": f"Linux ({os_name})" if os_name else platform.system(),
        "kernel": platform.release(),
        "cpu_model": first("/proc/cpuinfo", "model name"),
        "cores_logical": os.cpu_count() or 0,
        "cores_usable": config.cores(),
        "mem_total_mib": int(mem.split()[0]) // 1024 if mem else 0,
        "host": platform.node(),
        "rustc": "",
        "git_sha": git_sha(),
        "profile": "python",
        "python": python_env(),
    }


def python_env() -> dict:
    from importlib import metadata

    packages = {}
    for name in ("aiohttp", "requests", "uvloop"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    import sysconfig

    # A free-threaded build (3.13t and later) can run without the GIL; whether it did is
    # `sys._is_gil_enabled()` (3.13+), which PYTHON_GIL=1 or an extension module can turn on.
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    return {
        "implementation": platform.python_implementation(),
        "version": platform.python_version(),
        "executable": sys.executable,
        "packages": packages,
        "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "gil": True if is_gil_enabled is None else bool(is_gil_enabled()),
        # How the interpreter was built moves the loop by tens of per cent: a distribution's
        # build has PGO and LTO, pyenv's default has neither.
        "pgo": "--enable-optimizations" in (sysconfig.get_config_var("CONFIG_ARGS") or ""),
        "lto": "--with-lto" in (sysconfig.get_config_var("CONFIG_ARGS") or ""),
    }


def git_sha() -> str:
    try:
        sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return f"{sha}-dirty" if sha and dirty else sha
