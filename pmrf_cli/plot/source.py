"""What a picture is drawn from: a results file (sweep or simulate) or a Touchstone file.

Sweeps are never read whole: `/s` is read in blocks of samples, only the samples asked for,
so a file far larger than memory can be plotted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pmrf_cli.plot import PlotError

#: Bytes of `/s` read at once.
BLOCK_BYTES = 64 * 1024 * 1024

_TOUCHSTONE = re.compile(r"\.s\d+p$", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    """A file to plot: its grid, ports and, for one-sample files, its S-parameters."""

    path: Path
    kind: str  # "sweep" | "simulate" | "touchstone"
    frequency: np.ndarray  # (F,) Hz
    port_names: tuple[str, ...]
    z0: np.ndarray  # (P,)
    title: str
    netlist_text: str | None = None
    samples: int = 1  # samples asked for
    done: int = 1  # leading samples that hold results
    has_s: bool = True
    s: np.ndarray | None = None  # (F, P, P) for simulate and Touchstone files

    @property
    def n_ports(self) -> int:
        """Number of ports P."""
        return len(self.port_names)

    def error(self, message: str) -> PlotError:
        """A one-line error about this file."""
        return PlotError(f"{self.path}: error: {message}")


def open_source(path: Path) -> Source:
    """Read the metadata of `path` (and the S-parameters of a one-sample file)."""
    path = Path(path)
    if not path.exists():
        raise PlotError(f"{path}: no such file")
    if path.is_dir():
        raise PlotError(f"{path}: is a directory")
    if _TOUCHSTONE.search(path.name):
        return _touchstone(path)
    return _results(path)


def _touchstone(path: Path) -> Source:
    from pmrf_cli.io.touchstone import read_touchstone

    data = read_touchstone(path)
    names = tuple(str(i + 1) for i in range(data.nports))
    return Source(path, "touchstone", data.frequency, names, data.z0, path.name, s=data.s)


def _results(path: Path) -> Source:
    import h5py

    try:
        f = h5py.File(path, "r")
    except OSError:
        raise PlotError(f"{path}: error: neither a pmrf results file (HDF5) nor a Touchstone file (.sNp)") from None
    with f:
        if f.attrs.get("format") != "pmrf-results":
            raise PlotError(f"{path}: error: not a pmrf results file (no format attribute 'pmrf-results')")
        if "frequency" not in f:
            raise PlotError(f"{path}: error: has no /frequency")
        text = str(f.attrs.get("netlist", ""))
        names = tuple(str(x) for x in f.attrs.get("port_names", ()))
        has_s = "s" in f
        sweep = ("seed" in f.attrs) or (has_s and f["s"].ndim == 4)
        samples = int(f.attrs.get("samples", 1))
        done = int(f.attrs.get("samples_done", samples))
        s = np.asarray(f["s"][()], dtype=np.complex128) if has_s and not sweep else None
        return Source(
            path,
            "sweep" if sweep else "simulate",
            np.asarray(f["frequency"][()], dtype=np.float64),
            names,
            np.asarray(f.attrs.get("port_z0", np.full(len(names), 50.0)), dtype=np.float64),
            netlist_name(text) or path.name,
            netlist_text=text,
            samples=samples,
            done=done,
            has_s=has_s,
            s=s,
        )


def netlist_name(text: str) -> str | None:
    """The netlist's `name`, if its text is YAML that has one."""
    try:
        import yaml

        doc = yaml.safe_load(text)
    except Exception:
        return None
    if isinstance(doc, dict) and doc.get("name") is not None:
        return str(doc["name"])
    return None


def evenly_spaced(n: int, cap: int) -> np.ndarray:
    """Indices of at most `cap` of `n` samples, evenly spaced, increasing (all when n <= cap)."""
    if n <= cap:
        return np.arange(n)
    return (np.arange(cap, dtype=np.int64) * n) // cap


def read_traces(
    source: Source, indices: np.ndarray, traces: Sequence[tuple[int, int]]
) -> Iterator[np.ndarray]:
    """Blocks (b, T, F) complex128 of the traces of the sweep samples `indices` (increasing)."""
    import h5py

    indices = np.asarray(indices, dtype=np.int64)
    rows, cols = [t[0] for t in traces], [t[1] for t in traces]
    with h5py.File(source.path, "r") as f:
        ds = f["s"]
        per_sample = max(1, int(np.prod(ds.shape[1:])) * ds.dtype.itemsize)
        step = max(1, BLOCK_BYTES // per_sample)
        for k in range(0, indices.size, step):
            sel = indices[k : k + step]
            if sel[-1] - sel[0] + 1 == sel.size:  # a run of consecutive samples
                block = ds[int(sel[0]) : int(sel[-1]) + 1]
            else:
                block = ds[sel]
            block = np.asarray(block, dtype=np.complex128)
            yield np.moveaxis(block[:, :, rows, cols], 1, 2)


def gather(source: Source, indices: np.ndarray, traces: Sequence[tuple[int, int]], fn) -> np.ndarray:
    """`fn` applied to each block of :func:`read_traces`, filled in: (n, T, F) float64."""
    out = np.empty((len(indices), len(traces), source.frequency.size))
    pos = 0
    for block in read_traces(source, indices, traces):
        out[pos : pos + block.shape[0]] = fn(block)
        pos += block.shape[0]
    return out
