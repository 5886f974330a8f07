"""A dB plot in plain characters, for a terminal without a display (e.g. over ssh)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pmrf_cli.plot.figure import frequency_axis
from pmrf_cli.plot.lines import LineData
from pmrf_cli.plot.masks import Mask

LABEL = 9  # width of the y-axis labels


def term_plot(data: LineData, width: int = 80, height: int = 16, masks: Sequence[Mask] = ()) -> str:
    """The picture as text: `*` the median (or the curve), `:` the 5-95 % band, `=` spec limits."""
    cols = max(10, width - LABEL - 2)
    fscale, funit = frequency_axis(data.frequency)
    out = [data.title]
    if data.note:
        out.append(f"({data.note})")
    for tc in data.traces:
        centre = tc.bands.median if tc.bands is not None else tc.curve
        low = tc.bands.p5 if tc.bands is not None else centre
        high = tc.bands.p95 if tc.bands is not None else centre
        bins = np.array_split(np.arange(data.frequency.size), min(cols, data.frequency.size))
        lo_col = np.array([_finite(low[b], np.min) for b in bins])
        hi_col = np.array([_finite(high[b], np.max) for b in bins])
        mid_col = np.array([_finite(centre[b], np.mean) for b in bins])
        mine = [m for m in masks if m.kind == "db" and m.trace == tc.trace]
        limits = [v for m in mine for v in (m.low, m.high) if v is not None]
        every = np.concatenate([lo_col, hi_col, limits]) if limits else np.concatenate([lo_col, hi_col])
        every = every[np.isfinite(every)]
        top, bottom = (float(every.max()), float(every.min())) if every.size else (1.0, 0.0)
        if top == bottom:
            top, bottom = top + 1.0, bottom - 1.0
        grid = [[" "] * len(bins) for _ in range(height)]

        def row(v: float) -> int:
            return int(round((top - v) / (top - bottom) * (height - 1)))

        for c in range(len(bins)):
            if np.isfinite(lo_col[c]) and np.isfinite(hi_col[c]):
                for r in range(row(hi_col[c]), row(lo_col[c]) + 1):
                    grid[r][c] = ":"
        for m in mine:
            span = m.band if m.band is not None else (m.at, m.at)
            for c, b in enumerate(bins):
                f0, f1 = data.frequency[b[0]], data.frequency[b[-1]]
                if f1 >= span[0] and f0 <= span[1]:
                    for v in (m.low, m.high):
                        if v is not None and grid[row(v)][c] == " ":
                            grid[row(v)][c] = "="
        for c in range(len(bins)):
            if np.isfinite(mid_col[c]):
                grid[row(mid_col[c])][c] = "*"
        out.append("")
        legend = "   * median   : 5-95 %" if tc.bands is not None else ""
        out.append(f"{tc.label} (dB){legend}" + ("   = spec limit" if mine else ""))
        for r in range(height):
            value = top - r * (top - bottom) / (height - 1)
            value = 0.0 if abs(value) < 5e-3 else value
            label = f"{value:{LABEL}.2f}" if r in (0, height - 1) or r % 4 == 0 else " " * LABEL
            out.append(f"{label} |{''.join(grid[r])}")
        out.append(" " * LABEL + " +" + "-" * len(bins))
        first = f"{data.frequency[0] / fscale:g}"
        last = f"{data.frequency[-1] / fscale:g} {funit}"
        out.append(" " * (LABEL + 2) + first + " " * max(1, len(bins) - len(first) - len(last)) + last)
    return "\n".join(out) + "\n"


def _finite(values: np.ndarray, fn) -> float:
    v = values[np.isfinite(values)]
    return float(fn(v)) if v.size else float("nan")
