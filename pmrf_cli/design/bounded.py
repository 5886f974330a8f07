"""Bounded moves: a solver's free vector z -> the fitting parametrisation's y, kept in a box.

`y = y0 + B tanh(z / B)`: smooth, the identity near the start, and never more than B from it.
For a log parameter (y = ln(value / start)) B = ln(FACTOR), so it stays within a factor of
FACTOR of its start; for a linear one (y = value / |start|) B = LINEAR_SPAN.
"""

from __future__ import annotations

import numpy as np

from pmrf_cli.fitting.parametrize import Parametrization

#: A log parameter stays within this factor of its start.
FACTOR = 3.0
#: A linear parameter moves at most this many |start| from it.
LINEAR_SPAN = 2.0


def half_widths(param: Parametrization, factor: float = FACTOR) -> np.ndarray:
    """B per parameter."""
    return np.asarray([np.log(factor) if p.log else LINEAR_SPAN for p in param.params], dtype=np.float64)


def to_y(z, y0, b, xp=None):
    """y for the free vector z (traceable with xp=jax.numpy, the default)."""
    if xp is None:
        import jax.numpy as xp
    return y0 + b * xp.tanh(z / b)


__all__ = ["FACTOR", "LINEAR_SPAN", "half_widths", "to_y"]
