"""Yield against a `--vary` axis, with its Wilson confidence interval, from `/pass` per grid point.

A sweep with a grid stores `/grid/<name>` (N,), each grid point's coordinate repeated for its
`per_point` samples (root attribute), the points in order. Yield per point = passing / done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pmrf_cli.plot.figure import BAND_COLOUR, note
from pmrf_cli.plot.source import Source


def wilson(passed: np.ndarray, total: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval (low, high) of passed/total per point, at `confidence` (NaN
    where total is 0); `pmrf_cli.specs.yields.wilson_interval` point by point."""
    from pmrf_cli.specs.yields import wilson_interval

    pairs = [wilson_interval(int(k), int(n), confidence) if n > 0 else (np.nan, np.nan)
             for k, n in zip(np.atleast_1d(passed), np.atleast_1d(total))]
    low, high = (np.array(v, dtype=np.float64) for v in zip(*pairs)) if pairs else (np.zeros(0), np.zeros(0))
    return low, high


@dataclass(frozen=True)
class YieldCurve:
    """Yield and its interval at each value of the axis, for one setting of the other axes."""

    label: str
    x: np.ndarray
    yield_: np.ndarray
    low: np.ndarray
    high: np.ndarray
    samples: np.ndarray  # done samples at each point


@dataclass(frozen=True)
class YieldData:
    """Everything a yield picture draws."""

    axis: str
    curves: list[YieldCurve]
    title: str
    confidence: float
    log: bool = False
    note: str | None = None


def yield_data(source: Source, vary: str | None) -> YieldData:
    """Per-grid-point yield of a sweep with specs and a `--vary` grid, along the axis `vary`."""
    import h5py

    if source.kind != "sweep":
        raise source.error("the yield plot needs a sweep (with specs and --vary)")
    with h5py.File(source.path, "r") as f:
        n = source.done
        passed = _pass(f, n, source)
        grid = sorted(f["grid"].keys()) if "grid" in f else []
        if not grid:
            raise source.error("has no --vary grid (/grid): the yield plot draws yield against a swept parameter")
        if vary is None:
            if len(grid) > 1:
                raise source.error(f"several grid axes ({', '.join(grid)}): choose one with --vary NAME")
            vary = grid[0]
        if vary not in grid:
            raise source.error(f"--vary {vary!r}: no such grid axis (axes: {', '.join(grid)})")
        per_point = int(f.attrs.get("per_point", 1))
        points = -(-int(f.attrs.get("samples", n)) // per_point)
        coords = {k: np.asarray(f["grid"][k][::per_point], dtype=np.float64)[:points] for k in grid}
        confidence = float(f.attrs.get("yield_confidence", 0.95))
        log = _is_log(f.attrs.get("vary"), vary)
    done = np.clip(n - np.arange(points) * per_point, 0, per_point)
    padded = np.zeros(points * per_point, dtype=np.int64)
    padded[:n] = passed
    passes = padded.reshape(points, per_point).sum(axis=1)
    others = [k for k in grid if k != vary]
    keys = [tuple(coords[k][g] for k in others) for g in range(points)]
    curves = []
    for key in dict.fromkeys(keys):
        sel = np.array([g for g in range(points) if keys[g] == key and done[g] > 0], dtype=np.int64)
        if sel.size == 0:
            continue
        order = sel[np.argsort(coords[vary][sel], kind="stable")]
        lo, hi = wilson(passes[order], done[order], confidence)
        label = ", ".join(f"{k} = {v:.4g}" for k, v in zip(others, key))
        curves.append(YieldCurve(label, coords[vary][order], passes[order] / done[order], lo, hi, done[order]))
    if not curves:
        raise source.error("no samples are done yet")
    text = f"{per_point} samples per point" + (f"; {n} of {source.samples} done" if n < source.samples else "")
    return YieldData(vary, curves, source.title, confidence, log, note=text)


def _pass(f: Any, n: int, source: Source) -> np.ndarray:
    """`/pass[:n]`, or, in a file with margins but no /pass, every margin >= 0."""
    if "pass" in f:
        return np.asarray(f["pass"][:n], dtype=bool)
    specs = [v for v in f["specs"].values() if v.ndim == 1] if "specs" in f else []
    if not specs:
        raise source.error("has no specs (no /pass, no /specs): add `specs:` to the netlist and sweep again")
    ok = np.ones(n, dtype=bool)
    for ds in specs:
        ok &= np.asarray(ds[:n]) >= 0
    return ok


def _is_log(vary_attr: object, name: str) -> bool:
    """Whether the `--vary` spec of axis `name` asked for a log grid (`NAME=A:B:N:log`)."""
    if vary_attr is None:
        return False
    specs = [vary_attr] if isinstance(vary_attr, (str, bytes)) else list(np.asarray(vary_attr).ravel())
    for spec in specs:
        text = spec.decode() if isinstance(spec, bytes) else str(spec)
        if text.split("=", 1)[0].strip() == name:
            return text.rstrip().lower().endswith(":log")
    return False


def draw_yield(fig: Any, data: YieldData) -> list[Any]:
    """Yield (%) against the axis, the interval as a band and error bars."""
    from matplotlib.ticker import EngFormatter

    ax = fig.subplots()
    many = len(data.curves) > 1
    for k, c in enumerate(data.curves):
        colour = BAND_COLOUR if not many else f"C{k % 10}"
        ax.fill_between(c.x, 100 * c.low, 100 * c.high, color=colour, alpha=0.2, lw=0,
                        label=None if many else f"{100 * data.confidence:g} % Wilson interval")
        ax.plot(c.x, 100 * c.yield_, "o-", color=colour, ms=3, lw=1.2, label=c.label if many else "yield")
    if data.log:
        ax.set_xscale("log")
    ax.set_xlabel(data.axis)
    ax.xaxis.set_major_formatter(EngFormatter())
    ax.set_ylabel("yield (%)")
    ax.set_ylim(-2, 102)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    fig.suptitle(data.title)
    note(fig, data.note)
    return [ax]

