"""The checksums' bit mixer and the split of a range, as `concbench_core::seq` has them."""

M64 = (1 << 64) - 1


def mix(z: int) -> int:
    """SplitMix64's finaliser (the checksums add these up, modulo 2**64)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def split(length: int, parts: int) -> list[range]:
    """`range(length)` in `parts` contiguous ranges whose sizes differ by one at most."""
    parts = max(1, min(parts, max(length, 1)))
    size, extra = divmod(length, parts)
    out, start = [], 0
    for p in range(parts):
        end = start + size + (1 if p < extra else 0)
        out.append(range(start, end))
        start = end
    return out


def chunks(length: int, chunk: int) -> list[range]:
    """`range(length)` in ranges of `chunk` items (the last may be shorter)."""
    chunk = max(chunk, 1)
    return [range(s, min(s + chunk, length)) for s in range(0, length, chunk)]


def pattern(key: int, length: int) -> bytes:
    """`length` bytes of the seeded pattern `key`: the little-endian words mix(key ^ 0), ..."""
    words = (length + 7) // 8
    return b"".join(mix(key ^ w).to_bytes(8, "little") for w in range(words))[:length]
