"""`pmrf plot`: pictures of a sweep, a simulation or a Touchstone file (the drawing is in
pmrf_cli.plot; matplotlib is imported only when a picture is made)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Optional

import typer

from pmrf_cli.cli.common import UserError, atomic_output, check_output_path, run_command

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


def plot(
    file: Path = typer.Argument(..., help="A results file (.h5, from sweep or simulate) or a Touchstone file (.sNp)."),
    kind: str = typer.Option("db", "--kind", "-k", help="db, phase, gd, smith, hist or yield."),
    trace: Optional[list[str]] = typer.Option(None, "--trace", "-t", help="S-parameter to draw: S21, S(2,1) or S(out,in) (repeatable; default S21 and S11; gd S21; smith S11 and S22)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Picture file: .png, .svg or .pdf."),
    vary: Optional[str] = typer.Option(None, "--vary", help="For --kind yield: the grid axis (a --vary parameter of the sweep)."),
    nominal: Optional[Path] = typer.Option(None, "--nominal", help="A simulate result or Touchstone file drawn as the nominal response."),
    term: bool = typer.Option(False, "--term", help="Draw a dB plot in this terminal, in plain characters."),
) -> None:
    """Draw dB/phase/group-delay envelopes, Smith charts, margin histograms or yield curves."""

    def body():
        from pmrf_cli.plot import PlotError
        from pmrf_cli.plot.render import check_kind, load_nominal, render, term_text
        from pmrf_cli.plot.source import open_source

        try:
            k = check_kind(kind)
            fmt = _format(output)
            if term and k != "db":
                raise UserError(f"--term draws dB plots only, not --kind {k}")
            if output is None and not term and not _has_display():
                raise UserError("no display to show the plot on: give -o OUT.png (or .svg, .pdf), or --term to draw it in this terminal")
            source = open_source(file)
            nominal_s = load_nominal(nominal, source) if nominal is not None else None
            if term:
                width = shutil.get_terminal_size((80, 24)).columns
                sys.stdout.write(term_text(source, trace, min(max(width, 40), 160), nominal_s))
                if output is None:
                    return 0
            fig = render(source, k, trace, vary=vary, nominal=nominal_s, interactive=output is None)
        except PlotError as e:
            raise UserError(str(e)) from None
        if output is None:
            _show(fig)
            return 0
        with atomic_output(output, "wb") as fh:
            fig.savefig(fh, format=fmt, dpi=100)
        return 0

    run_command(body)


def _format(output: Path | None) -> str | None:
    if output is None:
        return None
    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise UserError(f"{output}: give a .png, .svg or .pdf file")
    check_output_path(output)
    return fmt


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _show(fig) -> None:
    import matplotlib.pyplot as plt

    if plt.get_backend().lower() in ("agg", "pdf", "svg", "ps", "cairo", "template"):
        plt.close(fig)
        raise UserError("matplotlib has no window backend here: give -o OUT.png (or .svg, .pdf)")
    plt.show()
