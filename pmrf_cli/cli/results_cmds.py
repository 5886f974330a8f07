"""`pmrf info` and `pmrf export`: read a results file back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from pmrf_cli.cli.common import UserError, atomic_output, run_command


def info(file: Path = typer.Argument(..., help="A pmrf results file (.h5).")) -> None:
    """Print what a results file holds: netlist, ports, grid, samples, parameter statistics."""

    def body():
        from pmrf_cli.io.results import format_info, read_info

        print(format_info(read_info(file)))

    run_command(body)


def export(
    file: Path = typer.Argument(..., help="A pmrf results file (.h5)."),
    sample: int = typer.Option(0, "--sample", help="Index of the sample to export."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Touchstone file to write; stdout if omitted."),
) -> None:
    """Write one sample of a results file as Touchstone."""

    def body():
        from pmrf_cli.io.results import read_sample
        from pmrf_cli.io.touchstone import touchstone_extension, touchstone_text

        if sample < 0:
            raise UserError("--sample must be >= 0")
        frequency, s, z0, names = read_sample(file, sample)
        if output is not None and output.suffix.lower() != touchstone_extension(s.shape[-1]):
            raise UserError(f"{output}: a {s.shape[-1]}-port result belongs in a {touchstone_extension(s.shape[-1])} file")
        text = touchstone_text(frequency, s, z0, [f"pmrf export: {file} sample {sample}", f"ports: {' '.join(names)}"])
        if output is None:
            sys.stdout.write(text)
        else:
            with atomic_output(output) as fh:
                fh.write(text)

    run_command(body)
