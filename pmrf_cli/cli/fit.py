"""`pmrf fit NETLIST MEASURED.sNp --param NAME...`: fit parameters to measured S-parameters.

Everything about the input (netlist, measured file, port count, parameter names, weights, the
output path and whether the values can be written back) is checked before JAX is imported.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from pmrf_cli.cli.common import Timer, UserError, atomic_output, check_output_path, read_netlist_text, run_command


def load_text(netlist: str):
    """(raw text, spec, flat) of a netlist: the text as stored (line endings kept), for writing
    it back."""
    from pmrf_cli.netlist import flatten, parse_netlist

    text, source = read_netlist_text(netlist)
    if netlist != "-":
        text = Path(netlist).read_bytes().decode("utf-8")
    base_dir = Path.cwd() if netlist == "-" else Path(netlist).resolve().parent
    spec = parse_netlist(text, source, base_dir)
    return text, spec, flatten(spec)


def read_measured(path: Path, port_names) -> object:
    """The measured Touchstone data; its port count must be the netlist's."""
    from pmrf_cli.io.touchstone import read_touchstone

    if not path.exists():
        raise UserError(f"{path}: no such file")
    data = read_touchstone(path)
    if data.nports != len(port_names):
        raise UserError(
            f"{path}: the measured file has {data.nports} port(s), but the netlist has "
            f"{len(port_names)} ({', '.join(port_names)})"
        )
    return data


def check_write_back(text: str, spec, paths) -> dict:
    """The value positions of `paths`, checked before any work: each written in one place that
    belongs to it alone, and each rewritable (a dry run)."""
    from pmrf_cli.netlist.errors import NetlistError
    from pmrf_cli.netlist.writeback import shared_locs, value_locs, write_back

    locs = value_locs(spec)
    shared = shared_locs(locs, paths)
    for path in paths:
        if path not in locs:
            raise UserError(f"-o: cannot tell where the value of '{path}' is written")
        if path in shared:
            raise NetlistError(
                locs[path],
                f"-o cannot write '{path}' back on its own: its value is written once for "
                f"{', '.join([path] + shared[path])}; override it on the instance to fit it alone",
            )
    write_back(text, locs, {p: 1.0 for p in paths})
    return {p: locs[p] for p in paths}


def table(result, written: dict[str, str]) -> str:
    """The human summary: parameters (start, fitted, change), errors, iterations."""
    from pmrf_cli.netlist.writeback import format_like

    rows = [("parameter", "start", "fitted", "change")]
    for path, value in result.parameters.items():
        start = result.start[path]
        style = written.get(path, repr(start))
        change = f"{(value - start) / start * 100:+.4g}%" if start else f"{value - start:+.4g}"
        rows.append((path, format_like(start, style, 10), format_like(value, style, 10), change))
    widths = [max(len(r[k]) for r in rows) for k in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    state = "converged" if result.converged else "did not converge"
    lines.append(f"rms error: {result.start_rms_error:.4g} -> {result.rms_error:.4g}")
    lines.append(f"iterations: {result.iterations} ({state})")
    return "\n".join(lines) + "\n"


def moved_params(netlist: str, params, output: Optional[Path]):
    """(text, spec, flat, paths, value positions for -o or None) for a command that moves the
    nominals of `params` (fit, optimize, centre); every check is done before JAX."""
    from pmrf_cli.fitting.parametrize import FitError, select_params

    text, spec, flat = load_text(netlist)
    try:
        paths = select_params(flat, params)
    except FitError as e:
        raise UserError(str(e)) from None
    locs = None
    if output is not None:
        check_output_path(output)
        locs = check_write_back(text, spec, paths)
    for warning in flat.warnings:
        print(str(warning), file=sys.stderr)
    return text, spec, flat, paths, locs


def checked_inputs(netlist: str, measured: Path, params, weights, output: Optional[Path], max_steps: int):
    """Everything the fit needs, checked before JAX is imported: (netlist text, spec, flat,
    measured data, parameter paths, weights (P, P), value positions for -o or None)."""
    from pmrf_cli.fitting.parametrize import FitError
    from pmrf_cli.fitting.weights import parse_weights
    from pmrf_cli.netlist.blocks import check_blocks

    if max_steps < 1:
        raise UserError(f"--max-steps {max_steps}: must be at least 1")
    text, spec, flat, paths, locs = moved_params(netlist, params, output)
    data = read_measured(measured, flat.port_names)
    check_blocks(flat, data.frequency)
    try:
        w = parse_weights(weights, flat.port_names)
    except FitError as e:
        raise UserError(str(e)) from None
    return text, spec, flat, data, paths, w, locs


def report(result, text: str, spec, locs, output: Optional[Path], as_json: bool) -> None:
    """Warn if not converged, write the netlist back (-o), print the table or the JSON."""
    from pmrf_cli.netlist.writeback import write_back, written_texts

    if not result.converged:
        print(
            f"pmrf: warning: the fit did not converge in {result.iterations} iterations "
            f"(rms error {result.rms_error:.4g}); the last values are reported", file=sys.stderr,
        )
    if output is not None:
        new_text = write_back(text, locs, result.parameters)
        with atomic_output(output) as fh:
            fh.write(new_text)
    if as_json:
        sys.stdout.write(json.dumps(result.to_json()) + "\n")
    else:
        sys.stdout.write(table(result, written_texts(text, locs or value_positions(spec, result.parameters))))


def fit(
    netlist: str = typer.Argument(..., help="Netlist YAML file, or - for standard input."),
    measured: Path = typer.Argument(..., metavar="MEASURED.sNp", help="Measured Touchstone file (its frequencies are used)."),
    params: list[str] = typer.Option(..., "--param", help="A parameter path to fit (repeatable): Lnom, L1, X1.C."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="FITTED.yaml", help="Write the netlist with the fitted nominal values."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of the table."),
    weights: Optional[list[str]] = typer.Option(None, "--weight", help="Weight of an S-term's squared error: TERM=W, e.g. S21=10 (repeatable)."),
    max_steps: int = typer.Option(200, "--max-steps", help="Most Levenberg-Marquardt iterations."),
) -> None:
    """Fit parameters to a measured Touchstone file by Levenberg-Marquardt (exact Jacobians)."""

    def body():
        timer = Timer()
        text, spec, flat, data, paths, w, locs = checked_inputs(netlist, measured, params, weights, output, max_steps)
        timer.mark("load")
        from pmrf_cli.engine import runtime

        runtime.configure("double")
        from pmrf_cli.fitting.least_squares import fit as run_fit
        from pmrf_cli.fitting.parametrize import FitError, parametrize, s_function

        timer.mark("import")
        s_of = s_function(flat, data.frequency, paths, reference_z0=data.z0)
        try:
            result = run_fit(s_of, parametrize(flat, paths), data.s, w, max_steps=max_steps, frequency=data.frequency)
        except FitError as e:
            raise UserError(f"{netlist}: {e}") from None
        timer.mark("fit")
        report(result, text, spec, locs, output, as_json)
        timer.mark("write")
        timer.report()

    run_command(body)


def value_positions(spec, paths) -> dict:
    """The value positions of `paths` (for showing values in the units they were written in)."""
    from pmrf_cli.netlist.writeback import value_locs

    locs = value_locs(spec)
    return {p: locs[p] for p in paths if p in locs}
