"""Margins of one sample against bound specs, in jax (SPECS.md, "Scoring").

A spec's margin is the least, over its band's points, of `value - min` and `max - value`; an
`at` spec interpolates its value linearly between the two grid points around it. NaN values
give a NaN margin, which fails (NaN >= 0 is false). Group delay uses dS/df computed exactly
(forward mode) at the grid points that need it: `derivative_points` says which.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from pmrf_cli.specs.measure import evaluate_measure
from pmrf_cli.specs.spec import BoundSpec


def derivative_points(specs: Sequence[BoundSpec]) -> np.ndarray:
    """Sorted grid indices where some spec needs dS/df (empty when none uses gd)."""
    index = [s.index for s in specs if s.needs_derivative]
    return np.unique(np.concatenate(index)) if index else np.zeros(0, dtype=np.int64)


def margins(specs: Sequence[BoundSpec], s, ds=None, ds_points: np.ndarray | None = None):
    """(len(specs),) margins of one sample: `s` (F, P, P) on the whole grid; `ds` (D, P, P)
    the derivative of S in frequency at grid points `ds_points` (see `derivative_points`)."""
    import jax.numpy as jnp

    if not specs:
        return jnp.zeros((0,))
    out = []
    for spec in specs:
        sub = s[spec.index]
        dsub = None
        if spec.needs_derivative:
            dsub = ds[np.searchsorted(ds_points, spec.index)]
        v = evaluate_measure(spec.measure, sub, dsub, spec.env)
        v = jnp.broadcast_to(jnp.asarray(v, dtype=jnp.real(sub).dtype), sub.shape[:-2])
        if spec.weights is not None:
            v = (spec.weights[0] * v[0] + spec.weights[1] * v[1])[None]
        terms = []
        if spec.lo is not None:
            terms.append(v - spec.lo)
        if spec.hi is not None:
            terms.append(spec.hi - v)
        m = terms[0] if len(terms) == 1 else jnp.minimum(terms[0], terms[1])
        out.append(jnp.min(m))
    return jnp.stack(out)


def sample_margins(specs: Sequence[BoundSpec], frequency: np.ndarray) -> Callable:
    """`f(model, s) -> margins` for one sample's model and its S on `frequency`; computes dS/df
    by forward mode at the points group delay needs (no extra work without gd specs)."""
    import jax
    import jax.numpy as jnp

    from pmrf_cli.frequency import Frequency

    points = derivative_points(specs)
    f_sub = np.asarray(frequency, dtype=np.float64)[points]

    def f(model, s):
        ds = None
        if points.size:
            _, ds = jax.jvp(lambda ff: model.s(Frequency.traced(ff)), (jnp.asarray(f_sub),), (jnp.ones_like(f_sub),))
        return margins(specs, s, ds, points)

    return f
