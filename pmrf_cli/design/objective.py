"""Spec margins as a pure, traceable function of chosen parameter values.

`margin_function(flat, frequency, specs, paths)` gives `values -> (margins, point_margins)`:
the chosen parameters take the given (possibly traced) values, every other parameter its
nominal (or, with `draw`, a random draw around it), derived parameters follow. `margins` (K,) are
exactly SPECS.md's; `point_margins` is a tuple of K arrays, each spec's margin at every point it
reads (a band's grid points; an `at` spec's one interpolated value), whose least is its margin.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np

from pmrf_cli.specs.spec import BoundSpec

#: The margin worth one normalised unit, by the measure's unit (see `margin_scales`).
UNIT_SCALES = {"dB": 1.0, "deg": 1.0, "s": 100e-12, "": 0.1}


def margin_scales(specs: Sequence[BoundSpec]) -> np.ndarray:
    """Each spec's normalising scale: 1 dB, 1 degree, 100 ps, or 0.1 for a plain ratio
    (mag, vswr, re, im)."""
    return np.asarray([UNIT_SCALES.get(s.unit, 1.0) for s in specs], dtype=np.float64)


def point_margins(specs: Sequence[BoundSpec], s, ds=None, ds_points: np.ndarray | None = None) -> tuple:
    """Per spec, its margin at each point it reads (`specs.score.point_margins`)."""
    from pmrf_cli.specs.score import point_margins as one

    return tuple(one(spec, s, ds, ds_points) for spec in specs)


def margin_function(
    flat,
    frequency,
    specs: Sequence[BoundSpec],
    paths: Sequence[str],
    draw: Callable | None = None,
) -> Callable[[Mapping[str, object]], tuple]:
    """`values -> (margins (K,), point_margins)` on `frequency` (Hz) for `values` over `paths`.

    `draw(index, values) -> env` may replace the parameter evaluation (centring draws sample
    `index` around moving nominals); by default every other parameter is nominal and `index`
    is unused.
    """
    import jax.numpy as jnp

    from pmrf_cli.frequency import Frequency
    from pmrf_cli.netlist.build import circuit_builder
    from pmrf_cli.sampling.draws import parameter_function
    from pmrf_cli.specs.score import derivative_function, least

    build = circuit_builder(flat)
    values_of = parameter_function(flat, seed=None)
    freq = Frequency.from_values(np.asarray(frequency, dtype=np.float64))
    deriv = derivative_function(specs, frequency)
    chosen = tuple(paths)

    def f(values: Mapping[str, object], index=0):
        given = {p: values[p] for p in chosen}
        env = draw(index, given) if draw is not None else values_of(0, given)
        model = build(env)
        pm = point_margins(specs, model.s(freq), deriv(model), deriv.points)
        return jnp.stack([least(m) for m in pm]), pm

    return f


def worst_frequencies(specs: Sequence[BoundSpec], frequency, pm: Sequence) -> list[float]:
    """Where each spec's margin is attained: the band point of its least margin, or its `at`."""
    freq = np.asarray(frequency, dtype=np.float64)
    out = []
    for spec, m in zip(specs, pm):
        if spec.at is not None:
            out.append(float(spec.at))
        else:
            out.append(float(freq[spec.index[int(np.argmin(np.asarray(m)))]]))
    return out


__all__ = ["UNIT_SCALES", "margin_function", "margin_scales", "point_margins", "worst_frequencies"]
