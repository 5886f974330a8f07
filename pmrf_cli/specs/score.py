"""Margins of one sample against bound specs, in jax (SPECS.md, "Scoring").

A spec's margin is the least, over its band's points, of `value - min` and `max - value`; an
`at` spec interpolates its value linearly between the two grid points around it. NaN values
give a NaN margin, which fails (NaN >= 0 is false). Group delay uses dS/df computed exactly
(forward mode) at the grid points that need it: `derivative_points` says which.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from pmrf_cli.specs.measure import MeasureCall, Term, evaluate_measure
from pmrf_cli.specs.spec import BoundSpec


def derivative_points(specs: Sequence[BoundSpec]) -> np.ndarray:
    """Sorted grid indices where some spec needs dS/df (empty when none uses gd)."""
    index = [s.index for s in specs if s.needs_derivative]
    return np.unique(np.concatenate(index)) if index else np.zeros(0, dtype=np.int64)


def least(x):
    """min(x), NaN if any element is NaN (XLA's CPU reduction may skip a NaN): a NaN value fails."""
    import jax.numpy as jnp

    return jnp.where(jnp.any(jnp.isnan(x)), jnp.nan, jnp.min(x))


def greatest(x):
    """max(x), NaN if any element is NaN."""
    import jax.numpy as jnp

    return jnp.where(jnp.any(jnp.isnan(x)), jnp.nan, jnp.max(x))


def _rows(x, index: np.ndarray):
    """x[index] for contiguous `index` as a static slice (a gather costs far more on a CPU)."""
    i0, i1 = int(index[0]), int(index[-1]) + 1
    return x[i0:i1] if i1 - i0 == index.size else x[index]


def _monotone_extremes(spec: BoundSpec, sub):
    """For a band spec on dB(term) or mag(term), the least and greatest value over the band from
    the least and greatest |term|^2: one logarithm per bound instead of one per point (the
    functions are increasing, so the extremes are the same numbers; NaN still propagates)."""
    import jax.numpy as jnp

    m = spec.measure
    if spec.weights is not None or not (isinstance(m, MeasureCall) and m.func in ("dB", "mag") and isinstance(m.arg, Term)):
        return None
    x = sub[..., m.arg.to, m.arg.frm]
    u = jnp.real(x) ** 2 + jnp.imag(x) ** 2
    f = (lambda t: 10.0 * jnp.log10(t)) if m.func == "dB" else jnp.sqrt
    return (f(least(u)) if spec.lo is not None else None), (f(greatest(u)) if spec.hi is not None else None)


def point_margins(spec: BoundSpec, s, ds=None, ds_points: np.ndarray | None = None):
    """One spec's margin at each point it reads (K,): a band's grid points, or an `at` spec's
    one interpolated value; its margin is the least of them."""
    import jax.numpy as jnp

    sub = _rows(s, spec.index)
    dsub = _rows(ds, np.searchsorted(ds_points, spec.index)) if spec.needs_derivative else None
    v = evaluate_measure(spec.measure, sub, dsub, spec.env)
    v = jnp.broadcast_to(jnp.asarray(v, dtype=jnp.real(sub).dtype), sub.shape[:-2])
    if spec.weights is not None:
        v = (spec.weights[0] * v[0] + spec.weights[1] * v[1])[None]
    terms = ([v - spec.lo] if spec.lo is not None else []) + ([spec.hi - v] if spec.hi is not None else [])
    return terms[0] if len(terms) == 1 else jnp.minimum(terms[0], terms[1])


def margins(specs: Sequence[BoundSpec], s, ds=None, ds_points: np.ndarray | None = None):
    """(len(specs),) margins of one sample: `s` (F, P, P) on the whole grid; `ds` (D, P, P)
    the derivative of S in frequency at grid points `ds_points` (see `derivative_points`)."""
    import jax.numpy as jnp

    if not specs:
        return jnp.zeros((0,))
    out = []
    for spec in specs:
        extremes = _monotone_extremes(spec, _rows(s, spec.index))
        if extremes is None:
            out.append(least(point_margins(spec, s, ds, ds_points)))
            continue
        vmin, vmax = extremes
        terms = ([vmin - spec.lo] if spec.lo is not None else []) + ([spec.hi - vmax] if spec.hi is not None else [])
        out.append(terms[0] if len(terms) == 1 else jnp.minimum(terms[0], terms[1]))
    return jnp.stack(out)


class _Derivative:
    """`f(model) -> dS/df` (D, P, P) at the grid points group delay needs (`points`); None
    when no spec uses gd."""

    def __init__(self, points: np.ndarray, frequency: np.ndarray) -> None:
        self.points = points
        self.f_sub = np.asarray(frequency, dtype=np.float64)[points]

    def __call__(self, model):
        if not self.points.size:
            return None
        import jax
        import jax.numpy as jnp

        from pmrf_cli.frequency import Frequency

        f = jnp.asarray(self.f_sub)
        return jax.jvp(lambda ff: model.s(Frequency.traced(ff)), (f,), (jnp.ones_like(f),))[1]


def derivative_function(specs: Sequence[BoundSpec], frequency: np.ndarray) -> _Derivative:
    """The forward-mode derivative of a model's S in frequency at the points `specs` need."""
    return _Derivative(derivative_points(specs), frequency)


def sample_margins(specs: Sequence[BoundSpec], frequency: np.ndarray) -> Callable:
    """`f(model, s) -> margins` for one sample's model and its S on `frequency`; computes dS/df
    by forward mode at the points group delay needs (no extra work without gd specs)."""
    deriv = derivative_function(specs, frequency)

    def f(model, s):
        return margins(specs, s, deriv(model), deriv.points)

    return f
