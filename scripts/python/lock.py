#!/usr/bin/env python3
"""Writes the sha256 of every file PyPI holds for each pin of requirements.txt into it, so the
runner's `pip install --require-hashes` refuses a file that changed on the index.

    python3 scripts/python/lock.py            # rewrite requirements.txt with its hashes
    python3 scripts/python/lock.py --check    # exit 1 when the file is not what it would write

The pins (`name==version` lines) are the truth; this adds their hashes. Only the files a Linux
machine can install are hashed (the sdist, pure wheels and Linux wheels, for every CPython the
index has them for): concbench measures through /proc, so it runs on Linux only. The hashes come
from the index's JSON simple API (PEP 691), which every mirror of PyPI serves."""

import json
import re
import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILE = HERE / "requirements.txt"
INDEX = "https://pypi.org/simple"
HEADER = """\
# The Python entries' packages, pinned with everything they pull in (`pip freeze`), so every
# machine measures the same code. The runner installs them into target/concbench-python/venv
# (one environment per interpreter) with `--require-hashes`: a file whose hash is not listed
# here is refused, not measured. To change a pin, edit its version and run
# `python3 scripts/python/lock.py`, which writes the hashes of the Linux files PyPI holds for it.
"""


def pins(text: str) -> list[tuple[str, str]]:
    found = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", text, flags=re.MULTILINE)
    if not found:
        sys.exit(f"lock.py: no `name==version` pins in {FILE}")
    return found


def linux(filename: str) -> bool:
    if not filename.endswith(".whl"):
        return filename.endswith((".tar.gz", ".zip"))
    platform = filename[:-4].split("-")[-1]
    return platform == "any" or "linux" in platform


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def name_version(filename: str) -> tuple[str, str]:
    """The project and version a file of the index is of (wheel or sdist)."""
    if filename.endswith(".whl"):
        dist, version = filename.split("-")[:2]
        return norm(dist), version
    stem = re.sub(r"\.(tar\.gz|zip)$", "", filename)
    dist, _, version = stem.rpartition("-")
    return norm(dist), version


def hashes(name: str, version: str) -> list[str]:
    req = urllib.request.Request(
        f"{INDEX}/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(req, timeout=60) as answer:
        files = json.load(answer)["files"]
    out = sorted(
        {
            f["hashes"]["sha256"]
            for f in files
            if name_version(f["filename"]) == (norm(name), version)
            and linux(f["filename"])
            and "sha256" in f.get("hashes", {})
        }
    )
    if not out:
        sys.exit(f"lock.py: the index holds no Linux file of {name} {version}")
    return out


def render(text: str) -> str:
    lines = [HEADER]
    for name, version in pins(text):
        digests = hashes(name, version)
        ends = [" \\"] * (len(digests) - 1) + [""]
        lines.append(f"{name}=={version} \\\n")
        lines.extend(f"    --hash=sha256:{d}{end}\n" for d, end in zip(digests, ends))
    return "".join(lines)


def main() -> None:
    text = FILE.read_text()
    new = render(text)
    if "--check" in sys.argv[1:]:
        sys.exit(0 if new == text else f"lock.py: {FILE} is not what its pins hash to")
    FILE.write_text(new)
    print(f"lock.py: {len(pins(new))} pins, {new.count('--hash')} hashes in {FILE}")


if __name__ == "__main__":
    main()
