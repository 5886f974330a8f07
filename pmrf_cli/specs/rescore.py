"""Margins of a stored sweep against specs: read back, or recomputed with other specs.

A sweep file records what rebuilds its kernel (netlist text, `--set`, seed, samples per grid
point, `--vary` grid), so `sweep_margins` re-runs that kernel with the new specs: the margins
are the very numbers a sweep with those specs writes, checked by the parameter values it draws
against the stored ones. Where that does not hold (a simulation, a file from before the `sets`
attribute), `recompute_margins` scores the stored parameter values and `/s` with the kernel's
arithmetic and tiling (equal to rounding).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

#: Samples per block when margins are recomputed.
BLOCK = 4096


def load_specs_file(path: str, flat) -> tuple:
    """SpecDefs from a YAML file holding a `specs:` mapping (as in a netlist), checked against
    the ports and parameters of `flat` (the sweep's netlist); errors name the file's lines."""
    from pmrf_cli.netlist.errors import Loc, NetlistError
    from pmrf_cli.netlist.parse import parse_specs_text

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise NetlistError(Loc(path, 1, 1), f"cannot read specs file: {e.strerror or e}") from None
    specs = parse_specs_text(text, path, list(flat.port_names), flat.spec.parameters)
    if not specs:
        raise NetlistError(Loc(path, 1, 1), "no specs in the file (expected a `specs:` mapping)")
    return specs


def stored_netlist(f: Any, path: Path):
    """The flat netlist a results file was made from, with the run's `--set` overrides
    (Touchstone paths relative to the file)."""
    from pmrf_cli.cli.common import parse_sets
    from pmrf_cli.netlist import apply_overrides, flatten, parse_netlist

    spec = parse_netlist(str(f.attrs["netlist"]), f"{path} (its netlist)", path.resolve().parent)
    sets = [str(x) for x in f.attrs.get("sets", [])]
    if sets:
        spec = apply_overrides(spec, parse_sets(sets))
    return flatten(spec)


def sweep_margins(f: Any, flat, specs, done: int) -> np.ndarray | None:
    """Margins from the sweep's own kernel, rebuilt from the file (seed, samples per grid point,
    `--vary` grid, `--set`) with these specs: the very numbers a sweep with them writes. None
    when the rebuilt kernel does not draw the stored parameter values (a file from before the
    `sets` attribute, or a simulation)."""
    import jax

    from pmrf_cli.engine.block_stats import STATS_BLOCK
    from pmrf_cli.engine.kernel import (
        CPU_TILE_POINTS,
        SweepPlan,
        compile_for,
        make_kernel,
        padded_indices,
        part_samples,
        sweep_points,
    )
    from pmrf_cli.netlist.units import PARAMETER, parse_value
    from pmrf_cli.sampling.grid import Grid, parse_axis

    a = f.attrs
    if "seed" not in a or done == 0:
        return None
    grid = Grid(tuple(parse_axis(str(t), lambda v: parse_value(v, PARAMETER)) for t in a.get("vary", [])))
    frequency = np.asarray(f["frequency"][()], dtype=np.float64)
    tile_points = CPU_TILE_POINTS if jax.default_backend() == "cpu" else None
    stored = {p: f["parameters"][p][:done] for p in f["parameters"]}
    for seed in (int(a["seed"]), None):  # None: a --vary sweep without --batch draws nothing
        plan = SweepPlan(flat, frequency, seed, int(a.get("per_point", 1)), grid, specs=tuple(specs))
        # the sweep's own part size, so its executable and bits: tiles on a CPU, else its chunk
        block = part_samples(plan, tile_points, STATS_BLOCK) or int(a.get("chunk", BLOCK))
        # as the sweep built it (S kept or not): the same program, not merely the same arithmetic
        kernel = make_kernel(plan, tile_points=tile_points, checks=True, stats_block=STATS_BLOCK, keep_s="s" in f)
        exe = compile_for(kernel, block, jax.default_backend(), sweep_points(plan))
        out = np.empty((done, len(specs)))
        for start in range(0, done, block):
            n = min(block, done - start)
            res = exe(padded_indices(start, n, block))
            if any(not np.array_equal(np.asarray(res["values"][p])[:n], v[start:start + n]) for p, v in stored.items()):
                break
            out[start:start + n] = np.asarray(res["margins"])[:n]
        else:
            return out
    return None


def recompute_margins(f: Any, flat, specs, done: int) -> np.ndarray:
    """(done, len(specs)) margins of the file's first `done` samples against bound `specs`.

    The evaluation mirrors the sweep's kernel (`engine.kernel.make_kernel`): S per sample (from
    `/s` when it holds the float64 S the kernel scored, else from the circuit at the stored
    values), dS/df by forward mode per sample, margins vmapped over tiles of the sweep's tile
    size; so the arithmetic, and its vector loops, are the ones a sweep with these specs runs.
    """
    import jax
    import jax.numpy as jnp

    from pmrf_cli.engine.block_stats import STATS_BLOCK
    from pmrf_cli.engine.compiled import compile_kernel
    from pmrf_cli.engine.kernel import CPU_TILE_POINTS
    from pmrf_cli.frequency import Frequency
    from pmrf_cli.netlist.build import circuit_builder
    from pmrf_cli.specs.score import derivative_function, margins

    frequency = np.asarray(f["frequency"][()], dtype=np.float64)
    freq = Frequency.from_values(frequency)
    build = circuit_builder(flat)
    deriv = derivative_function(specs, frequency)
    use_s = "s" in f and f["s"].dtype == np.complex128
    sweep = "seed" in f.attrs
    paths = list(f["parameters"])
    if sweep and jax.default_backend() == "cpu":
        tile = -(-max(1, CPU_TILE_POINTS // frequency.size) // STATS_BLOCK) * STATS_BLOCK
    else:
        tile = 1 if not sweep else min(done, BLOCK)
    block = -(-min(max(done, 1), BLOCK) // tile) * tile

    def one(values, s):
        model = build(values)
        return (s if use_s else model.s(freq)), deriv(model)

    def per_tile(args):
        s, ds = jax.vmap(one)(*args)
        return jax.vmap(lambda a, b: margins(specs, a, b, deriv.points))(s, ds)

    def run(values, s):
        shaped = jax.tree_util.tree_map(lambda x: x.reshape((block // tile, tile) + x.shape[1:]), (values, s))
        return jax.lax.map(per_tile, shaped).reshape(block, len(specs))

    out = np.empty((done, len(specs)))
    exe = None
    for start in range(0, done, block):
        stop = min(done, start + block)
        sl = slice(start, stop) if sweep else ()
        values = {p: np.atleast_1d(np.asarray(f["parameters"][p][sl], dtype=np.float64)) for p in paths}
        s = np.asarray(f["s"][sl], dtype=np.complex128).reshape(-1, *f["s"].shape[-3:]) if use_s else \
            np.zeros((stop - start, 1, 1, 1), complex)
        n = stop - start
        if n < block:  # padded to the compiled shape with repeats of the last sample
            values = {k: np.concatenate([v, np.repeat(v[-1:], block - n)]) for k, v in values.items()}
            s = np.concatenate([s, np.repeat(s[-1:], block - n, axis=0)])
        args = ({k: jnp.asarray(v) for k, v in values.items()}, jnp.asarray(s))
        if exe is None:
            exe = compile_kernel(jax.jit(run), *args)
        out[start:stop] = np.asarray(exe(*args))[:n]
    return out
