"""Yield and per-spec figures from margins (what `pmrf yield` reports)."""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from pmrf_cli.specs.yields import yield_summary


def _number(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def summarize(margins: Mapping[str, np.ndarray], confidence: float = 0.95) -> dict:
    """SPECS.md's `pmrf yield --json` object from each spec's margins (equal lengths).
    A NaN margin fails; a worst or mean margin that is NaN is reported as null."""
    names = list(margins)
    n = len(margins[names[0]]) if names else 0
    passed_all = np.ones(n, bool)
    specs = {}
    for name in names:
        m = np.asarray(margins[name], dtype=np.float64)
        with np.errstate(invalid="ignore"):
            ok = m >= 0.0
        passed_all &= ok
        specs[name] = {
            "passed": int(ok.sum()),
            "worst_margin": _number(float(m.min())) if n else None,
            "mean_margin": _number(float(m.mean())) if n else None,
        }
    out = yield_summary(int(passed_all.sum()), n, confidence)
    out["specs"] = specs
    return out


def per_point_yield(passed: np.ndarray, groups: int) -> np.ndarray:
    """Yield per grid point from a sample-ordered pass vector (G points of equal size)."""
    return np.asarray(passed, dtype=np.float64).reshape(groups, -1).mean(axis=1)
