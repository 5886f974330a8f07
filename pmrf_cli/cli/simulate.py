"""`pmrf simulate`, `pmrf validate`, `pmrf schema`: one nominal evaluation, checks, the schema."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from pmrf_cli.cli.common import Timer, UserError, atomic_output, check_output_path, grid_of, load, run_command

FORMATS = ("touchstone", "hdf5", "csv", "json")


def output_format(output: Optional[Path], fmt: Optional[str], nports: int) -> str:
    """The output format from --format or the output file's extension (Touchstone by default)."""
    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise UserError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
        return fmt
    if output is None:
        return "touchstone"
    suffix = output.suffix.lower()
    if suffix in (".h5", ".hdf5"):
        return "hdf5"
    if suffix in (".csv", ".json"):
        return suffix[1:]
    if suffix.startswith(".s") and suffix.endswith("p") and suffix[2:-1].isdigit():
        if int(suffix[2:-1]) != nports:
            raise UserError(f"{output}: a {suffix} file holds {suffix[2:-1]} ports, but the circuit has {nports}")
        return "touchstone"
    raise UserError(f"{output}: cannot tell the format from the extension; use .sNp, .h5, .csv, .json or --format")


def write_result(output, fmt, flat, frequency, s, z0, params, command, device, precision) -> None:
    """Write one simulation in `fmt` to `output` (atomically) or stdout."""
    from pmrf_cli.io import tabular, touchstone

    names = list(flat.port_names)
    comments = [
        f"pmrf simulate: {flat.spec.name or flat.spec.source}",
        f"ports: {' '.join(names)}",
    ]
    if fmt == "hdf5":
        if output is None:
            raise UserError("HDF5 output needs a file: give -o FILE.h5")
        import jax

        from pmrf_cli import __version__
        from pmrf_cli.io.results import ResultsMeta, write_simulation

        meta = ResultsMeta(
            netlist_text=flat.spec.text, port_names=tuple(names), port_z0=z0, frequency=frequency,
            parameter_paths=tuple(params), samples=1, seed=None, precision=precision,
            pmrf_version=__version__, jax_version=jax.__version__, device=device, command=command,
        )
        check_output_path(output)
        try:
            write_simulation(output, meta, s, params)
        except OSError as e:
            raise UserError(f"{output}: cannot write: {e.strerror or e}") from None
        return

    def emit(fh):
        if fmt == "touchstone":
            touchstone.write_touchstone(fh, frequency, s, z0, comments)
        elif fmt == "csv":
            tabular.write_csv(fh, frequency, s, names)
        else:
            tabular.write_json(fh, frequency, s, names, z0, extra={"name": flat.spec.name})

    if output is None:
        import io

        buf = io.StringIO()
        emit(buf)
        sys.stdout.write(buf.getvalue())
        sys.stdout.flush()
    else:
        with atomic_output(output) as fh:
            emit(fh)


def simulate(
    netlist: str = typer.Argument(..., help="Netlist YAML file, or - for standard input."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Output file (.sNp, .h5, .csv, .json); stdout if omitted."),
    fmt: Optional[str] = typer.Option(None, "--format", help="touchstone, hdf5, csv or json (overrides the extension)."),
    sets: Optional[list[str]] = typer.Option(None, "--set", help="Override a parameter: NAME=VALUE (repeatable)."),
    freq: Optional[str] = typer.Option(None, "--freq", help="Frequency grid START:STOP:POINTS[:log], e.g. 10MHz:3GHz:1001."),
    device: str = typer.Option("cpu", "--device", help="cpu or gpu."),
    precision: str = typer.Option("double", "--precision", help="double or single."),
) -> None:
    """Simulate a netlist at its nominal values and write its S-parameters."""

    def body():
        timer = Timer()
        if precision not in ("double", "single"):
            raise UserError(f"--precision {precision!r}: use double or single")
        # everything about the input is checked before JAX is imported: bad input fails fast
        from pmrf_cli.netlist.blocks import check_blocks
        from pmrf_cli.netlist.flatten import nominal_values

        spec, flat = load(netlist, sets)
        frequency = grid_of(flat, freq)
        check_blocks(flat, frequency)
        fmt_ = output_format(output, fmt, len(flat.port_names))
        check_output_path(output)
        _check_nominal_domains(flat)
        for w in flat.warnings:
            print(str(w), file=sys.stderr)
        timer.mark("load")
        from pmrf_cli.engine import runtime

        runtime.configure(precision)
        import jax
        import numpy as np

        from pmrf_cli.engine.kernel import SweepPlan, make_kernel

        dev = runtime.select_device(device)
        timer.mark("import")
        with jax.default_device(dev):
            plan = SweepPlan(flat, frequency, seed=None)
            kernel = make_kernel(plan)
            idx = np.zeros(1, dtype=np.int64)
            compiled = kernel.lower(idx).compile() if hasattr(kernel, "lower") else kernel
            timer.mark("compile")
            values, s = compiled(idx)
            s = np.asarray(jax.block_until_ready(s))[0]
            values = {k: float(np.asarray(v)[0]) for k, v in values.items()}
        timer.mark("run")
        nominal = nominal_values(flat)
        params = {p: values.get(p, nominal[p]) for p in nominal}
        z0 = np.array([float(np.asarray(v)) for v in _port_z0(flat, params)])
        if not np.all(np.isfinite(s)):
            bad = np.unique(np.nonzero(~np.isfinite(s))[0])
            print(
                f"pmrf: warning: S is not finite at {bad.size} frequencies (first {frequency[bad[0]]:.6g} Hz): "
                "the circuit is singular there",
                file=sys.stderr,
            )
        write_result(output, fmt_, flat, frequency, s, z0, params, " ".join(sys.argv), runtime.describe(dev), precision)
        timer.mark("write")
        timer.report()

    run_command(body)


def _check_nominal_domains(flat) -> None:
    """Refuse non-physical nominal values (a negative R, a zero port z0), each at its position."""
    import numpy as np

    from pmrf_cli.netlist.build import domain_checks
    from pmrf_cli.netlist.flatten import nominal_values

    env = nominal_values(flat)
    bad = [f"{loc}: error: {label} fails at the nominal values" for label, loc, ok in domain_checks(flat) if not ok(env, np)]
    if bad:
        raise UserError("\n".join(bad))


def _port_z0(flat, params):
    from pmrf_cli.netlist.expressions import evaluate

    return [evaluate(z, params, None) for _, z in flat.ports]


def validate(
    netlist: str = typer.Argument(..., help="Netlist YAML file, or - for standard input."),
    sets: Optional[list[str]] = typer.Option(None, "--set", help="Override a parameter: NAME=VALUE (repeatable)."),
    freq: Optional[str] = typer.Option(None, "--freq", help="Frequency grid START:STOP:POINTS[:log]."),
) -> None:
    """Check a netlist as a simulation would (files, nodes, units, expressions, connectivity)."""

    def body():
        from pmrf_cli.netlist.blocks import check_blocks

        spec, flat = load(netlist, sets)
        frequency = grid_of(flat, freq)
        check_blocks(flat, frequency)
        for w in flat.warnings:
            print(str(w), file=sys.stderr)
        rnd = [p.path for p in flat.params if p.is_random]
        lines = [
            f"{spec.source}: ok",
            f"  name:       {spec.name or '-'}",
            f"  ports:      {len(flat.port_names)} ({', '.join(flat.port_names)})",
            f"  components: {len(flat.components)}",
            f"  nodes:      {len(flat.nodes)}",
            f"  parameters: {len(flat.params)} ({len(rnd)} random{': ' + ', '.join(rnd) if rnd else ''})",
            f"  frequency:  {frequency[0]:.6g} .. {frequency[-1]:.6g} Hz, {frequency.size} points",
        ]
        print("\n".join(lines))

    run_command(body)


def schema() -> None:
    """Print the JSON Schema of the netlist format."""

    def body():
        from pmrf_cli.netlist.schema import schema_text

        sys.stdout.write(schema_text())

    run_command(body)
