"""A sweep's kernel as plain data, rebuilt and evaluated in another process (a Dask worker).

A `SweepRecipe` holds everything that defines a sweep's compiled kernel: the netlist text and the
folder its Touchstone paths are relative to (with the files' digests, checked on the worker), the
`--set` overrides, the frequency grid, the plan's other fields (seed, samples per grid point,
grid, specs...), precision, range checks, tiling, part size and device. It is picklable and
small (the netlist text, not the parsed objects), so it can travel with every task.

`evaluate` runs on the worker: the first call for a recipe parses the netlist, builds and
compiles the kernel for `part` indices (through the traced-program cache, like a one-process
sweep) and keeps it in `_KERNELS`; every later call reuses it. The process's JAX precision is set
the way the `pmrf` command sets it, when the first kernel is built, never on import.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from pmrf_cli.engine.runtime import DeviceError

#: Compiled kernels kept per worker process, by recipe token (oldest dropped beyond this many).
MAX_KERNELS = 8
_KERNELS: dict[str, Callable] = {}
_LOCK = threading.Lock()


class WorkerError(DeviceError):
    """A worker could not build a sweep's kernel (the message names the worker and the cause)."""


@dataclass(frozen=True, eq=False)
class SweepRecipe:
    """What a worker needs to rebuild a sweep's kernel; `token` identifies it (cache key)."""

    text: str
    source: str
    base_dir: str
    overrides: tuple[tuple[str, str], ...]
    touchstone: tuple[tuple[str, str], ...]  # (component path, sha256 of the file)
    frequency: np.ndarray
    plan: tuple[tuple[str, Any], ...]  # SweepPlan's other fields: seed, per_point, grid, ...
    precision: str
    checks: bool
    tile_points: int | None
    part: int
    device: str
    options: tuple[tuple[str, Any], ...] = ()  # further make_kernel keyword arguments
    token: str = ""


def touchstone_digests(flat) -> tuple[tuple[str, str], ...]:
    """(component path, sha256) of each Touchstone file the netlist reads."""
    return tuple(
        (c.path, hashlib.sha256(Path(c.file).read_bytes()).hexdigest())
        for c in flat.components if c.type == "touchstone"
    )


def recipe_for(
    plan, sets: list[str] | None, precision: str, checks: bool, tile_points: int | None,
    part: int, device: str, **options: Any,
) -> SweepRecipe:
    """The recipe of the kernel a one-process sweep of `plan` would compile for `part` indices
    (`sets`: the checked `--set NAME=VALUE` options; `options`: further `make_kernel` arguments)."""
    spec = plan.flat.spec
    rest = tuple(
        (f.name, getattr(plan, f.name)) for f in dataclasses.fields(plan) if f.name not in ("flat", "frequency")
    )
    recipe = SweepRecipe(
        text=spec.text, source=spec.source, base_dir=str(spec.base_dir),
        overrides=tuple((k.strip(), v.strip()) for k, v in (t.split("=", 1) for t in sets or ())),
        touchstone=touchstone_digests(plan.flat),
        frequency=np.asarray(plan.frequency, np.float64), plan=rest, precision=precision, checks=checks,
        tile_points=tile_points, part=int(part), device=device.lower(), options=tuple(sorted(options.items())),
    )
    return dataclasses.replace(recipe, token=_token(recipe))


def _token(recipe: SweepRecipe) -> str:
    """A digest of the recipe's content; a random token where it does not pickle (then
    nothing is reused across runs, and the traced-program cache is skipped)."""
    fields = [getattr(recipe, f.name) for f in dataclasses.fields(recipe) if f.name != "token"]
    try:
        return "r" + hashlib.sha256(pickle.dumps(fields, protocol=4)).hexdigest()
    except Exception:  # noqa: BLE001 - e.g. a closure among the options
        return "u" + uuid.uuid4().hex


def plan_of(recipe: SweepRecipe):
    """The `SweepPlan` of a recipe: the netlist parsed, overridden and flattened here."""
    from pmrf_cli.engine.kernel import SweepPlan
    from pmrf_cli.io.touchstone import TouchstoneError
    from pmrf_cli.netlist import apply_overrides, flatten, parse_netlist

    spec = parse_netlist(recipe.text, recipe.source, Path(recipe.base_dir))
    if recipe.overrides:
        spec = apply_overrides(spec, dict(recipe.overrides))
    flat = flatten(spec)
    files = {c.path: c.file for c in flat.components}
    for path, digest in touchstone_digests(flat):
        if (path, digest) not in recipe.touchstone:
            raise TouchstoneError(str(files[path]), 1, 1, "differs from the client's copy of this file")
    return SweepPlan(flat, recipe.frequency, **dict(recipe.plan))


def _build(recipe: SweepRecipe) -> Callable:
    from pmrf_cli.engine import program_cache, runtime

    runtime.configure(recipe.precision)
    import jax

    from pmrf_cli.engine.kernel import compile_for, make_kernel, padded_indices, sweep_points

    dev = runtime.select_device(recipe.device)
    plan = plan_of(recipe)
    dtype = np.complex64 if recipe.precision == "single" else None

    def make():
        return make_kernel(plan, dtype=dtype, tile_points=recipe.tile_points, checks=recipe.checks,
                           **dict(recipe.options))

    with jax.default_device(dev):
        if recipe.token.startswith("r"):
            key = program_cache.program_key("sweep-part", recipe.token, runtime.describe(dev))
            kernel = program_cache.kernel(key, make, padded_indices(0, recipe.part, recipe.part), dev.platform)
        else:
            kernel = make()
        return compile_for(kernel, recipe.part, dev.platform, sweep_points(plan))


def compiled(recipe: SweepRecipe) -> Callable:
    """The recipe's compiled kernel in this process, built at the first call only."""
    fn = _KERNELS.get(recipe.token)
    if fn is None:
        with _LOCK:
            fn = _KERNELS.get(recipe.token)
            if fn is None:
                fn = _build(recipe)
                while len(_KERNELS) >= MAX_KERNELS:
                    _KERNELS.pop(next(iter(_KERNELS)))
                _KERNELS[recipe.token] = fn
    return fn


def warm(recipe: SweepRecipe, where: str = "") -> float:
    """Build the recipe's kernel here (seconds taken); a failure becomes a `WorkerError`."""
    t0 = time.perf_counter()
    try:
        compiled(recipe)
    except Exception as exc:  # noqa: BLE001 - any cause, reported as one picklable error
        raise WorkerError(f"worker {where or 'process'}: {exc}") from None
    return time.perf_counter() - t0


def evaluate(recipe: SweepRecipe, where, select: Callable | None = None):
    """A piece of a chunk, as host arrays: `where` is (start, count), the indices from `start`
    padded to whole parts (`padded_indices`), or an index array (padded likewise); each part is one
    call of the recipe's kernel, as in a one-process sweep, and the outputs are joined in order.
    `select(out)` picks what is sent back (the kernel's output pytree as it is without one)."""
    import jax

    from pmrf_cli.engine.kernel import padded_indices, padded_to

    part = recipe.part
    if isinstance(where, tuple):
        indices = padded_indices(where[0], where[1], -(-where[1] // part) * part)
    else:
        indices = padded_to(np.asarray(where), -(-len(where) // part) * part)
    fn = compiled(recipe)
    outs = [jax.tree_util.tree_map(np.asarray, fn(indices[k:k + part])) for k in range(0, len(indices), part)]
    out = outs[0] if len(outs) == 1 else jax.tree_util.tree_map(lambda *x: np.concatenate(x), *outs)
    return out if select is None else select(out)


@dataclass(frozen=True)
class Drop:
    """A picklable `select` for `evaluate`: the kernel's output without `keys` (e.g. `("s",)`
    for a sweep that stores margins only, so S never leaves the worker)."""

    keys: tuple[str, ...]

    def __call__(self, out: dict) -> dict:
        return {k: v for k, v in out.items() if k not in self.keys}


def describe_device(device: str) -> tuple[str, str]:
    """(platform, description) of this process's device of kind `device`."""
    from pmrf_cli.engine import runtime

    dev = runtime.select_device(device)
    return dev.platform, runtime.describe(dev)
