"""Yield and its Wilson score interval (SPECS.md, "Scoring")."""

from __future__ import annotations

import math
from statistics import NormalDist


def wilson_interval(passed: int, samples: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion passed/samples at `confidence`
    (two-sided); (0, 1) when there are no samples."""
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be between 0 and 1")
    if samples <= 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    p = passed / samples
    z2n = z * z / samples
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * math.sqrt(p * (1.0 - p) / samples + z * z / (4.0 * samples * samples))
    low = 0.0 if passed <= 0 else max(0.0, centre - half)
    high = 1.0 if passed >= samples else min(1.0, centre + half)
    return low, high


def yield_summary(passed: int, samples: int, confidence: float = 0.95) -> dict:
    """{"samples", "passed", "yield", "low", "high", "confidence"} (the JSON of `pmrf yield`)."""
    low, high = wilson_interval(passed, samples, confidence)
    return {
        "samples": int(samples), "passed": int(passed),
        "yield": passed / samples if samples else float("nan"),
        "low": low, "high": high, "confidence": confidence,
    }
