"""Process-wide JAX setup for the command line: precision, compilation cache, device.

The library never calls these on import; the `pmrf` command does, once, before any tracing.
"""

from __future__ import annotations

import os
from pathlib import Path


class DeviceError(RuntimeError):
    """The requested device is not available to JAX."""


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask; `PMRF_CORES` overrides)."""
    env = os.environ.get("PMRF_CORES")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            pass
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def configure(precision: str = "double") -> None:
    """Enable float64 for double precision and a persistent compilation cache across runs
    (at $PMRF_CACHE_DIR, default ~/.cache/pmrf/jax; PMRF_NO_CACHE=1 turns it off). On a GPU,
    memory is taken as a sweep needs it (its chunks are sized to half the free memory), not 75 %
    of the card at start-up as JAX does by default: on an H200 that reservation cost every run
    2.5 s (the first transfer) and 1.2 s more to start, and the card stays usable by others;
    XLA_PYTHON_CLIENT_PREALLOCATE=true restores it."""
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    import jax

    jax.config.update("jax_enable_x64", precision == "double")
    if os.environ.get("PMRF_NO_CACHE"):
        return
    cache = Path(os.environ.get("PMRF_CACHE_DIR") or Path.home() / ".cache" / "pmrf" / "jax")
    try:
        cache.mkdir(parents=True, exist_ok=True)
        jax.config.update("jax_compilation_cache_dir", str(cache))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    except (OSError, AttributeError):
        pass


def select_device(name: str):
    """The first JAX device of kind `name` ('cpu' or 'gpu')."""
    import jax

    name = name.lower()
    if name not in ("cpu", "gpu"):
        raise DeviceError(f"unknown device {name!r} (use cpu or gpu)")
    try:
        devices = jax.devices(name)
    except RuntimeError:
        devices = []
    if not devices:
        if name == "gpu":
            raise DeviceError(
                "no GPU is visible to JAX; install the CUDA build with "
                "pip install 'pmrf-cli[cuda]' (and check nvidia-smi), or use --device cpu"
            )
        raise DeviceError("no CPU device is visible to JAX")
    return devices[0]


def describe(device) -> str:
    """A short description of a device for provenance, e.g. 'cpu' or 'gpu:NVIDIA H100'."""
    kind = getattr(device, "device_kind", "") or ""
    return f"{device.platform}:{kind}" if kind and kind != device.platform else device.platform
