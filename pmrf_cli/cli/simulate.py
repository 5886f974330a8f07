"""`pmrf simulate`, `pmrf validate`, `pmrf schema`: nominal evaluations, checks, the schema.

`pmrf simulate A.yaml B.yaml ... -o DIR/` evaluates many netlists in one process, so JAX starts
once. Every netlist is checked (and every output name decided) before JAX is imported; a bad one
fails the command with its errors and nothing written. Then each is simulated and written in
turn, atomically, to DIR/<netlist stem>.sNp (or .h5, .csv, .json with --format).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import typer

from pmrf_cli.cli.common import (
    Timer,
    UserError,
    atomic_output,
    check_output_path,
    error_text,
    grid_of,
    load,
    parse_freq_option,
    parse_sets,
    run_command,
    user_errors,
)

FORMATS = ("touchstone", "hdf5", "csv", "json")
#: File extensions of the formats in a directory output (Touchstone: .sNp, N the port count).
EXTENSIONS = {"hdf5": ".h5", "csv": ".csv", "json": ".json"}
#: The stem of the output file of a netlist read from standard input (`-`) into a directory.
STDIN_STEM = "stdin"


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


def extension(fmt: str, nports: int) -> str:
    """The file extension of `fmt` for a circuit of `nports` ports (.s2p, .h5, .csv, .json)."""
    return f".s{nports}p" if fmt == "touchstone" else EXTENSIONS[fmt]


def write_result(output, fmt, flat, frequency, s, z0, params, command, device, precision, specs=(), margins=None) -> None:
    """Write one simulation in `fmt` to `output` (atomically) or stdout; an HDF5 file also
    keeps the margins of `specs` (bound specs)."""
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
        from pmrf_cli.io.scored import spec_attrs

        meta = ResultsMeta(
            netlist_text=flat.spec.text, port_names=tuple(names), port_z0=z0, frequency=frequency,
            parameter_paths=tuple(params), samples=1, seed=None, precision=precision,
            pmrf_version=__version__, jax_version=jax.__version__, device=device, command=command,
            specs=spec_attrs(specs),
        )
        check_output_path(output)
        try:
            write_simulation(output, meta, s, params, margins)
        except OSError as e:
            raise UserError(f"{output}: cannot write: {e.strerror or e}") from None
        return

    # only the writer of this format is imported
    if fmt == "touchstone":
        from pmrf_cli.io.touchstone import write_touchstone

        def emit(fh):
            write_touchstone(fh, frequency, s, z0, comments)
    elif fmt == "csv":
        from pmrf_cli.io.tabular import write_csv

        def emit(fh):
            write_csv(fh, frequency, s, names)
    else:
        from pmrf_cli.io.tabular import write_json

        def emit(fh):
            write_json(fh, frequency, s, names, z0, extra={"name": flat.spec.name})

    if output is None:
        import io

        buf = io.StringIO()
        emit(buf)
        sys.stdout.write(buf.getvalue())
        sys.stdout.flush()
    else:
        with atomic_output(output) as fh:
            emit(fh)


# --- which outputs: one file or stdout, or one file per netlist in a directory ----------------------
def _names_a_directory(output: str) -> bool:
    return output.endswith("/") or output.endswith(os.sep) or bool(os.altsep and output.endswith(os.altsep))


def output_directory(output: Optional[str], count: int) -> Optional[Path]:
    """The directory `-o` names, or None when it names a file (or is absent: stdout).

    `-o` names a directory when several netlists are given, or when it ends with a slash. The
    directory must exist, except that one ending with a slash is created (its parent must
    exist), once every netlist has passed its checks. With several netlists and no `-o` there
    is nowhere to put them (stdout holds one result)."""
    if output is None:
        if count > 1:
            raise UserError(f"{count} netlists need -o DIR: standard output holds one result")
        return None
    if output == "":
        raise UserError("-o: empty path")
    trailing = _names_a_directory(output)
    if count == 1 and not trailing:
        return None
    path = Path(output)
    if path.exists():
        if not path.is_dir():
            raise UserError(
                f"{output}: not a directory (with several netlists -o names a directory: one output file per netlist)"
            )
    elif not trailing:
        raise UserError(f"{output}: no such directory (end it with / to create it)")
    elif not path.parent.is_dir():
        raise UserError(f"{output}: no such directory: {path.parent}")
    return path


def _stem(netlist: str) -> str:
    return STDIN_STEM if netlist == "-" else Path(netlist).stem


def check_netlist_names(netlists: list[str], directory: Optional[Path], fmt: Optional[str]) -> None:
    """Standard input at most once; in a directory, no two netlists writing the same file."""
    stdin = netlists.count("-")
    if stdin > 1:
        raise UserError(f"- (standard input) is given {stdin} times: a netlist can be read from it only once")
    if directory is None:
        return
    ext = EXTENSIONS.get(fmt.lower(), ".sNp") if fmt else ".sNp"
    seen: dict[str, str] = {}
    for netlist in netlists:
        key = os.path.normcase(_stem(netlist))
        if key in seen:
            raise UserError(
                f"{seen[key]} and {netlist} would both be written to {directory / _stem(netlist)}{ext}: "
                "rename one, or simulate them separately"
            )
        seen[key] = netlist


@dataclass
class Job:
    """One netlist, checked and with its output decided, ready to simulate."""

    netlist: str
    flat: object
    frequency: object
    fmt: str
    output: Optional[Path]
    specs: tuple = ()  # bound specs (pmrf_cli.specs.spec.BoundSpec)


def prepare(netlist: str, sets, grid, fmt, output: Optional[str], directory: Optional[Path]) -> Job:
    """Load and check one netlist (no JAX) and decide its output file and format."""
    from pmrf_cli.netlist.blocks import check_blocks

    spec, flat = load(netlist, sets)
    frequency = grid if grid is not None else grid_of(flat, None)
    check_blocks(flat, frequency)
    nports = len(flat.port_names)
    if directory is None:
        path = None if output is None else Path(output)
        if path is not None and path.is_dir():
            raise UserError(f"{output}: is a directory (end it with / to write {_stem(netlist)}.* into it)")
        fmt_ = output_format(path, fmt, nports)
        if fmt_ == "hdf5" and path is None:
            raise UserError("HDF5 output needs a file: give -o FILE.h5")
        check_output_path(path)
    else:
        fmt_ = output_format(None, fmt, nports)
        path = directory / (_stem(netlist) + extension(fmt_, nports))
        if path.is_dir():
            raise UserError(f"{path}: is a directory, so {netlist} cannot be written there")
        if netlist != "-" and path.exists() and path.resolve() == Path(netlist).resolve():
            raise UserError(f"{path}: the output of {netlist} would overwrite the netlist itself")
    _check_nominal_domains(flat)
    from pmrf_cli.specs.bind import bind_specs

    return Job(netlist, flat, frequency, fmt_, path, bind_specs(flat, frequency))


def _name_the_netlist(text: str, source: str) -> str:
    """Lines of an error that do not name the netlist (a --set that does not fit it) get its name."""
    return "\n".join(ln if source in ln else f"{source}: {ln}" for ln in text.splitlines())


# --- compiling and evaluating ------------------------------------------------------------------------
def _program_key(lowered, platform: str):
    """What makes two lowered kernels the same executable: the program's bytes, its argument
    and result structure (the parameter paths), and the platform. None if it cannot be told,
    or if the program takes inputs besides the sample indices (arrays held by the kernel would
    be inputs, not part of the bytes, and sharing the executable would share them)."""
    import hashlib
    import io

    inner = getattr(lowered, "lowered", lowered)  # equinox wraps jax's Lowered
    try:
        if inner.in_tree.num_leaves != 1:
            return None
        buf = io.BytesIO()
        inner.compiler_ir("stablehlo").operation.write_bytecode(file=buf)
        key = (platform, hashlib.sha256(buf.getvalue()).hexdigest(), inner.in_tree, inner.out_tree)
        hash(key)
    except Exception:  # noqa: BLE001 - no key: compile without sharing
        return None
    return key


def compile_once(lowered, platform: str, compiled: dict, points: int | None = None):
    """Compile with pmrf's XLA options (`engine.compiled`) for a program of `points` (sample,
    frequency) points, once per distinct program in this process: netlists that lower to the
    same program share one executable (the persistent compilation cache shares it across runs)."""
    from pmrf_cli.engine.compiled import compile_lowered

    key = _program_key(lowered, platform)
    if key is not None and key in compiled:
        return compiled[key]
    exe = compile_lowered(lowered, platform, points)
    if key is not None:
        compiled[key] = exe
    return exe


def evaluate_job(job: Job, dev, compiled: dict, timer: Timer, sets=None, precision: str = "double"):
    """S (F, P, P), the parameter values {path: float} and the spec margins (or None) of one
    netlist at its nominal values."""
    import jax
    import numpy as np

    from pmrf_cli.engine import program_cache
    from pmrf_cli.engine.kernel import SweepPlan, make_kernel, sweep_points
    from pmrf_cli.engine.runtime import describe
    from pmrf_cli.netlist.flatten import nominal_values

    with jax.default_device(dev):
        plan = SweepPlan(job.flat, job.frequency, seed=None, specs=job.specs)
        # one sample: tiles (which keep a large chunk's intermediates in cache) have nothing to
        # split here, and without them the nominal build that decides the tiling is skipped
        idx = np.zeros(1, dtype=np.int64)
        # a warm run loads the traced program instead of building and tracing the models
        key = program_cache.program_key(
            "simulate", *program_cache.netlist_parts(job.flat, sets, job.frequency), precision, describe(dev)
        )
        kernel = program_cache.kernel(key, lambda: make_kernel(plan, tile_points=None), idx, dev.platform)
        # one sample: a small program, compiled for its size (`engine.compiled`)
        exe = compile_once(kernel.lower(idx), dev.platform, compiled, sweep_points(plan))
        timer.mark("compile")
        out = jax.block_until_ready(exe(idx))
        s = np.asarray(out["s"])[0]
        values = {k: float(np.asarray(v)[0]) for k, v in out["values"].items()}
        margins = np.asarray(out["margins"])[0] if "margins" in out else None
    timer.mark("run")
    nominal = nominal_values(job.flat)
    params = {p: values.get(p, nominal[p]) for p in nominal}
    return s, params, margins


def simulate(
    netlists: list[str] = typer.Argument(
        ..., metavar="NETLIST", help="Netlist YAML files; - reads one from standard input."
    ),
    output: Optional[str] = typer.Option(
        None, "-o", "--output", metavar="PATH",
        help="Output file (.sNp, .h5, .csv, .json); stdout if omitted. With several netlists, or "
        "ending in /, a directory (DIR/ is created) that gets DIR/<netlist stem>.sNp (or .h5 ...).",
    ),
    fmt: Optional[str] = typer.Option(None, "--format", help="touchstone, hdf5, csv or json (overrides the extension)."),
    sets: Optional[list[str]] = typer.Option(None, "--set", help="Override a parameter: NAME=VALUE (repeatable)."),
    freq: Optional[str] = typer.Option(None, "--freq", help="Frequency grid START:STOP:POINTS[:log], e.g. 10MHz:3GHz:1001."),
    device: str = typer.Option("cpu", "--device", help="cpu or gpu."),
    precision: str = typer.Option("double", "--precision", help="double or single."),
) -> None:
    """Simulate netlists at their nominal values and write their S-parameters."""

    def body():
        timer = Timer()
        # everything about the input is checked before JAX is imported: bad input fails fast,
        # and a bad netlist among many fails the command before any output is written
        if precision not in ("double", "single"):
            raise UserError(f"--precision {precision!r}: use double or single")
        if device.lower() not in ("cpu", "gpu"):
            raise UserError(f"unknown device {device!r} (use cpu or gpu)")
        if fmt and fmt.lower() not in FORMATS:
            raise UserError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
        directory = output_directory(output, len(netlists))
        check_netlist_names(netlists, directory, fmt)
        parse_sets(sets)
        grid = parse_freq_option(freq) if freq is not None else None
        jobs, errors = [], []
        for netlist in netlists:
            try:
                jobs.append(prepare(netlist, sets, grid, fmt, output, directory))
            except Exception as exc:  # noqa: BLE001 - user errors are collected, the rest raised
                if not isinstance(exc, user_errors()):
                    raise
                text = error_text(exc)
                errors.append(text if len(netlists) == 1 else _name_the_netlist(text, _source(netlist)))
        if errors:
            raise UserError("\n".join(errors))
        for job in jobs:
            for w in job.flat.warnings:
                print(str(w), file=sys.stderr)
        timer.mark("load")
        from pmrf_cli.engine import runtime

        runtime.configure(precision)
        import numpy as np

        import pmrf_cli.engine.kernel  # noqa: F401 - imported here so that its cost counts as import

        dev = runtime.select_device(device)
        timer.mark("import")
        if directory is not None and not directory.exists():
            try:
                directory.mkdir()
            except OSError as e:
                raise UserError(f"{output}: cannot create the directory: {e.strerror or e}") from None
        command, described = " ".join(sys.argv), runtime.describe(dev)
        compiled: dict = {}
        for job in jobs:
            s, params, margins = evaluate_job(job, dev, compiled, timer, sets, precision)
            z0 = np.array([float(np.asarray(v)) for v in _port_z0(job.flat, params)])
            if not np.all(np.isfinite(s)):
                raise UserError(_not_finite(job, s))
            write_result(job.output, job.fmt, job.flat, job.frequency, s, z0, params, command, described, precision,
                         job.specs, margins)
            if job.specs:
                from pmrf_cli.specs.report import margins_table

                title = job.flat.spec.name or job.flat.spec.source
                print(margins_table(job.specs, margins, title), file=sys.stderr if job.output is None else sys.stdout)
            timer.mark("write")
        timer.report()

    run_command(body)


def _not_finite(job, s) -> str:
    """The error for S that is not finite somewhere: never written to a results file."""
    import numpy as np

    bad = np.unique(np.nonzero(~np.isfinite(s))[0])
    first = job.frequency[bad[0]]
    why = ("at 0 Hz a node that floats at DC (between capacitors) drives a controlled source, whose output "
           "is then undefined; start the grid above 0 Hz" if first == 0 else "the circuit is singular there")
    return (f"{job.flat.spec.source}: S is not finite at {bad.size} frequencies (first {first:.6g} Hz): "
            f"{why}; no results written")


def _source(netlist: str) -> str:
    """How errors name a netlist: its path as given, `<stdin>` for `-`."""
    return "<stdin>" if netlist == "-" else netlist


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
        from pmrf_cli.specs.bind import bind_specs

        specs = bind_specs(flat, frequency)
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
        if specs:
            lines.append(f"  specs:      {len(specs)} ({', '.join(b.name for b in specs)})")
        print("\n".join(lines))

    run_command(body)


def schema() -> None:
    """Print the JSON Schema of the netlist format."""

    def body():
        from pmrf_cli.netlist.schema import schema_text

        sys.stdout.write(schema_text())

    run_command(body)
