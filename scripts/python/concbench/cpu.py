"""The CPU family's kernels as `concbench_cpu` has them, with the same inputs and checksums:
char-encoding (the study's URLs and its per-character loop), sqrt-sum, filter-aggregate. A
tally is (units, bytes, checksum); tallies of disjoint ranges add up to the whole's."""

import math

from .seq import M64, mix

ASCII = "abcdefghijklmnopqrstuvwxyz"
WIDE = [["é", "ß", "ж", "λ"], ["€", "中", "あ", "∑"], ["😀", "𝄞", "🦀", "𐍈"]]
RESET_AT = 1_000
SQRT_SCALE = 4_294_967_296.0
GROUPS = 64
RECORD_BYTES = 16


def base_param(unicode: bool, seed: int) -> str:
    if not unicode:
        return ASCII
    out, state = [], seed
    for c in ASCII:
        state = (state + 0x9E3779B97F4A7C15) & M64
        r = mix(state)
        width = r % 4
        out.append(c if width == 0 else WIDE[width - 1][(r >> 8) % len(WIDE[width - 1])])
    return "".join(out)


def generate_urls(cfg) -> list[str]:
    """The study's generator: URL i is http://{host}/anything/{i}?query={param}; param starts
    as a..z and after each URL is reset if it was 1,000 bytes or longer, else doubled."""
    c = cfg["cpu"]
    base = base_param(c["unicode"], c["seed"])
    param, urls = base, []
    for i in range(c["urls"]):
        urls.append(f"http://{c['host']}/anything/{i}?query={param}")
        param = base if len(param.encode()) >= RESET_AT else param + param
    return urls


def count_char_bytes(url: str) -> int:
    """The study's kernel: encode every character and add the lengths (never len(url.encode()))."""
    char_bytes = 0
    for char in url:
        char_bytes += len(char.encode())
    return char_bytes


def tally_urls(urls: list[str], items: range, first: int = 0) -> tuple[int, int, int]:
    """The tally of the URLs of index `items`, URL i being urls[(i - first) % len(urls)]: the
    whole pass (first 0), or a batch that holds only its own URLs (first: its first index)."""
    n = len(urls)
    total = checksum = 0
    for i in items:
        b = count_char_bytes(urls[(i - first) % n])
        total += b
        checksum += mix((i << 24) ^ b)
    return len(items), total, checksum & M64


def tally_sqrt(items: range) -> tuple[int, int, int]:
    checksum = 0
    for i in items:
        checksum += int(math.sqrt(i) * SQRT_SCALE)
    return len(items), 0, checksum & M64


def record(seed: int, i: int) -> tuple[int, int]:
    h = mix(seed ^ mix(i))
    return h % GROUPS, ((h >> 16) % 1_000_000) - 500_000


def generate_records(cfg) -> list[tuple[int, int]]:
    seed = cfg["cpu"]["seed"]
    return [record(seed, i) for i in range(cfg["cpu"]["records"])]


def tally_records(records, items: range) -> tuple[int, int, int]:
    n = len(records)
    count, sums = [0] * GROUPS, [0] * GROUPS
    for i in items:
        group, value = records[i % n]
        if value > 0:
            count[group] += 1
            sums[group] += value
    checksum = 0
    for g in range(GROUPS):
        checksum += mix(g) * (sums[g] & M64) + mix(g | 1 << 32) * count[g]
    return len(items), len(items) * RECORD_BYTES, checksum & M64


class Input:
    """One CPU run's input: the kernel's items, counted `passes` times (char-encoding,
    filter-aggregate), built before the window opens."""

    def __init__(self, cfg):
        c = cfg["cpu"]
        self.kernel = c["kernel"]
        passes = max(1, c["passes"])
        if self.kernel == "char-encoding":
            self.items = generate_urls(cfg)
            self.len = len(self.items) * passes
        elif self.kernel == "sqrt-sum":
            self.items, self.len = None, c["numbers"]
        else:
            self.items = generate_records(cfg)
            self.len = len(self.items) * passes

    def tally(self, items: range) -> tuple[int, int, int]:
        if self.kernel == "char-encoding":
            return tally_urls(self.items, items)
        if self.kernel == "sqrt-sum":
            return tally_sqrt(items)
        return tally_records(self.items, items)


def merge(tallies) -> tuple[int, int, int]:
    units = total = checksum = 0
    for u, b, c in tallies:
        units, total, checksum = units + u, total + b, checksum + c
    return units, total, checksum & M64


def work(t) -> dict:
    return {"units": t[0], "bytes": t[1], "checksum": f"{t[2]:016x}"}


def check(cfg, inputs, outcome):
    """The tally covers every item once (units); the checksum is compared across models by
    the tests and the runner."""
    if outcome["work"]["units"] != inputs.len:
        raise RuntimeError(f"counted {outcome['work']['units']} items of {inputs.len}")
