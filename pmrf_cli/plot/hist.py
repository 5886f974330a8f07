"""Histograms: of each spec's margin (pass region shaded, yield in the title), or of the parameters
of a sweep without specs. Datasets are read in blocks, never whole."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from pmrf_cli.plot.figure import BAND_COLOUR, PASS_COLOUR, note
from pmrf_cli.plot.measures import engineering
from pmrf_cli.plot.source import Source

BINS = 60
_BLOCK = 1 << 20
#: Most histograms in one picture.
MAX_PANELS = 12


@dataclass(frozen=True)
class Histogram:
    """Counts of one dataset's finite values in `edges`; `nan` counts the values that are not."""

    name: str
    edges: np.ndarray
    counts: np.ndarray
    unit: str = ""
    subtitle: str = ""
    passed: int | None = None  # margins: samples with margin >= 0
    total: int = 0
    nan: int = 0


@dataclass(frozen=True)
class HistData:
    """Everything a histogram picture draws."""

    panels: list[Histogram]
    title: str
    margins: bool
    note: str | None = None


def block_histogram(ds: Any, n: int, bins: int = BINS) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """(counts, edges, NaN count, all finite values equal) of `ds[:n]`, in two passes over blocks."""
    lo, hi, nan = math.inf, -math.inf, 0
    for a in range(0, n, _BLOCK):
        v = np.asarray(ds[a : min(n, a + _BLOCK)], dtype=np.float64)
        ok = np.isfinite(v)
        nan += int(v.size - ok.sum())
        if ok.any():
            lo, hi = min(lo, float(v[ok].min())), max(hi, float(v[ok].max()))
    if lo > hi:
        return np.zeros(bins, dtype=np.int64), np.linspace(-1, 1, bins + 1), nan, True
    constant = lo == hi
    if constant:
        lo, hi = lo - 0.5 * (abs(lo) or 1.0), hi + 0.5 * (abs(hi) or 1.0)
    edges = np.linspace(lo, hi, bins + 1)
    counts = np.zeros(bins, dtype=np.int64)
    for a in range(0, n, _BLOCK):
        v = np.asarray(ds[a : min(n, a + _BLOCK)], dtype=np.float64)
        counts += np.histogram(v[np.isfinite(v)], edges)[0]
    return counts, edges, nan, constant


def hist_data(source: Source) -> HistData:
    """Margins of each spec (`/specs/*`) or, without specs, the sweep's varying parameters."""
    import h5py

    if source.kind == "touchstone":
        raise source.error("a Touchstone file has no samples to histogram; plot a sweep's results file")
    with h5py.File(source.path, "r") as f:
        n = source.done
        specs = [(k, v) for k, v in f["specs"].items()] if "specs" in f else []
        specs = [(k, v) for k, v in specs if isinstance(v, h5py.Dataset) and v.ndim == 1]
        if specs:
            return _margins(f, specs, n, source)
        if source.kind != "sweep" or n < 1:
            raise source.error("a histogram needs a sweep with samples done (this file holds one simulation)")
        params = [(k, v) for k, v in f["parameters"].items() if v.ndim == 1] if "parameters" in f else []
        panels = []
        for name, ds in params:
            counts, edges, nan, constant = block_histogram(ds, n)
            if not constant:  # a parameter that is not random has nothing to show
                panels.append(Histogram(name, edges, counts, total=n, nan=nan))
    if not panels:
        raise source.error("nothing to histogram: no specs (/specs) and no parameter that varies")
    text = f"{n} samples; no specs in this file, so the parameters"
    if len(panels) > MAX_PANELS:
        text += f" (the first {MAX_PANELS} of {len(panels)})"
    return HistData(panels[:MAX_PANELS], source.title, margins=False, note=text)


def _margins(f: Any, specs: list, n: int, source: Source) -> HistData:
    panels = []
    for name, ds in specs:
        if n < 1:
            raise source.error("no samples are done yet")
        counts, edges, nan, _ = block_histogram(ds, n)
        passed = sum(int(np.count_nonzero(np.asarray(ds[a : min(n, a + _BLOCK)]) >= 0)) for a in range(0, n, _BLOCK))
        unit = _text(ds.attrs.get("unit", ""))
        measure = _text(ds.attrs.get("measure", ""))
        panels.append(Histogram(name, edges, counts, unit, measure, passed, n, nan))
    title = source.title
    a = f.attrs
    if "yield" in a:
        y = float(a["yield"])
        title += f": yield {100 * y:.1f} %"
        if "yield_low" in a and "yield_high" in a:
            conf = float(a.get("yield_confidence", 0.95))
            title += f" ({100 * conf:g} % CI {100 * float(a['yield_low']):.1f}-{100 * float(a['yield_high']):.1f} %)"
    text = f"{n} samples" + (f" (the first {MAX_PANELS} of {len(panels)} specs)" if len(panels) > MAX_PANELS else "")
    return HistData(panels[:MAX_PANELS], title, margins=True, note=text)


def _view(lo: float, hi: float) -> tuple[float, float]:
    """The x range: the data's, stretched to show the pass limit 0 when it is near (within one
    width of the data); far away it would squash the histogram into a line."""
    span = hi - lo
    if lo - span <= 0.0 <= hi + span:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    pad = 0.03 * (hi - lo)
    return lo - pad, hi + pad


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def draw_hist(fig: Any, data: HistData) -> list[Any]:
    """Draw the histograms on a grid of axes; margins get their pass region (>= 0) shaded."""
    k = len(data.panels)
    cols = 1 if k == 1 else 2 if k <= 4 else 3
    rows = -(-k // cols)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[k:]:
        ax.set_visible(False)
    for ax, h in zip(axes, data.panels):
        scale, unit = engineering(h.edges, "s") if h.unit == "s" else (1.0, h.unit)
        edges = h.edges / scale
        ax.stairs(h.counts, edges, fill=True, color=BAND_COLOUR, alpha=0.7)
        if data.margins:
            lo, hi = _view(edges[0], edges[-1])
            ax.axvspan(0.0, max(hi, 0.0), color=PASS_COLOUR, alpha=0.15, lw=0)
            ax.axvline(0.0, color=PASS_COLOUR, lw=1.0)
            ax.set_xlim(lo, hi)
            share = 100.0 * (h.passed or 0) / max(1, h.total)
            ax.set_title(f"{h.name}: {share:.1f} % pass", fontsize="medium")
            label = f"margin ({unit})" if unit else "margin"
            ax.set_xlabel(f"{label}, {h.subtitle}" if h.subtitle else label, fontsize="small")
        else:
            from matplotlib.ticker import EngFormatter

            ax.xaxis.set_major_formatter(EngFormatter())
            ax.set_title(h.name, fontsize="medium")
            ax.set_xlabel("value (SI units)", fontsize="small")
        if h.nan:
            ax.text(0.98, 0.95, f"{h.nan} NaN", transform=ax.transAxes, ha="right", va="top", fontsize="x-small")
        ax.set_ylabel("samples", fontsize="small")
    fig.suptitle(data.title)
    note(fig, data.note)
    return list(axes[:k])
