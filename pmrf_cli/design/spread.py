"""A random parameter's spread at its nominal: the scale of its deviations, in its own unit."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from pmrf_cli.netlist.expressions import evaluate


def _bound(b, value: float, env: Mapping[str, float]) -> float | None:
    if b is None:
        return None
    x = float(evaluate(b.expr, env, np))
    return x * value if b.relative else x


def spread(param, env: Mapping[str, float]) -> float:
    """The spread of a random parameter (SPECS.md): the std of a normal (truncated or not),
    the half-width of a uniform or tolerance, the log-space sigma times the value of a
    lognormal, and the population std of a choice's values."""
    d = param.distribution
    value = float(env[param.path])
    if d.kind == "normal":
        return _bound(d.std, value, env)
    if d.kind == "uniform":
        return (_bound(d.max, value, env) - _bound(d.min, value, env)) / 2.0
    if d.kind == "lognormal":
        return float(evaluate(d.std.expr, env, np)) * value
    if d.kind == "choice":
        return float(np.std([float(evaluate(v, env, np)) for v in d.values]))
    raise ValueError(f"unknown distribution {d.kind!r}")


__all__ = ["spread"]
