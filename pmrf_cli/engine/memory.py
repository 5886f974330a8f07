"""Memory budgets and chunk sizes."""

from __future__ import annotations

import re

_SIZE = re.compile(r"^\s*([0-9.]+)\s*([kKmMgGtT]?)(i?[bB])?\s*$")
_MULT = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(text: str) -> int:
    """'2G', '512M', '1.5GiB', '1000000' -> bytes."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError(f"cannot read memory size {text!r} (e.g. 2G, 512M)")
    return int(float(m.group(1)) * _MULT[m.group(2).lower()])


def available_host_memory() -> int:
    """Available RAM in bytes (MemAvailable), or 4 GiB when it cannot be read."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 4 << 30


def available_device_memory(device) -> int | None:
    """Free memory on an accelerator, when the runtime reports it."""
    try:
        stats = device.memory_stats() or {}
        return int(stats["bytes_limit"]) - int(stats.get("bytes_in_use", 0))
    except Exception:
        return None


def default_budget(device) -> int:
    """A safe share of free memory: a quarter of host RAM (at most 4 GiB) on CPU, half of free
    accelerator memory on a GPU."""
    if getattr(device, "platform", "cpu") != "cpu":
        free = available_device_memory(device)
        if free:
            return free // 2
    return min(available_host_memory() // 4, 4 << 30)


def bytes_per_sample(nfreq: int, nports: int, unknowns: int) -> int:
    """A conservative estimate of the working memory one sample needs in a kernel: the output,
    the live entries of the elimination, and the host copy, all complex128."""
    live = 3 * nports * nports + 4 * max(unknowns, 1) ** 2 // 2 + 32
    return nfreq * 16 * live


def tiled_bytes_per_sample(nfreq: int, nports: int, keep_s: bool, itemsize: int = 16) -> int:
    """The memory a sample takes in a chunk evaluated in tiles (the CPU kernels): its S, in the
    chunk being computed and in the one being written, when the sweep keeps S; its share of the
    statistics blocks (about ten float64 sums of F*P*P per block of 64 samples); its values,
    margins and flags. The intermediates are a tile's (`tile_bytes`), whatever the chunk."""
    entries = nfreq * nports * nports
    return (2 * entries * itemsize if keep_s else 0) + entries * 8 * 10 // 64 + 1024


def tile_bytes(tile_points: int) -> int:
    """A generous bound on one tile's intermediates: 64 complex128 values per (sample, frequency)
    point; each core evaluating a tile holds one."""
    return tile_points * 64 * 16


def choose_chunk(total: int, per_sample: int, budget: int, cap: int = 8192) -> int:
    """Samples per chunk: what fits the budget, at most `cap`, at most `total`, at least 1."""
    fit = max(1, budget // max(per_sample, 1))
    chunk = min(fit, cap, max(total, 1))
    if chunk >= 64:
        chunk -= chunk % 64
    return chunk
