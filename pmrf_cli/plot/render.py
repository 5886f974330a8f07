"""From a file and the options to a finished Figure (or, for `--term`, to text)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pmrf_cli.plot import KINDS, PlotError
from pmrf_cli.plot.source import Source, open_source
from pmrf_cli.plot.traces import default_traces, resolve_traces

LINE_KINDS = ("db", "phase", "gd")


def check_kind(kind: str) -> str:
    """The kind, lower-cased, or a PlotError naming the choices."""
    k = kind.lower()
    if k not in KINDS:
        raise PlotError(f"--kind {kind!r}: use one of {', '.join(KINDS)}")
    return k


def load_nominal(path: Path, source: Source) -> np.ndarray:
    """S (F, P, P) of a simulate result or Touchstone file on the same grid as `source`."""
    nom = open_source(path)
    if nom.kind == "sweep" or nom.s is None:
        raise nom.error("--nominal needs one response (a `pmrf simulate` result or a Touchstone file)")
    if nom.n_ports != source.n_ports:
        raise nom.error(f"--nominal has {nom.n_ports} ports, the plotted file {source.n_ports}")
    same = nom.frequency.shape == source.frequency.shape and np.allclose(nom.frequency, source.frequency, rtol=1e-9)
    if not same:
        raise nom.error("--nominal is on another frequency grid than the plotted file")
    return nom.s


def render(
    source: Source,
    kind: str,
    traces: Sequence[str] | None = None,
    *,
    vary: str | None = None,
    nominal: np.ndarray | None = None,
    interactive: bool = False,
) -> Any:
    """The picture of `kind` as a matplotlib Figure."""
    from pmrf_cli.plot.figure import new_figure

    kind = check_kind(kind)
    if kind in LINE_KINDS:
        from pmrf_cli.plot.lines import draw_lines, line_data
        from pmrf_cli.plot.masks import masks_from_netlist

        chosen = _traces(source, traces, kind)
        data = line_data(source, kind, chosen, nominal)
        fig = new_figure(7.5, 1.3 + 2.4 * len(chosen), interactive)
        draw_lines(fig, data, masks_from_netlist(source.netlist_text, source.port_names, source.frequency, source.path.parent))
        return fig
    if kind == "smith":
        from pmrf_cli.plot.smith import draw_smith, smith_data

        chosen = _traces(source, traces, kind)
        data = smith_data(source, chosen, nominal)
        fig = new_figure(1.4 + 4.3 * len(chosen), 5.0, interactive)
        draw_smith(fig, data)
        return fig
    if kind == "hist":
        from pmrf_cli.plot.hist import draw_hist, hist_data

        data = hist_data(source)
        k = len(data.panels)
        cols = 1 if k == 1 else 2 if k <= 4 else 3
        fig = new_figure(4.0 * cols + 0.5, 1.2 + 3.0 * -(-k // cols), interactive)
        draw_hist(fig, data)
        return fig
    from pmrf_cli.plot.yield_curve import draw_yield, yield_data

    data = yield_data(source, vary)
    fig = new_figure(7.0, 4.5, interactive)
    draw_yield(fig, data)
    return fig


def term_text(source: Source, traces: Sequence[str] | None, width: int, nominal: np.ndarray | None = None) -> str:
    """The `--term` picture: a dB plot in characters."""
    from pmrf_cli.plot.lines import line_data
    from pmrf_cli.plot.masks import masks_from_netlist
    from pmrf_cli.plot.term import term_plot

    chosen = _traces(source, traces, "db")
    data = line_data(source, "db", chosen, nominal)
    masks = masks_from_netlist(source.netlist_text, source.port_names, source.frequency, source.path.parent)
    return term_plot(data, width=width, masks=masks)


def _traces(source: Source, asked: Sequence[str] | None, kind: str) -> list[tuple[int, int]]:
    if not source.has_s:
        raise source.error(f"has no /s (the sweep did not keep S-parameters): --kind {kind} needs them; try --kind hist or yield")
    return resolve_traces(asked, source.port_names, default_traces(source.n_ports, kind))
