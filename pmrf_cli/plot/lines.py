"""dB, phase and group-delay pictures: per trace, the median and 5-95 % / 25-75 % bands of a sweep
(a few samples faintly, the nominal if given) or the one curve of a simulation; spec masks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pmrf_cli.plot.figure import BAND_COLOUR, MASK_COLOUR, NOMINAL_COLOUR, frequency_axis, note
from pmrf_cli.plot.masks import Mask
from pmrf_cli.plot.measures import AXIS, Bands, bands, engineering, measure
from pmrf_cli.plot.source import Source, evenly_spaced, gather
from pmrf_cli.plot.traces import trace_label

#: Most samples the percentiles are computed from (evenly spaced among those done).
MAX_SAMPLES = 20000
#: Most bytes the gathered values of all traces may take; fewer samples are used past it.
MAX_VALUE_BYTES = 512 * 1024 * 1024
#: Individual samples drawn faintly.
FAINT = 5


@dataclass(frozen=True)
class TraceCurves:
    """What one axis shows, in the measure's base unit (dB, degrees, seconds)."""

    trace: tuple[int, int]
    label: str
    bands: Bands | None = None  # sweeps
    samples: np.ndarray | None = None  # (k, F) drawn faintly
    curve: np.ndarray | None = None  # simulate / Touchstone: the one response
    nominal: np.ndarray | None = None


@dataclass(frozen=True)
class LineData:
    """Everything a dB/phase/gd picture draws."""

    kind: str
    frequency: np.ndarray
    traces: list[TraceCurves]
    title: str
    note: str | None = None


def sample_cap(n_traces: int, n_freq: int, cap: int = MAX_SAMPLES) -> int:
    """How many samples the percentiles may use within MAX_VALUE_BYTES."""
    return max(1, min(cap, MAX_VALUE_BYTES // max(1, 8 * n_traces * n_freq)))


def line_data(
    source: Source,
    kind: str,
    traces: Sequence[tuple[int, int]],
    nominal_s: np.ndarray | None = None,
    cap: int = MAX_SAMPLES,
) -> LineData:
    """Compute the curves of a dB/phase/gd picture (reads a sweep's /s in blocks)."""
    f = source.frequency
    labels = [trace_label(t, source.n_ports) for t in traces]
    nominal = [None] * len(traces)
    if nominal_s is not None:
        nominal = [measure(kind, nominal_s[:, i, j], f) for i, j in traces]
    if source.kind != "sweep":
        curves = [
            TraceCurves(t, lab, curve=measure(kind, source.s[:, t[0], t[1]], f), nominal=nom)
            for t, lab, nom in zip(traces, labels, nominal)
        ]
        return LineData(kind, f, curves, source.title)
    if source.done < 1:
        raise source.error("no samples are done yet")
    indices = evenly_spaced(source.done, sample_cap(len(traces), f.size, cap))
    values = gather(source, indices, traces, lambda block: measure(kind, block, f))
    faint = evenly_spaced(indices.size, FAINT)
    curves = [
        TraceCurves(t, lab, bands=bands(values[:, k]), samples=values[faint, k], nominal=nominal[k])
        for k, (t, lab) in enumerate(zip(traces, labels))
    ]
    text = f"{source.done} samples"
    if source.done < source.samples:
        text = f"{source.done} of {source.samples} samples done"
    if indices.size < source.done:
        text += f"; percentiles over {indices.size} of them, evenly spaced"
    return LineData(kind, f, curves, source.title, note=text)


def draw_lines(fig: Any, data: LineData, masks: Sequence[Mask] = ()) -> list[Any]:
    """Draw `data` on `fig`, one axis per trace, with the masks of the matching kind."""
    fscale, funit = frequency_axis(data.frequency)
    x = data.frequency / fscale
    quantity, unit = AXIS[data.kind]
    yscale, yunit = 1.0, unit
    if unit == "s":  # seconds read as ps, ns or us
        yscale, yunit = engineering(np.concatenate([a.ravel() for t in data.traces for a in _arrays(t)]), unit)
    axes = fig.subplots(len(data.traces), 1, sharex=True, squeeze=False)[:, 0]
    for ax, tc in zip(axes, data.traces):
        _draw_trace(ax, x, tc, yscale)
        for mask in masks:
            if mask.kind == data.kind and mask.trace == tc.trace:
                _draw_mask(ax, mask, fscale, yscale)
        ax.set_ylabel(f"{tc.label} {quantity} ({yunit})")
        ax.grid(True, alpha=0.3)
        if x.size > 1:
            ax.set_xlim(x[0], x[-1])
    axes[-1].set_xlabel(f"frequency ({funit})")
    if axes[0].get_legend_handles_labels()[0]:
        axes[0].legend(fontsize="small", loc="best")
    fig.suptitle(data.title)
    note(fig, data.note)
    return list(axes)


def _arrays(tc: TraceCurves) -> list[np.ndarray]:
    out = [a for a in (tc.curve, tc.nominal, tc.samples) if a is not None]
    if tc.bands is not None:
        out += [tc.bands.p5, tc.bands.p95]
    return out


def _draw_trace(ax: Any, x: np.ndarray, tc: TraceCurves, yscale: float) -> None:
    if tc.bands is not None:
        b = tc.bands
        ax.fill_between(x, b.p5 / yscale, b.p95 / yscale, color=BAND_COLOUR, alpha=0.18, lw=0, label="5-95 %")
        ax.fill_between(x, b.p25 / yscale, b.p75 / yscale, color=BAND_COLOUR, alpha=0.35, lw=0, label="25-75 %")
        for k, row in enumerate(tc.samples if tc.samples is not None else []):
            ax.plot(x, row / yscale, color=BAND_COLOUR, alpha=0.35, lw=0.5, label="samples" if k == 0 else None)
        ax.plot(x, b.median / yscale, color=BAND_COLOUR, lw=1.5, label="median")
    if tc.curve is not None:
        ax.plot(x, tc.curve / yscale, color=BAND_COLOUR, lw=1.5, label=tc.label)
    if tc.nominal is not None:
        ax.plot(x, tc.nominal / yscale, color=NOMINAL_COLOUR, lw=1.0, ls="--", label="nominal")


def _draw_mask(ax: Any, mask: Mask, fscale: float, yscale: float) -> None:
    """Shade what the limit forbids: below a min, above a max, over the band (or mark `at`)."""
    lo, hi = ax.get_ylim()
    limits = [v / yscale for v in (mask.low, mask.high) if v is not None]
    lo, hi = min([lo, *limits]), max([hi, *limits])
    pad = 0.05 * (hi - lo or 1.0)
    lo, hi = lo - pad, hi + pad
    style = dict(color=MASK_COLOUR, alpha=0.15, lw=0)
    if mask.band is not None:
        xs = [mask.band[0] / fscale, mask.band[1] / fscale]
        for limit, edge in ((mask.low, lo), (mask.high, hi)):
            if limit is not None:
                ax.fill_between(xs, [limit / yscale] * 2, [edge] * 2, **style)
                ax.plot(xs, [limit / yscale] * 2, color=MASK_COLOUR, lw=1.2)
        ax.annotate(mask.name, (xs[0], (mask.low if mask.low is not None else mask.high) / yscale),
                    fontsize="x-small", color=MASK_COLOUR, xytext=(2, 2), textcoords="offset points")
    else:
        xa = mask.at / fscale
        for limit, marker in ((mask.low, "^"), (mask.high, "v")):
            if limit is not None:
                ax.plot([xa], [limit / yscale], marker=marker, color=MASK_COLOUR, ms=7, ls="none")
        ax.annotate(mask.name, (xa, (mask.low if mask.low is not None else mask.high) / yscale),
                    fontsize="x-small", color=MASK_COLOUR, xytext=(4, 4), textcoords="offset points")
    ax.set_ylim(lo, hi)
