"""Jitted, vmapped evaluation of a netlist over chunks of sample indices.

One kernel is compiled per netlist structure and chunk shape: a chunk is a fixed-length vector
of sample indices (the last, partial chunk is padded with a repeated index and the padding
dropped on the host), so the whole sweep, however long, compiles exactly once. Keys, parameter
draws, model construction and S all happen inside the kernel, on the device.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from pmrf_cli.frequency import Frequency
from pmrf_cli.netlist.build import circuit_builder, domain_checks
from pmrf_cli.netlist.flatten import FlatNetlist
from pmrf_cli.sampling.draws import parameter_function
from pmrf_cli.sampling.grid import Grid


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep evaluates: sample i is Monte Carlo draw i % per_point at grid point i // per_point."""

    flat: FlatNetlist
    frequency: np.ndarray
    seed: int | None
    per_point: int = 1
    grid: Grid = field(default_factory=lambda: Grid(()))

    @property
    def samples(self) -> int:
        """Total number of samples."""
        return self.per_point * self.grid.size


def _sample_values(plan: SweepPlan) -> Callable:
    params = parameter_function(plan.flat, plan.seed)
    coords = {k: jnp.asarray(v) for k, v in plan.grid.coordinates().items()}
    per_point = plan.per_point

    def values(index):
        index = jnp.asarray(index)
        g, m = index // per_point, index % per_point
        fixed = {k: v[g] for k, v in coords.items()}
        return params(m, fixed)

    return values


#: Points (samples x frequencies) per tile on CPU: the intermediates of a tile stay in cache.
CPU_TILE_POINTS = 40_000


def is_ladder(plan: SweepPlan) -> bool:
    """Whether the netlist's circuit takes the ladder fast path (checked on its nominal build)."""
    values = parameter_function(plan.flat, None)(0)
    return circuit_builder(plan.flat)(values).is_ladder()


def tile_samples(plan: SweepPlan, tile_points: int | None) -> int | None:
    """Samples per tile for `make_kernel` (None: no tiling)."""
    if tile_points is None or is_ladder(plan):
        return None
    return max(1, tile_points // max(len(plan.frequency), 1))


def make_kernel(plan: SweepPlan, dtype=None, tile_points: int | None = CPU_TILE_POINTS) -> Callable:
    """`kernel(indices) -> (values {path: (n,)}, s (n, F, P, P))`, jitted and vmapped.

    With `tile_points`, the chunk is evaluated as a `lax.map` over tiles of about that many
    (sample, frequency) points, each tile vmapped: on a CPU the elimination's intermediates then
    live in cache instead of streaming through memory (3.5x faster for a Wilkinson divider here).
    Ladders are not tiled (their few products stream well, and untiled XLA spreads them over
    the cores: 1.4x faster than tiled for ladder5). Use `tile_points=None` on a GPU, where the
    whole chunk should run as one vmapped kernel.
    """
    values_of = _sample_values(plan)
    build = circuit_builder(plan.flat)
    freq = Frequency.from_values(plan.frequency)

    def one(index):
        values = values_of(index)
        s = build(values).s(freq)
        if dtype is not None:
            s = s.astype(dtype)
        return values, s

    batched = jax.vmap(one)
    if tile_points is not None and is_ladder(plan):
        tile_points = None
    if tile_points is None:
        return eqx.filter_jit(batched)

    def tiled(indices):
        n = indices.shape[0]
        per_tile = min(n, tile_samples(plan, tile_points))
        tiles = -(-n // per_tile)
        pad = tiles * per_tile - n
        if pad:
            indices = jnp.concatenate([indices, jnp.repeat(indices[-1:], pad)])
        out = jax.lax.map(batched, indices.reshape(tiles, per_tile))
        return jax.tree_util.tree_map(lambda x: x.reshape((tiles * per_tile,) + x.shape[2:])[:n], out)

    return eqx.filter_jit(tiled)


def make_domain_kernel(plan: SweepPlan) -> tuple[list[tuple[str, object]], Callable]:
    """([(label, loc)], kernel(indices) -> bool (n, checks) True where a value is physical)."""
    values_of = _sample_values(plan)
    checks = domain_checks(plan.flat)
    labels = [(label, loc) for label, loc, _ in checks]

    def one(index):
        values = values_of(index)
        if not checks:
            return jnp.ones((0,), bool)
        return jnp.stack([jnp.asarray(ok(values), bool) for _, _, ok in checks])

    return labels, jax.jit(jax.vmap(one))


def padded_indices(start: int, count: int, chunk: int) -> np.ndarray:
    """`chunk` indices from `start`, the tail beyond `count` repeating the last real index."""
    idx = np.arange(start, start + chunk, dtype=np.int64)
    if count < chunk:
        idx[count:] = start + count - 1
    return idx
