"""Jitted, vmapped evaluation of a netlist over chunks of sample indices.

One kernel is compiled per netlist structure and part shape: a part is a fixed-length vector of
sample indices (the last, partial one is padded with marked repeats of its last index, left out
of statistics and dropped on the host), so the whole sweep, however long, compiles exactly once.
Keys, parameter draws, model construction and S all happen inside the kernel, on the device.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from pmrf_cli.engine.compiled import compile_threadsafe
from pmrf_cli.netlist.build import circuit_builder, domain_checks
from pmrf_cli.netlist.flatten import FlatNetlist
from pmrf_cli.sampling.draws import parameter_function
from pmrf_cli.sampling.grid import Grid
from pmrf_cli.workload import evaluation_points, samples_together


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep evaluates: sample i is Monte Carlo draw i % per_point at grid point i // per_point."""

    flat: FlatNetlist
    frequency: np.ndarray
    seed: int | None
    per_point: int = 1
    grid: Grid = field(default_factory=lambda: Grid(()))
    specs: tuple = ()  # pmrf_cli.specs.spec.BoundSpec: margins are computed with S

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


def tile_samples(plan: SweepPlan, tile_points: int | None, block: int | None = None) -> int | None:
    """Samples per tile of `make_kernel` (None: no tiling): about `tile_points` points, and with
    statistics a whole number of their `block`s (the nearest, at least one). A sweep sizes its
    parts in whole tiles of this size, so no part computes a padded tile."""
    if tile_points is None:
        return None
    per = max(1, tile_points // max(len(plan.frequency), 1))
    return max(block, round(per / block) * block) if block else per


#: The most S one call of a tiled kernel returns (bytes): parts of many-port circuits stay small.
PART_S_BYTES = 256 << 20


def part_samples(plan: SweepPlan, tile_points: int | None, block: int | None = None) -> int | None:
    """Samples per call of a tiled sweep kernel (None without tiles): whole tiles, from 2 (a
    program for one tile is compiled differently, slower, and with other bits on some CPUs) to
    8 as the sweep grows (each call has fixed costs), never more tiles than the sweep fills, nor
    more S than `PART_S_BYTES` (one tile at least). It depends on the netlist, the grid and the
    number of samples only, never on the chunk or the number of cores: every sweep of these
    samples runs the same executable, so the same bits."""
    tile = tile_samples(plan, tile_points, block)
    if tile is None:
        return None
    n = plan.samples
    ports = len(plan.flat.port_names)
    by_memory = PART_S_BYTES // max(tile * len(plan.frequency) * ports * ports * 16, 1)
    return tile * max(1, min(8, max(2, n // (32 * tile)), -(-n // tile), by_memory))


def check_labels(plan: SweepPlan) -> list[tuple[str, object]]:
    """[(label, netlist position)] of the physical-range checks, in the order of the kernel's
    `ok` columns."""
    return [(label, loc) for label, loc, _ in domain_checks(plan.flat)]


def make_kernel(
    plan: SweepPlan,
    dtype=None,
    tile_points: int | None = CPU_TILE_POINTS,
    checks: bool = False,
    stats_block: int | None = None,
    keep_s: bool = True,
) -> Callable:
    """`kernel(indices) -> {"values": {path: (n,)}, "s": (n, F, P, P)}`, jitted and vmapped.
    With `checks`, `"ok"` (n, checks) is True where a sample's values are physical (see
    `check_labels`); with `plan.specs`, `"margins"` (n, specs) holds each sample's margin per
    spec (from S as computed, before a cast to `dtype`; group delay by forward mode in
    frequency). Checks and margins are part of the same program, not second ones. With
    `stats_block`, `"blocks"` holds the statistics of S over fixed blocks of that many samples
    (`engine.block_stats`; a call's indices must then be a whole number of blocks starting on a
    block boundary); `keep_s=False` leaves S itself out of the outputs.

    With `tile_points`, the chunk is evaluated as a `lax.map` over tiles of about that many
    (sample, frequency) points, each tile vmapped: on a CPU the stages' and the elimination's
    intermediates then live in cache instead of streaming through memory (3.5x faster for a
    Wilkinson divider; 1.3-1.5x for ladders, whose component stage is in memory too). Use
    `tile_points=None` on a GPU, where the whole chunk should run as one vmapped kernel.

    A sweep calls one executable on parts of one size (`part_samples`), whatever its chunks and
    cores (`engine.parallel`), so every sample's bits are those of that one program: XLA may
    compile programs for other part sizes differently (a loop it knows runs once is inlined
    and fused across), and on some CPUs their transcendental functions then round differently.
    """
    # imports equinox: only where a kernel is traced, not when a command starts
    from pmrf_cli.frequency import Frequency

    values_of = _sample_values(plan)
    build = circuit_builder(plan.flat)
    freq = Frequency.from_values(plan.frequency)
    domain = [ok for _, _, ok in domain_checks(plan.flat)] if checks else None
    deriv = None
    if plan.specs:
        from pmrf_cli.specs.score import derivative_function, margins

        deriv = derivative_function(plan.specs, plan.frequency)

    def one(index, values):  # the index gives vmap its axis where a netlist has no parameters
        model = build(values)
        out = {"values": values, "s": model.s(freq)}
        if deriv is not None:
            out["ds"] = deriv(model)
        if domain is not None:
            out["ok"] = jnp.stack([jnp.asarray(f(values), bool) for f in domain]) if domain else jnp.ones((0,), bool)
        return out

    batched = jax.vmap(one)
    per_tile = tile_samples(plan, tile_points, stats_block)

    def finish(out, indices):
        if plan.specs:
            ds = out.pop("ds", None)
            out["margins"] = jax.vmap(lambda s, d: margins(plan.specs, s, d, deriv.points))(out["s"], ds)
        out["finite"] = jnp.all(jnp.isfinite(out["s"]), axis=tuple(range(1, out["s"].ndim)))
        if stats_block:
            from pmrf_cli.engine.block_stats import block_stats, valid_samples

            out["blocks"] = block_stats(out["s"], valid_samples(indices), stats_block)
        if not keep_s:
            del out["s"]
        elif dtype is not None:
            out["s"] = out["s"].astype(dtype)
        return out

    def tile(indices, values):
        # margins and statistics are taken tile by tile, while the tile's S is in cache; a
        # solver that holds much per point sizes its blocks for the tile's samples
        with samples_together(indices.shape[0]):
            return finish(batched(indices, values), indices)

    def draws(indices):
        # the part's draws at once, before its tiles: XLA:CPU runs threefry as a rolled loop
        # per parameter, whose fixed cost per call was ~20 % of a cheap ladder's kernel per tile
        return jax.vmap(values_of)(sample_of(indices))

    def tiled(indices):
        # the circuit's solver and math functions are chosen for the sweep's size (`workload.evaluation_points`)
        with evaluation_points(sweep_points(plan)):
            return _tiled(indices)

    def _tiled(indices):
        if per_tile is None:
            return tile(indices, draws(indices))
        n = indices.shape[0]
        # every tile has the same size whatever the call's: a part smaller than a tile is padded
        # up to one, so the compiled tile (its vector loops and their remainders) is the same for
        # any split of a chunk, and so are the bits of transcendental functions in it
        size = per_tile
        tiles = -(-n // size)
        pad = tiles * size - n
        if pad:
            indices = jnp.concatenate([indices, jnp.repeat(-1 - sample_of(indices[-1:]), pad)])
        values = jax.tree_util.tree_map(lambda v: v.reshape((tiles, size) + v.shape[1:]), draws(indices))
        out = jax.lax.map(lambda a: tile(*a), (indices.reshape(tiles, size), values))
        blocks = out.pop("blocks", None)
        out = jax.tree_util.tree_map(lambda x: x.reshape((tiles * size,) + x.shape[2:])[:n], out)
        if blocks is not None:
            out["blocks"] = jax.tree_util.tree_map(
                lambda x: x.reshape((tiles * size // stats_block,) + x.shape[2:])[: n // stats_block], blocks
            )
        return out

    return jax.jit(tiled)


def compile_for(kernel: Callable, chunk: int, platform: str = "cpu", points: int | None = None):
    """The kernel compiled for chunks of `chunk` indices, with pmrf's compiler options for a
    sweep of `points` (sample, frequency) points (`sweep_points(plan)`); safe to call from
    several threads (`engine.compiled.compile_threadsafe`; a stored program's LAPACK verdict is
    used as it is, not read again from the lowered text)."""
    lapack = getattr(kernel, "calls_lapack", None)
    return compile_threadsafe(kernel.lower(padded_indices(0, chunk, chunk)), platform, lapack, points)


def sweep_points(plan: SweepPlan) -> int:
    """The (sample, frequency) points of the plan's sweep: the size its kernel is traced and
    compiled for."""
    return plan.samples * len(plan.frequency)


def padded_indices(start: int, count: int, chunk: int) -> np.ndarray:
    """`chunk` sample indices from `start`: `count` real ones, then padding. A padding entry is
    `-1 - i` for the last real index `i`: it evaluates sample `i` again (finite values, like its
    neighbours') and says it is padding wherever the chunk is split, so statistics and writes
    leave it out (`engine.block_stats.valid_samples`)."""
    idx = np.arange(start, start + chunk, dtype=np.int64)
    if count < chunk:
        idx[count:] = -(start + count)
    return idx


def padded_to(indices: np.ndarray, size: int) -> np.ndarray:
    """`indices` (real ones, then any padding) padded to `size` like `padded_indices` pads."""
    if len(indices) >= size:
        return indices
    last = int(indices[-1]) if indices[-1] >= 0 else -1 - int(indices[-1])
    return np.concatenate([indices, np.full(size - len(indices), -1 - last, dtype=np.int64)])


def sample_of(indices):
    """The sample each index evaluates: itself, or for padding (`-1 - i`) the sample `i`."""
    return jnp.where(indices < 0, -1 - indices, indices)
