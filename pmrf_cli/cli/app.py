"""The `pmrf` command: a thin Typer layer over the library (no physics here)."""

from __future__ import annotations

import os
import sys

import typer

from pmrf_cli import __version__
from pmrf_cli.cli import plot, results_cmds, simulate, sweep, yield_cmd
from pmrf_cli.cli import fit as fit_cmd
from pmrf_cli.cli import design_cmds

app = typer.Typer(
    name="pmrf",
    help="Batch S-parameter simulation of RF circuits described in YAML netlists.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pmrf {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """pmrf: netlist -> Equinox model -> sampled batch -> jitted kernels -> Touchstone / HDF5."""


app.command()(simulate.simulate)
app.command()(simulate.validate)
app.command()(simulate.schema)
app.command()(sweep.sweep)
app.command()(results_cmds.info)
app.command()(results_cmds.export)
app.command(name="yield")(yield_cmd.yield_)
app.command()(results_cmds.stats)
app.command()(plot.plot)
app.command()(fit_cmd.fit)
app.command()(design_cmds.sensitivity)
app.command()(design_cmds.optimize)
app.command()(design_cmds.centre)


def main() -> None:
    """Console-script entry point.

    Exits with `os._exit` once the command has flushed its output and closed its files: the
    interpreter's normal teardown of JAX's runtime adds ~0.4 s to every run and does nothing
    for the user.
    """
    code: int | str | None = 0
    try:
        app()
    except SystemExit as e:
        code = e.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code or 0)


if __name__ == "__main__":
    main()
