"""SpecDefs + a flat netlist + a frequency grid -> BoundSpecs (numbers and grid indices)."""

from __future__ import annotations

import numpy as np

from pmrf_cli.netlist.errors import ErrorSink
from pmrf_cli.netlist.expressions import evaluate, name_nodes
from pmrf_cli.specs.measure import measure_names
from pmrf_cli.specs.report import format_hz
from pmrf_cli.specs.spec import BoundSpec, SpecDef


def bind_specs(flat, frequency: np.ndarray, specs: tuple[SpecDef, ...] | None = None) -> tuple[BoundSpec, ...]:
    """The netlist's specs (or `specs`) on `frequency` (Hz). Errors (all at once, positioned):
    a band that holds no grid point, an `at` outside the grid, min above max, a name that is
    random here (after --set)."""
    from pmrf_cli.netlist.flatten import nominal_values

    if specs is None:
        specs = getattr(flat.spec, "specs", ())
    if not specs:
        return ()
    freq = np.asarray(frequency, dtype=np.float64)
    env = nominal_values(flat)
    random = _random_paths(flat)
    sink = ErrorSink()
    out = []
    for spec in specs:
        bound = _bind(spec, freq, env, random, sink)
        if bound is not None:
            out.append(bound)
    sink.raise_if_any()
    return tuple(out)


def _random_paths(flat) -> set[str]:
    random: set[str] = set()
    for p in flat.params:  # in dependency order
        if p.is_random or p.depends_on & random:
            random.add(p.path)
    return random


def _bind(spec: SpecDef, freq: np.ndarray, env: dict, random: set[str], sink: ErrorSink) -> BoundSpec | None:
    what = f"spec '{spec.name}'"
    used = [(n.name, n.loc or spec.loc) for n in measure_names(spec.measure)]
    limits = {"band": spec.band or (), "at": (spec.at,), "min": (spec.min,), "max": (spec.max,)}
    for key, exprs in limits.items():
        for e in exprs:
            if e is not None:
                used += [(n.name, n.loc or spec.locs.get(key, spec.loc)) for n in name_nodes(e)]
    random_used = [(name, loc) for name, loc in used if name in random]
    for name, loc in random_used:
        sink.add(loc, f"{what} may use fixed parameters only; '{name}' is random")
    if random_used:
        return None

    def number(e):
        return None if e is None else float(evaluate(e, env, np))

    lo, hi = number(spec.min), number(spec.max)
    if lo is not None and hi is not None and lo > hi:
        sink.add(spec.locs.get("min", spec.loc), f"{what}: min ({lo:g}) is above max ({hi:g})")
        return None
    names = {n.name: float(env[n.name]) for n in measure_names(spec.measure)}
    if spec.band is not None:
        start, stop = number(spec.band[0]), number(spec.band[1])
        loc = spec.locs.get("band", spec.loc)
        if start > stop:
            sink.add(loc, f"{what}: band start ({format_hz(start)}) is above its stop ({format_hz(stop)})")
            return None
        index = np.nonzero((freq >= start) & (freq <= stop))[0]
        if index.size == 0:
            sink.add(loc, f"{what}: the band {format_hz(start)} .. {format_hz(stop)} holds no point of the frequency grid "
                          f"({format_hz(freq[0])} .. {format_hz(freq[-1])}, {freq.size} points)")
            return None
        return BoundSpec(spec.name, spec.measure_text, spec.measure, spec.unit, lo, hi, index, None,
                         (start, stop), None, names)
    at = number(spec.at)
    loc = spec.locs.get("at", spec.loc)
    if not freq[0] <= at <= freq[-1]:
        sink.add(loc, f"{what}: at {format_hz(at)} is outside the frequency grid ({format_hz(freq[0])} .. {format_hz(freq[-1])})")
        return None
    hit = np.nonzero(freq == at)[0]
    if hit.size:
        index, weights = np.array([hit[0]]), None  # on a grid point: its value
    else:
        k = int(np.searchsorted(freq, at))  # freq[k-1] < at < freq[k]
        w = (at - freq[k - 1]) / (freq[k] - freq[k - 1])
        index, weights = np.array([k - 1, k]), np.array([1.0 - w, w])
    return BoundSpec(spec.name, spec.measure_text, spec.measure, spec.unit, lo, hi, index, weights,
                     None, at, names)


__all__ = ["bind_specs"]
