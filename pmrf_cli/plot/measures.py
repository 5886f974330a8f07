"""The quantities that are plotted, their percentile bands, and engineering units (numpy only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Percentiles of the bands: the outer band, the inner band and the median.
PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)


def db(s: np.ndarray) -> np.ndarray:
    """20 log10 |s| (-inf where s is 0)."""
    with np.errstate(divide="ignore"):
        return 20.0 * np.log10(np.abs(s))


def phase(s: np.ndarray) -> np.ndarray:
    """arg(s) in degrees, in [-180, 180]."""
    return np.degrees(np.angle(s))


def group_delay(s: np.ndarray, frequency: np.ndarray) -> np.ndarray:
    """-d arg(s) / d omega in seconds along the last (frequency) axis, from the unwrapped phase."""
    if frequency.size < 2:
        return np.full(np.shape(s), np.nan)
    return -np.gradient(np.unwrap(np.angle(s), axis=-1), 2.0 * np.pi * frequency, axis=-1)


def measure(kind: str, s: np.ndarray, frequency: np.ndarray) -> np.ndarray:
    """The plotted quantity of `kind` (db, phase, gd) of `s` (..., F) in its base unit."""
    if kind == "db":
        return db(s)
    if kind == "phase":
        return phase(s)
    if kind == "gd":
        return group_delay(s, frequency)
    raise ValueError(f"unknown measure {kind!r}")


@dataclass(frozen=True)
class Bands:
    """Per-frequency percentiles over the samples: 5, 25, 50 (median), 75 and 95 %."""

    p5: np.ndarray
    p25: np.ndarray
    median: np.ndarray
    p75: np.ndarray
    p95: np.ndarray


def bands(values: np.ndarray) -> Bands:
    """Percentile bands of `values` (n, F) over the samples (axis 0); NaN samples are left out."""
    values = np.asarray(values, dtype=np.float64)
    if np.isnan(values).any():
        q = np.nanpercentile(values, PERCENTILES, axis=0)
    else:
        q = np.percentile(values, PERCENTILES, axis=0)
    return Bands(*q)


_PREFIXES = (
    (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""),
    (1e-3, "m"), (1e-6, "\u00b5"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f"),
)


def engineering(values: np.ndarray, unit: str) -> tuple[float, str]:
    """(scale, label) such that values / scale reads well in `label` (e.g. 1e9, 'GHz')."""
    finite = np.abs(np.asarray(values, dtype=np.float64))
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if finite.size == 0:
        return 1.0, unit
    big = float(np.max(finite))
    for scale, prefix in _PREFIXES:
        if big >= scale:
            return scale, prefix + unit
    return _PREFIXES[-1][0], _PREFIXES[-1][1] + unit


#: Axis label and unit of each line-plot kind.
AXIS = {"db": ("magnitude", "dB"), "phase": ("phase", "deg"), "gd": ("group delay", "s")}
