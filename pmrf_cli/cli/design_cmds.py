"""`pmrf sensitivity`, `pmrf optimize`, `pmrf centre`: design from a netlist's specs.

Inputs (netlist, specs, parameter names, the output path and whether values can be written
back) are checked before any JAX work; the engine is `pmrf_cli.design`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from pmrf_cli.cli.common import Timer, UserError, atomic_output, grid_of, load, run_command
from pmrf_cli.cli.fit import moved_params


def bound_specs(netlist: str, flat, frequency):
    """The netlist's specs on `frequency`; none is an error."""
    from pmrf_cli.netlist.blocks import check_blocks
    from pmrf_cli.specs.bind import bind_specs

    check_blocks(flat, frequency)
    specs = bind_specs(flat, frequency)
    if not specs:
        raise UserError(f"{netlist}: the netlist has no specs: add a `specs:` section (see SPECS.md)")
    return specs


def write_netlist(text: str, locs, values, output: Optional[Path]) -> None:
    """Write the netlist back with new nominal values (-o)."""
    from pmrf_cli.netlist.writeback import write_back

    if output is not None:
        new_text = write_back(text, locs, values)
        with atomic_output(output) as fh:
            fh.write(new_text)


def sensitivity(
    netlist: str = typer.Argument(..., help="Netlist YAML file with specs, or - for standard input."),
    sets: Optional[list[str]] = typer.Option(None, "--set", help="Override a parameter: NAME=VALUE (repeatable)."),
    freq: Optional[str] = typer.Option(None, "--freq", help="Frequency grid START:STOP:POINTS[:log] instead of the netlist's."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of the table."),
) -> None:
    """Each spec's margin at nominal and its gradient w.r.t. every random parameter, ranked by
    margin change per spread (which tolerance to tighten)."""

    def body():
        timer = Timer()
        _, flat = load(netlist, sets)
        frequency = grid_of(flat, freq)
        specs = bound_specs(netlist, flat, frequency)
        for warning in flat.warnings:
            print(str(warning), file=sys.stderr)
        timer.mark("load")
        from pmrf_cli.engine import runtime

        runtime.configure("double")
        from pmrf_cli.design.objective import margin_scales
        from pmrf_cli.design.sensitivity import ranked, sensitivity as run
        from pmrf_cli.design.tables import sensitivity_table

        result = run(flat, frequency, specs)
        timer.mark("sensitivity")
        if as_json:
            sys.stdout.write(json.dumps({"specs": {n: r.to_json() for n, r in result.items()}}) + "\n")
        else:
            scales = dict(zip((s.name for s in specs), margin_scales(specs)))
            sys.stdout.write(sensitivity_table(result, specs, ranked(result, scales)))
        timer.report()

    run_command(body)


def optimize(
    netlist: str = typer.Argument(..., help="Netlist YAML file with specs, or - for standard input."),
    params: list[str] = typer.Option(..., "--param", help="A parameter path to move (repeatable): Lnom, L1, X1.C."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="TUNED.yaml", help="Write the netlist with the optimised nominal values."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of the table."),
    max_steps: int = typer.Option(200, "--max-steps", help="Most BFGS iterations per temperature."),
) -> None:
    """Maximise the worst normalised spec margin over nominal values (annealed log-sum-exp
    minimax, Optimistix BFGS; positive parameters stay within a factor of 3 of their start)."""

    def body():
        timer = Timer()
        if max_steps < 1:
            raise UserError(f"--max-steps {max_steps}: must be at least 1")
        text, spec, flat, paths, locs = moved_params(netlist, params, output)
        frequency = grid_of(flat, None)
        specs = bound_specs(netlist, flat, frequency)
        timer.mark("load")
        from pmrf_cli.engine import runtime

        runtime.configure("double")
        from pmrf_cli.cli.fit import value_positions
        from pmrf_cli.design.optimize import optimize as run
        from pmrf_cli.design.tables import optimize_table
        from pmrf_cli.fitting.parametrize import parametrize
        from pmrf_cli.netlist.writeback import written_texts

        result = run(flat, frequency, specs, parametrize(flat, paths), max_steps=max_steps)
        timer.mark("optimize")
        if not result.converged:
            print(f"pmrf: warning: the optimisation did not converge in {result.iterations} iterations; "
                  "the last values are reported", file=sys.stderr)
        failing = [n for n, m in result.margins.items() if not m >= 0]
        if failing:
            print(f"pmrf: warning: the optimised design still fails {', '.join(failing)}", file=sys.stderr)
        write_netlist(text, locs, result.parameters, output)
        if as_json:
            sys.stdout.write(json.dumps(result.to_json()) + "\n")
        else:
            sys.stdout.write(optimize_table(result, written_texts(text, locs or value_positions(spec, paths))))
        timer.report()

    run_command(body)


def centre(
    netlist: str = typer.Argument(..., help="Netlist YAML file with specs and tolerances, or - for standard input."),
    params: list[str] = typer.Option(..., "--param", help="A parameter path whose nominal moves (repeatable)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="CENTRED.yaml", help="Write the netlist with the centred nominal values."),
    batch: int = typer.Option(256, "--batch", help="Samples of the fixed (common random number) sample the yield is smoothed over."),
    seed: int = typer.Option(0, "--seed", help="Seed of that sample; the held-out sample uses SEED + 1."),
    holdout: int = typer.Option(2000, "--holdout", help="Samples of the held-out sample that yields are counted on."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of the table."),
    max_steps: int = typer.Option(100, "--max-steps", help="Most BFGS iterations per temperature."),
) -> None:
    """Move nominals to maximise yield under the declared tolerances (gradient ascent on a
    sigmoid-smoothed yield over a fixed sample); yields before and after on a held-out sample."""

    def body():
        timer = Timer()
        for name, value, least in (("--batch", batch, 1), ("--holdout", holdout, 1), ("--max-steps", max_steps, 1), ("--seed", seed, 0)):
            if value < least:
                raise UserError(f"{name} {value}: must be at least {least}")
        text, spec, flat, paths, locs = moved_params(netlist, params, output)
        if not flat.random_params:
            raise UserError(f"{netlist}: no parameter has a tolerance or distribution: nothing to centre against")
        frequency = grid_of(flat, None)
        specs = bound_specs(netlist, flat, frequency)
        timer.mark("load")
        from pmrf_cli.engine import runtime

        runtime.configure("double")
        from pmrf_cli.cli.fit import value_positions
        from pmrf_cli.design.centre import centre as run
        from pmrf_cli.design.tables import centre_table
        from pmrf_cli.fitting.parametrize import parametrize
        from pmrf_cli.netlist.writeback import written_texts

        result = run(flat, frequency, specs, parametrize(flat, paths), batch=batch, seed=seed,
                     holdout=holdout, max_steps=max_steps)
        timer.mark("centre")
        if not result.converged:
            print(f"pmrf: warning: the centring did not converge in {result.iterations} iterations; "
                  "the last values are reported", file=sys.stderr)
        write_netlist(text, locs, result.parameters, output)
        if as_json:
            sys.stdout.write(json.dumps(result.to_json()) + "\n")
        else:
            sys.stdout.write(centre_table(result, written_texts(text, locs or value_positions(spec, paths))))
        timer.report()

    run_command(body)
