"""Shared plumbing of the commands: user errors, atomic outputs, netlist loading, timings."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

import typer


class UserError(Exception):
    """An error in what the user gave us: printed as one line, exit code 1."""


def user_errors() -> tuple[type[BaseException], ...]:
    """The exception types that are the user's input at fault (not our bugs)."""
    from pmrf_cli.engine.runtime import DeviceError
    from pmrf_cli.io.results import ResultsError
    from pmrf_cli.io.touchstone import TouchstoneError
    from pmrf_cli.netlist.errors import NetlistError, NetlistErrors

    return (UserError, NetlistError, NetlistErrors, TouchstoneError, ResultsError, DeviceError)


def run_command(body: Callable[[], int | None]) -> None:
    """Run a command body; user errors become 'pmrf: error: ...' on stderr with exit code 1."""
    try:
        code = body()
    except KeyboardInterrupt:
        print("pmrf: interrupted", file=sys.stderr)
        raise typer.Exit(130)
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): not an error of ours
        with contextlib.suppress(Exception):
            sys.stdout = open(os.devnull, "w")
        raise typer.Exit(0)
    except Exception as exc:  # noqa: BLE001 - classified below
        if isinstance(exc, user_errors()):
            print(error_text(exc), file=sys.stderr)
            raise typer.Exit(1)
        if is_out_of_memory(exc):
            print(out_of_memory_text(exc), file=sys.stderr)
            raise typer.Exit(1)
        raise
    raise typer.Exit(code or 0)


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether `exc` is the machine running out of memory: Python's `MemoryError`, or XLA's
    RESOURCE_EXHAUSTED (a runtime error of JAX's that names the allocation it could not make)."""
    if isinstance(exc, MemoryError):
        return True
    jax = sys.modules.get("jax")  # only a program that ran JAX can raise its errors
    runtime_error = getattr(getattr(jax, "errors", None), "JaxRuntimeError", None)
    return runtime_error is not None and isinstance(exc, runtime_error) and "RESOURCE_EXHAUSTED" in str(exc)


def out_of_memory_text(exc: BaseException) -> str:
    """One line for an out-of-memory failure: what failed, and what the user can change."""
    detail = (str(exc).strip().splitlines() or [""])[0].replace("RESOURCE_EXHAUSTED: ", "")
    return ("pmrf: error: out of memory" + (f" ({detail})" if detail else "") + ": fewer samples or "
            "frequency points at once may fit (a sweep's --chunk, --memory); a sweep's finished chunks "
            "are kept (--resume)")


def error_text(exc: BaseException) -> str:
    """The lines printed for a user error: as raised when they carry a position
    (`FILE:LINE:COL: error: ...`), else prefixed with `pmrf: error: `."""
    msg = str(exc)
    if ": error: " not in msg.split("\n", 1)[0]:
        msg = f"pmrf: error: {msg}"
    return msg


def check_output_path(path: Path | None) -> None:
    """Fail early (before any work) if `path` cannot be an output file: its folder is missing,
    or it is a folder itself."""
    if path is None:
        return
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UserError(f"{path}: no such directory: {directory}")
    if path.is_dir():
        raise UserError(f"{path}: is a directory")


@contextlib.contextmanager
def atomic_output(path: Path, mode: str = "w") -> Iterator:
    """Write to a temporary file beside `path`, renamed over it only on success."""
    path = Path(path)
    check_output_path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise UserError(f"{path}: cannot write: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, mode, newline="" if "b" not in mode else None) as fh:
            yield fh
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        try:
            os.replace(tmp, path)
        except OSError as e:
            raise UserError(f"{path}: cannot write: {e.strerror or e}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_netlist_text(path: str) -> tuple[str, str]:
    """(text, source name) of a netlist path or '-' for stdin."""
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    p = Path(path)
    if not p.exists():
        raise UserError(f"{path}: no such file")
    if p.is_dir():
        raise UserError(f"{path}: is a directory, not a netlist")
    try:
        return p.read_text(encoding="utf-8"), path
    except UnicodeDecodeError as e:
        raise UserError(f"{path}:1:1: error: not UTF-8 text ({e.reason})") from None


def load(path: str, sets: list[str] | None = None):
    """Parse, apply `--set NAME=VALUE` overrides, and flatten a netlist; returns (spec, flat)."""
    from pmrf_cli.netlist import apply_overrides, flatten, parse_netlist

    text, source = read_netlist_text(path)
    base_dir = Path.cwd() if path == "-" else Path(path).resolve().parent
    spec = parse_netlist(text, source, base_dir)
    overrides = parse_sets(sets)
    if overrides:
        spec = apply_overrides(spec, overrides)
    return spec, flatten(spec)


def parse_sets(sets: list[str] | None) -> dict[str, str]:
    """`--set NAME=VALUE` options -> {NAME: VALUE} (syntax only; the netlist checks the rest)."""
    overrides = {}
    for item in sets or []:
        if "=" not in item:
            raise UserError(f"--set {item!r}: expected NAME=VALUE")
        k, v = item.split("=", 1)
        if not k.strip() or not v.strip():
            raise UserError(f"--set {item!r}: expected NAME=VALUE")
        overrides[k.strip()] = v.strip()
    return overrides


def parse_freq_option(text: str):
    """`--freq START:STOP:POINTS[:log]` -> grid in Hz."""
    import numpy as np

    from pmrf_cli.netlist.units import FREQUENCY, UnitError, parse_value

    parts = [p.strip() for p in text.split(":")]
    if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3] not in ("log", "linear", "lin")):
        raise UserError(f"--freq {text!r}: expected START:STOP:POINTS[:log], e.g. 10MHz:3GHz:1001")
    try:
        start, stop = parse_value(parts[0], FREQUENCY), parse_value(parts[1], FREQUENCY)
    except (UnitError, ValueError) as e:
        raise UserError(f"--freq {text!r}: {e}") from None
    try:
        n = int(parts[2])
    except ValueError:
        raise UserError(f"--freq {text!r}: POINTS must be an integer") from None
    if n < 1 or stop < start or (n > 1 and stop == start) or start < 0:
        raise UserError(f"--freq {text!r}: need 0 <= START <= STOP and POINTS >= 1 (START < STOP if POINTS > 1)")
    try:
        if len(parts) == 4 and parts[3] == "log":
            if start <= 0:
                raise UserError(f"--freq {text!r}: a log grid needs START > 0")
            f = np.geomspace(start, stop, n)
        else:
            f = np.linspace(start, stop, n)
    except MemoryError:
        raise UserError(f"--freq {text!r}: a grid of {n} points does not fit in memory") from None
    if n > 1:
        f[0], f[-1] = start, stop
    return f


def grid_of(flat, freq_option: str | None):
    """The frequency grid: --freq if given, else the netlist's (an error if neither)."""
    if freq_option is not None:
        return parse_freq_option(freq_option)
    if flat.frequency_hz is None:
        raise UserError(f"{flat.spec.source}: no frequency grid: add `frequency:` to the netlist or give --freq")
    return flat.frequency_hz


class Timer:
    """Named wall-clock phases, printed to stderr when PMRF_TIMINGS is set."""

    def __init__(self, start: float | None = None) -> None:
        self.t0 = start if start is not None else time.perf_counter()
        self.last = self.t0
        self.phases: dict[str, float] = {}

    def mark(self, name: str) -> None:
        """Close the phase `name` (time since the previous mark)."""
        now = time.perf_counter()
        self.phases[name] = self.phases.get(name, 0.0) + now - self.last
        self.last = now

    def report(self) -> None:
        """Print the phases when asked to (PMRF_TIMINGS=1)."""
        if os.environ.get("PMRF_TIMINGS"):
            total = self.last - self.t0
            parts = " ".join(f"{k}={v:.3f}s" for k, v in self.phases.items())
            print(f"pmrf: timings: {parts} total={total:.3f}s", file=sys.stderr)
