"""Smith charts: the axes' coordinates ARE the reflection coefficient (x = Re Gamma, y = Im Gamma).

The grid is drawn by mapping lines of constant resistance and reactance of the normalised
impedance z through Gamma = (z - 1) / (z + 1); a sweep's samples are a cloud coloured by frequency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pmrf_cli.plot.figure import BAND_COLOUR, NOMINAL_COLOUR, frequency_axis, note
from pmrf_cli.plot.source import Source, evenly_spaced, read_traces
from pmrf_cli.plot.traces import trace_label

#: Normalised resistances and reactances of the grid circles.
GRID_VALUES = (0.2, 0.5, 1.0, 2.0, 5.0)
#: Most points of one trace's cloud (samples x frequencies).
MAX_CLOUD_POINTS = 12000
#: Most frequencies that get a cloud (evenly spaced on the grid).
MAX_CLOUD_FREQUENCIES = 60


@dataclass(frozen=True)
class SmithTrace:
    """One chart's data: Gamma of a cloud of samples (k, F) and of the nominal (F,)."""

    trace: tuple[int, int]
    label: str
    cloud: np.ndarray | None = None
    nominal: np.ndarray | None = None


@dataclass(frozen=True)
class SmithData:
    """Everything a Smith picture draws."""

    frequency: np.ndarray
    traces: list[SmithTrace]
    title: str
    z0: float | None = None
    note: str | None = None
    cloud_frequency: np.ndarray | None = None  # (F',) the frequencies of the clouds' columns


def gamma_of_z(z: np.ndarray) -> np.ndarray:
    """Reflection coefficient of a normalised impedance."""
    return (z - 1.0) / (z + 1.0)


def smith_data(
    source: Source, traces: Sequence[tuple[int, int]], nominal_s: np.ndarray | None = None
) -> SmithData:
    """The Smith chart's curves: the file's S (which is Gamma at the port's reference)."""
    f = source.frequency
    labels = [trace_label(t, source.n_ports) for t in traces]
    z0 = float(source.z0[traces[0][0]]) if source.z0.size and len(set(source.z0.tolist())) == 1 else None
    if source.kind != "sweep":
        nominal_s = source.s if nominal_s is None else nominal_s
        out = [SmithTrace(t, lab, nominal=nominal_s[:, t[0], t[1]]) for t, lab in zip(traces, labels)]
        return SmithData(f, out, source.title, z0)
    if source.done < 1:
        raise source.error("no samples are done yet")
    columns = evenly_spaced(f.size, MAX_CLOUD_FREQUENCIES)
    indices = evenly_spaced(source.done, max(1, MAX_CLOUD_POINTS // columns.size))
    cloud = np.concatenate(list(read_traces(source, indices, traces)), axis=0)[:, :, columns]  # (k, T, F')
    out = [
        SmithTrace(t, lab, cloud=cloud[:, k], nominal=None if nominal_s is None else nominal_s[:, t[0], t[1]])
        for k, (t, lab) in enumerate(zip(traces, labels))
    ]
    text = f"clouds of {indices.size} of {source.done} samples at {columns.size} frequencies"
    return SmithData(f, out, source.title, z0, note=text, cloud_frequency=f[columns])


def draw_grid(ax: Any) -> None:
    """The unit circle, constant-resistance circles and constant-reactance arcs, labelled."""
    style = dict(color="0.75", lw=0.6, zorder=0)
    t = np.concatenate([-np.geomspace(1e4, 1e-3, 400), [0.0], np.geomspace(1e-3, 1e4, 400)])
    theta = np.linspace(0, 2 * np.pi, 721)
    ax.plot(np.cos(theta), np.sin(theta), color="0.35", lw=1.0, zorder=0)
    ax.plot([-1, 1], [0, 0], **style)
    for r in GRID_VALUES:
        g = gamma_of_z(r + 1j * t)
        ax.plot(g.real, g.imag, **style)
        ax.annotate(f"{r:g}", (float(gamma_of_z(r).real), 0.0), fontsize=6, color="0.4",
                    xytext=(-2, 2), textcoords="offset points", ha="right")
    pos = np.concatenate([[0.0], np.geomspace(1e-3, 1e4, 500)])
    for x in GRID_VALUES:
        for sign in (1, -1):
            g = gamma_of_z(pos + 1j * sign * x)
            ax.plot(g.real, g.imag, **style)
            edge = complex(gamma_of_z(1j * sign * x))
            ax.annotate(f"{sign * x:+g}j", (edge.real, edge.imag), fontsize=6, color="0.4",
                        xytext=(6 * edge.real, 6 * edge.imag), textcoords="offset points",
                        ha="center", va="center")
    ax.set_aspect("equal")
    ax.set_xlim(-1.12, 1.12)
    ax.set_ylim(-1.12, 1.12)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def draw_smith(fig: Any, data: SmithData) -> list[Any]:
    """Draw one Smith chart per trace on `fig`; returns the axes."""
    fscale, funit = frequency_axis(data.frequency)
    axes = fig.subplots(1, len(data.traces), squeeze=False)[0]
    colours = None
    for ax, tr in zip(axes, data.traces):
        draw_grid(ax)
        if tr.cloud is not None:
            k = tr.cloud.shape[0]
            fr = np.broadcast_to(data.cloud_frequency / fscale, tr.cloud.shape)
            colours = ax.scatter(tr.cloud.real.ravel(), tr.cloud.imag.ravel(), c=fr.ravel(), s=2, lw=0,
                                 alpha=0.5 if k > 1 else 1.0, cmap="viridis", rasterized=True, zorder=2)
        if tr.nominal is not None:
            colour = NOMINAL_COLOUR if tr.cloud is not None else BAND_COLOUR
            ax.plot(tr.nominal.real, tr.nominal.imag, color=colour, lw=1.0, zorder=4, label="nominal")
            ax.plot(tr.nominal.real[:1], tr.nominal.imag[:1], "o", color=colour, ms=3, zorder=4)
        ax.set_title(tr.label)
    if colours is not None:
        fig.colorbar(colours, ax=list(axes), shrink=0.7, label=f"frequency ({funit})")
    ref = f" (Z0 = {data.z0:g} ohm)" if data.z0 else ""
    fig.suptitle(f"{data.title}{ref}")
    note(fig, data.note)
    return list(axes)
