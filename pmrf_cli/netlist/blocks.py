"""Touchstone blocks of a netlist: read once per process, checked against the grid (no JAX)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pmrf_cli.netlist.errors import NetlistError
from pmrf_cli.netlist.flatten import FlatComponent, FlatNetlist


@lru_cache(maxsize=64)
def _read_block(path: str, mtime: float):
    from pmrf_cli.io.touchstone import read_touchstone

    return read_touchstone(path)


def read_block_data(comp: FlatComponent):
    """The Touchstone data of a `touchstone` component (numpy only; files are read once)."""
    from pmrf_cli.io.touchstone import TouchstoneError

    path = Path(comp.file)
    try:
        return _read_block(str(path), path.stat().st_mtime)
    except FileNotFoundError:
        raise NetlistError(comp.loc, f"{comp.path}: Touchstone file not found: {path}") from None
    except TouchstoneError as e:
        raise NetlistError(comp.loc, f"{comp.path}: {e}") from None


def check_blocks(flat: FlatNetlist, frequency) -> None:
    """Read every Touchstone block and check its port count and data range against the grid
    (an error at the component otherwise). Needs no JAX."""
    import numpy as np

    f = np.asarray(frequency)
    for comp in flat.components:
        if comp.type != "touchstone":
            continue
        data = read_block_data(comp)
        if comp.file_ports is not None and data.s.shape[-1] != comp.file_ports:
            raise NetlistError(comp.loc, f"{comp.path}: {comp.file} holds {data.s.shape[-1]} ports, not {comp.file_ports}")
        fd = np.asarray(data.frequency)
        tol = 1e-9 * max(abs(fd[-1]), 1.0)
        if f.min() < fd[0] - tol or f.max() > fd[-1] + tol:
            raise NetlistError(
                comp.loc,
                f"{comp.path}: the grid {f.min():.6g}..{f.max():.6g} Hz leaves the data range "
                f"{fd[0]:.6g}..{fd[-1]:.6g} Hz of {comp.file}",
            )
