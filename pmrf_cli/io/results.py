"""The pmrf results file (HDF5), version 1: writing, resuming and reading.

The layout is the contract in ``RESULTS.md``:

* ``/frequency`` float64 (F,), ``/s`` complex128 or complex64, (F, P, P) for a simulation and
  (N, F, P, P) for a sweep, chunked along N; ``/parameters/<path>`` float64, () or (N,).
* Root attributes ``format``, ``format_version``, ``netlist``, ``port_names``, ``port_z0``,
  ``samples``, ``samples_done``, ``seed`` (sweeps only) and the provenance ``pmrf_version``,
  ``jax_version``, ``device``, ``created``, ``command``.

Crash safety of sweeps (Ctrl-C, ``kill -9``, a crash): the file appears under its name only once
it is complete and valid (built under a temporary name, then ``os.replace``). Every dataset is
allocated in full at creation (``alloc_time=early``, no resizing), so writing samples later only
overwrites raw data in place and never touches HDF5's structural metadata. Each ``write`` pushes
the data to the OS (``flush``) before it changes ``samples_done`` (in place, same type) and
flushes again; a process that dies at any point leaves a file that plain h5py opens, whose first
``samples_done`` samples are exactly what was written. SWMR is deliberately not used: a killed
SWMR writer leaves the superblock marked "open for write", and plain readers then refuse the file
until ``h5clear`` is run.

Only numpy and h5py are used here (imported lazily where it helps); no JAX.
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from pmrf_cli.io.dimensions import label_dimensions

FORMAT = "pmrf-results"
FORMAT_VERSION = 1

#: Upper bound on the size of one HDF5 chunk of ``/s``, in bytes.
MAX_CHUNK_BYTES = 4 * 1024 * 1024

#: Elements per block when statistics are computed over a parameter dataset.
_STATS_BLOCK = 1 << 20

_PROVENANCE = ("pmrf_version", "jax_version", "device", "created", "command")
_RESERVED_ATTRS = frozenset(
    {
        "format",
        "format_version",
        "netlist",
        "port_names",
        "port_z0",
        "samples",
        "samples_done",
        "seed",
        "stored",
        "precision",
        "nonfinite_samples",
        "yield",
        "yield_low",
        "yield_high",
        "yield_confidence",
        *_PROVENANCE,
    }
)
_DTYPES = {"double": np.dtype(np.complex128), "single": np.dtype(np.complex64)}

PathLike = str | os.PathLike[str]


class ResultsError(ValueError):
    """A results file is missing, malformed, or does not match what was asked for."""


@dataclass(frozen=True)
class ResultsMeta:
    """Everything a results file records besides the S-parameters and parameter values."""

    netlist_text: str
    port_names: tuple[str, ...]
    port_z0: np.ndarray  # (P,)
    frequency: np.ndarray  # (F,)
    parameter_paths: tuple[str, ...]
    samples: int
    seed: int | None  # None for simulate
    precision: str  # "double" | "single"
    pmrf_version: str
    jax_version: str
    device: str
    command: str
    extra_attrs: Mapping[str, object] = field(default_factory=dict)
    grid: Mapping[str, np.ndarray] = field(default_factory=dict)
    specs: tuple = ()  # ((name, attributes), ...): margins in /specs/<name>, /pass, yield
    yield_groups: int = 0  # G grid points with a yield each (0: one yield, shape ())
    confidence: float = 0.95  # of the Wilson interval
    store_s: bool = True  # False: --store specs, no /s

    @property
    def stored(self) -> tuple[str, ...]:
        """What the file keeps (the root attribute `stored`)."""
        kept = ("parameters",) + (("s",) if self.store_s else ())
        if self.specs:
            kept += ("specs", "pass", "yield")
        return kept + ("statistics",)

    @property
    def n_ports(self) -> int:
        """Number of ports P."""
        return len(self.port_names)

    @property
    def n_freq(self) -> int:
        """Number of frequency points F."""
        return int(np.asarray(self.frequency).shape[0])

    @property
    def dtype(self) -> np.dtype:
        """The complex dtype of ``/s``."""
        return _DTYPES[self.precision]


# --------------------------------------------------------------------------- helpers


def _h5py():
    import h5py

    return h5py


def _validate_meta(meta: ResultsMeta) -> None:
    if meta.precision not in _DTYPES:
        raise ResultsError(f"precision must be 'double' or 'single', not {meta.precision!r}")
    freq = np.asarray(meta.frequency)
    if freq.ndim != 1 or freq.size == 0:
        raise ResultsError(f"frequency must be a non-empty 1-D array, got shape {freq.shape}")
    if not meta.port_names:
        raise ResultsError("a results file needs at least one port")
    z0 = np.asarray(meta.port_z0)
    if z0.shape != (len(meta.port_names),):
        raise ResultsError(
            f"port_z0 has shape {z0.shape}, expected ({len(meta.port_names)},) for the ports"
        )
    if int(meta.samples) < 1:
        raise ResultsError(f"samples must be at least 1, got {meta.samples}")
    if len(set(meta.parameter_paths)) != len(meta.parameter_paths):
        raise ResultsError("parameter paths must be unique")
    for p in meta.parameter_paths:
        if not p or "/" in p or p in (".", ".."):
            raise ResultsError(f"invalid parameter path {p!r} for an HDF5 dataset name")
    clash = _RESERVED_ATTRS.intersection(meta.extra_attrs)
    if clash:
        raise ResultsError(f"extra attributes may not use reserved names: {sorted(clash)}")
    for name, values in meta.grid.items():
        if not name or "/" in name:
            raise ResultsError(f"invalid grid dataset name {name!r}")
        if np.shape(values) != (int(meta.samples),):
            raise ResultsError(
                f"grid dataset {name!r} has shape {np.shape(values)}, expected ({meta.samples},)"
            )


def _attr_value(value: object) -> Any:
    """Convert a Python value to something h5py stores portably as an attribute."""
    h5py = _h5py()
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return np.array(list(value), dtype=h5py.string_dtype())
    if isinstance(value, Mapping):
        raise ResultsError("attribute values may not be mappings")
    return np.asarray(value)


def _seed_value(seed: int) -> np.generic:
    return np.uint64(seed) if seed >= 2**63 else np.int64(seed)


def _write_root_attrs(f: Any, meta: ResultsMeta, samples: int, samples_done: int) -> None:
    h5py = _h5py()
    a = f.attrs
    a["format"] = FORMAT
    a["format_version"] = np.int64(FORMAT_VERSION)
    a["netlist"] = str(meta.netlist_text)
    a["port_names"] = np.array(list(meta.port_names), dtype=h5py.string_dtype())
    a["port_z0"] = np.asarray(meta.port_z0, dtype=np.float64)
    a["samples"] = np.int64(samples)
    a["samples_done"] = np.int64(samples_done)
    if meta.seed is not None:
        a["seed"] = _seed_value(int(meta.seed))
    a["pmrf_version"] = str(meta.pmrf_version)
    a["jax_version"] = str(meta.jax_version)
    a["device"] = str(meta.device)
    a["created"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    a["command"] = str(meta.command)
    for name, value in meta.extra_attrs.items():
        a[name] = _attr_value(value)


def _early_dcpl() -> Any:
    """A dataset creation property list that allocates all storage when the dataset is made."""
    h5py = _h5py()
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    return dcpl


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _build_atomically(path: Path, build: Any) -> None:
    """Run ``build(h5file)`` on a new file under a temporary name, then move it to ``path``."""
    h5py = _h5py()
    tmp = _temp_name(path)
    try:
        with h5py.File(tmp, "x") as f:
            build(f)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def sweep_chunk_samples(meta: ResultsMeta, chunk: int) -> int:
    """Samples per HDF5 chunk of ``/s``: ``min(chunk, N)``, fewer if a chunk would pass 4 MiB;
    then the largest such count that divides ``chunk`` (the samples of one write), so that
    writes cover whole HDF5 chunks and go in as raw bytes (see `SweepWriter._write_s`)."""
    sample_bytes = meta.n_freq * meta.n_ports**2 * meta.dtype.itemsize
    cap = max(1, MAX_CHUNK_BYTES // max(1, sample_bytes))
    write = max(1, min(int(chunk), int(meta.samples)))
    rows = min(write, cap)
    if rows < write:
        rows = max(d for d in range(1, rows + 1) if write % d == 0)
    return rows


# --------------------------------------------------------------------------- simulate


def write_simulation(
    path: PathLike, meta: ResultsMeta, s: np.ndarray, parameters: Mapping[str, float],
    margins: np.ndarray | None = None,
) -> None:
    """Write a single simulation, ``s`` (F, P, P), atomically to ``path`` (replacing it); with
    ``meta.specs``, its ``margins`` (one per spec) go to ``/specs/<name>`` and ``/pass``."""
    _validate_meta(meta)
    if meta.seed is not None:
        raise ResultsError("a simulation has no seed; pass seed=None")
    if int(meta.samples) != 1:
        raise ResultsError("a simulation has exactly one sample")
    s = np.asarray(s)
    expected = (meta.n_freq, meta.n_ports, meta.n_ports)
    if s.shape != expected:
        raise ResultsError(f"s has shape {s.shape}, expected {expected}")
    _check_parameter_keys(meta, parameters)

    def build(f: Any) -> None:
        _write_root_attrs(f, meta, samples=1, samples_done=1)
        f.create_dataset("frequency", data=np.asarray(meta.frequency, dtype=np.float64))
        f.create_dataset("s", data=s.astype(meta.dtype, copy=False))
        g = f.create_group("parameters", track_order=True)
        for p in meta.parameter_paths:
            g.create_dataset(p, data=np.float64(parameters[p]))
        if meta.specs:
            m = np.asarray(margins, dtype=np.float64).reshape(len(meta.specs))
            sg = f.create_group("specs", track_order=True)
            for (name, attrs), value in zip(meta.specs, m):
                ds = sg.create_dataset(name, data=np.float64(value))
                for k, v in attrs.items():
                    ds.attrs[k] = v
            with np.errstate(invalid="ignore"):
                f.create_dataset("pass", data=np.bool_((m >= 0).all()))
        _write_grid(f, meta)
        label_dimensions(f)

    _build_atomically(Path(path), build)


def _check_parameter_keys(meta: ResultsMeta, parameters: Mapping[str, object]) -> None:
    missing = [p for p in meta.parameter_paths if p not in parameters]
    extra = [p for p in parameters if p not in set(meta.parameter_paths)]
    if missing or extra:
        raise ResultsError(f"parameter values do not match the paths: missing {missing}, unknown {extra}")


def _write_grid(f: Any, meta: ResultsMeta) -> None:
    if meta.grid:
        g = f.create_group("grid", track_order=True)
        for name, values in meta.grid.items():
            g.create_dataset(name, data=np.asarray(values))


# --------------------------------------------------------------------------- sweep


class SweepWriter:
    """Streams a sweep into a results file chunk by chunk."""

    def __init__(self, file: Any, meta: ResultsMeta) -> None:
        """Wrap an open (r+) results file; use :meth:`create` or :meth:`resume` instead."""
        from pmrf_cli.io.scored import Scoring

        self._file = file
        self._meta = meta
        self._s = file["s"] if meta.store_s else None
        self._params = {p: file["parameters"][p] for p in meta.parameter_paths}
        self._samples = int(file.attrs["samples"])
        self._done = int(file.attrs["samples_done"])
        self.path = Path(file.filename)
        self.scoring = Scoring(file, meta, self._done)

    @property
    def samples_done(self) -> int:
        """How many leading samples are written and counted in the file."""
        return self._done

    @property
    def samples(self) -> int:
        """N, the number of samples the file holds once complete."""
        return self._samples

    @property
    def complete(self) -> bool:
        """True once every sample is written."""
        return self._done >= self._samples

    @classmethod
    def create(
        cls, path: PathLike, meta: ResultsMeta, chunk: int, *, overwrite: bool = False
    ) -> SweepWriter:
        """Create a new, fully allocated sweep file with ``samples_done = 0`` and open it."""
        _validate_meta(meta)
        if meta.seed is None:
            raise ResultsError("a sweep needs a seed")
        if int(chunk) < 1:
            raise ResultsError(f"chunk must be at least 1, got {chunk}")
        path = Path(path)
        if path.exists() and not overwrite:
            raise ResultsError(f"{path} exists; pass overwrite (--force) or resume it")
        n = int(meta.samples)
        f_, p_ = meta.n_freq, meta.n_ports
        hchunk = sweep_chunk_samples(meta, chunk)

        def build(f: Any) -> None:
            from pmrf_cli.io import scored

            _write_root_attrs(f, meta, samples=n, samples_done=0)
            f.attrs["stored"] = np.array(list(meta.stored), dtype=_h5py().string_dtype())
            if not meta.store_s:
                f.attrs["precision"] = meta.precision
            f.create_dataset("frequency", data=np.asarray(meta.frequency, dtype=np.float64))
            if meta.store_s:
                f.create_dataset(
                    "s",
                    shape=(n, f_, p_, p_),
                    dtype=meta.dtype,
                    chunks=(hchunk, f_, p_, p_),
                    dcpl=_early_dcpl(),
                    fill_time="never",
                )
            g = f.create_group("parameters", track_order=True)
            for p in meta.parameter_paths:
                g.create_dataset(
                    p, shape=(n,), dtype=np.float64, dcpl=_early_dcpl(), fill_time="never"
                )
            scored.create(f, meta, n)
            _write_grid(f, meta)
            label_dimensions(f)

        _build_atomically(path, build)
        return cls(_h5py().File(path, "r+"), meta)

    @classmethod
    def resume(cls, path: PathLike, meta: ResultsMeta) -> SweepWriter:
        """Reopen an interrupted sweep file after checking that it matches ``meta``."""
        _validate_meta(meta)
        f = open_results(path, "r+")
        try:
            _check_matches(f, meta, Path(path))
        except BaseException:
            f.close()
            raise
        return cls(f, meta)

    def write(
        self, start: int, s: np.ndarray | None, parameters: Mapping[str, np.ndarray],
        margins: np.ndarray | None = None, blocks: Mapping[str, np.ndarray] | None = None,
        finite: np.ndarray | None = None,
    ) -> None:
        """Write samples ``[start, start + n)``; ``start`` must equal ``samples_done``.
        ``s`` (n, F, P, P) is stored unless the file keeps no ``/s`` (then it may be None); it
        may also be a list of such arrays, consecutive parts of the n samples (a chunk as its
        cores computed it, written without joining them);
        ``margins`` (n, specs) are required when the file has specs; ``blocks`` are the
        statistics blocks of these samples (`engine.block_stats`), computed here from ``s``
        when not given; ``finite`` (n,) says which samples' S is finite (from ``s`` when not
        given), counted in the root attribute ``nonfinite_samples``. The write that completes the file also writes its yield and statistics."""
        from pmrf_cli.io.statistics import host_blocks

        if self._file is None:
            raise ResultsError("the sweep writer is closed")
        if start != self._done:
            raise ResultsError(f"writes are sequential: start is {start}, samples_done is {self._done}")
        m = self._meta
        parts = None
        if s is None:
            if m.store_s or blocks is None:
                raise ResultsError("S is needed: the file keeps /s, or no statistics blocks were given")
            n = int(np.sum(blocks["count"]))
        else:
            parts = [np.asarray(p) for p in s] if isinstance(s, (list, tuple)) else [np.asarray(s)]
            for p in parts:
                if p.ndim != 4 or p.shape[1:] != (m.n_freq, m.n_ports, m.n_ports):
                    raise ResultsError(
                        f"s has shape {p.shape}, expected (n, {m.n_freq}, {m.n_ports}, {m.n_ports})"
                    )
            n = sum(p.shape[0] for p in parts)
        if start + n > self._samples:
            raise ResultsError(f"samples [{start}, {start + n}) pass the end ({self._samples})")
        _check_parameter_keys(m, parameters)
        values = {}
        for p in m.parameter_paths:
            v = np.asarray(parameters[p], dtype=np.float64)
            if v.shape != (n,):
                raise ResultsError(f"parameter {p!r} has shape {v.shape}, expected ({n},)")
            values[p] = v
        if m.specs and (margins is None or np.shape(margins) != (n, len(m.specs))):
            raise ResultsError(f"margins must have shape ({n}, {len(m.specs)}), not {np.shape(margins)}")
        if n == 0:
            return
        self._write_data(start, n, parts, values)
        if finite is None:
            finite = (np.concatenate([np.isfinite(p).reshape(p.shape[0], -1).all(axis=1) for p in parts])
                      if parts is not None else np.ones(n, bool))
        if blocks is None:
            blocks = host_blocks(np.concatenate(parts))
        self.scoring.write(start, n, margins, blocks, finite)
        if start + n == self._samples:
            self._flush()
            self.scoring.finish()
        self._flush()
        self._commit(start + n)

    def _write_data(self, start: int, n: int, parts: list | None, values: Mapping[str, np.ndarray]) -> None:
        stop = start + n
        if self._s is not None:
            at = start
            for p in parts:
                self._write_s(at, p.astype(self._s.dtype, copy=False))
                at += p.shape[0]
        for p, v in values.items():
            self._params[p][start:stop] = v

    def _write_s(self, start: int, s: np.ndarray) -> None:
        """Write /s rows [start, start + len(s)).

        Whole HDF5 chunks go in as raw bytes (`write_direct_chunk`): the file's complex type is
        the array's own memory layout, and HDF5's compound-type conversion otherwise costs ~3x
        the disk write. Partly covered chunks take the ordinary path.
        """
        ds = self._s
        rows = ds.chunks[0]
        n_total = ds.shape[0]
        stop = start + s.shape[0]
        s = np.ascontiguousarray(s, dtype=ds.dtype)
        pos = start
        while pos < stop:
            c0 = (pos // rows) * rows
            c1 = min(c0 + rows, n_total)
            if pos == c0 and stop >= c1 and ds.compression is None and not ds.shuffle:
                block = s[pos - start : c1 - start]
                if block.shape[0] < rows:  # the dataset's last, partial chunk is stored full size
                    pad = np.zeros((rows,) + block.shape[1:], dtype=ds.dtype)
                    pad[: block.shape[0]] = block
                    block = pad
                # the array itself (a contiguous buffer): no copy of it into a bytes object
                ds.id.write_direct_chunk((c0,) + (0,) * (ds.ndim - 1), np.ascontiguousarray(block))
                pos = c1
            else:
                end = min(c1, stop)
                ds[pos:end] = s[pos - start : end - start]
                pos = end

    def _flush(self) -> None:
        self._file.flush()

    def _commit(self, done: int) -> None:
        """Record ``done`` samples (in place, same type), then flush."""
        self._file.attrs.modify("samples_done", np.int64(done))
        self._flush()
        self._done = done

    def close(self) -> None:
        """Flush and close the file (safe to call twice)."""
        if self._file is not None:
            try:
                self._file.flush()
            finally:
                self._file.close()
                self._file = None

    def __enter__(self) -> SweepWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_results(path: PathLike, mode: str = "r") -> Any:
    """Open a pmrf results file, turning h5py's errors into ResultsError."""
    h5py = _h5py()
    path = Path(path)
    if not path.exists():
        raise ResultsError(f"{path}: no such file")
    try:
        f = h5py.File(path, mode)
    except OSError as e:
        raise ResultsError(f"{path}: cannot open as HDF5 ({e})") from e
    try:
        fmt = f.attrs.get("format")
        if fmt != FORMAT:
            raise ResultsError(f"{path}: not a pmrf results file (format={fmt!r})")
        version = f.attrs.get("format_version")
        if version is None or int(version) != FORMAT_VERSION:
            raise ResultsError(f"{path}: unsupported format_version {version!r}")
        stored = [str(x) for x in f.attrs.get("stored", ["parameters", "s"])]
        for name in ("frequency", "parameters", *(["s"] if "s" in stored else [])):
            if name not in f:
                raise ResultsError(f"{path}: missing /{name}")
    except BaseException:
        f.close()
        raise
    return f


def _precision_of(dtype: np.dtype) -> str:
    for name, dt in _DTYPES.items():
        if np.dtype(dtype) == dt:
            return name
    return str(dtype)


def _check_matches(f: Any, meta: ResultsMeta, path: Path) -> None:
    a = f.attrs
    if "seed" not in a or ("s" in f and f["s"].ndim != 4):
        raise ResultsError(f"{path}: is a simulation, not a sweep; it cannot be resumed")
    stored = tuple(str(x) for x in a.get("stored", ("parameters", "s")))
    if "statistics" not in f:
        raise ResultsError(f"{path}: was written by an older pmrf (no statistics); it cannot be resumed")

    def mismatch(what: str, in_file: object, asked: object) -> ResultsError:
        return ResultsError(
            f"cannot resume {path}: the {what} differs (file: {in_file!r}, now: {asked!r})"
        )

    if a["netlist"] != meta.netlist_text:
        raise ResultsError(f"cannot resume {path}: the netlist text differs from the file's")
    if int(a["seed"]) != int(meta.seed if meta.seed is not None else -1):
        raise mismatch("seed", int(a["seed"]), meta.seed)
    if int(a["samples"]) != int(meta.samples):
        raise mismatch("number of samples", int(a["samples"]), int(meta.samples))
    freq = f["frequency"][()]
    if not np.array_equal(freq, np.asarray(meta.frequency, dtype=np.float64)):
        raise ResultsError(f"cannot resume {path}: the frequency grid differs from the file's")
    names = tuple(str(x) for x in a["port_names"])
    if names != tuple(meta.port_names):
        raise mismatch("ports", names, tuple(meta.port_names))
    z0 = np.asarray(a["port_z0"], dtype=np.float64)
    if not np.array_equal(z0, np.asarray(meta.port_z0, dtype=np.float64)):
        raise mismatch("port reference impedances", z0.tolist(), np.asarray(meta.port_z0).tolist())
    in_file = set(f["parameters"].keys())
    if in_file != set(meta.parameter_paths):
        raise mismatch("parameter paths", sorted(in_file), sorted(meta.parameter_paths))
    if stored != meta.stored:
        raise mismatch("stored datasets (--store)", list(stored), list(meta.stored))
    prec = _precision_of(f["s"].dtype) if "s" in f else a.get("precision", meta.precision)
    if prec != meta.precision:
        raise mismatch("precision", prec, meta.precision)
    grid_file = set(f["grid"].keys()) if "grid" in f else set()
    if grid_file != set(meta.grid):
        raise mismatch("grid datasets", sorted(grid_file), sorted(meta.grid))
    for name in grid_file:
        if not np.array_equal(f["grid"][name][()], np.asarray(meta.grid[name])):
            raise ResultsError(f"cannot resume {path}: grid dataset {name!r} differs from the file's")
    expected = (int(meta.samples), meta.n_freq, meta.n_ports, meta.n_ports)
    if "s" in f and f["s"].shape != expected:
        raise mismatch("shape of /s", f["s"].shape, expected)
    done = int(a["samples_done"])
    if not 0 <= done <= int(meta.samples):
        raise ResultsError(f"{path}: samples_done={done} is out of range")


# --------------------------------------------------------------------------- reading


def _stats(ds: Any, n: int) -> dict[str, float] | None:
    """Mean, std (population), min and max of ``ds[:n]`` (or of a scalar), read in blocks."""
    if ds.ndim == 0:
        v = float(ds[()])
        return {"mean": v, "std": 0.0, "min": v, "max": v}
    if n <= 0:
        return None
    count, mean, m2 = 0, 0.0, 0.0
    lo, hi = math.inf, -math.inf
    for start in range(0, n, _STATS_BLOCK):
        block = np.asarray(ds[start : min(n, start + _STATS_BLOCK)], dtype=np.float64)
        k = block.size
        bmean = float(block.mean())
        bm2 = float(((block - bmean) ** 2).sum())
        delta = bmean - mean
        total = count + k
        mean += delta * k / total
        m2 += bm2 + delta * delta * count * k / total
        count = total
        lo = min(lo, float(block.min()))
        hi = max(hi, float(block.max()))
    return {"mean": mean, "std": math.sqrt(m2 / count), "min": lo, "max": hi}


def _plain(value: Any) -> Any:
    """Attribute value as plain Python (str, int, float, list)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()] if value.ndim else _plain(value[()])
    if isinstance(value, np.generic):
        return value.item()
    return value


def _netlist_name(text: str) -> str | None:
    try:
        import yaml

        doc = yaml.safe_load(text)
    except Exception:
        return None
    if isinstance(doc, Mapping) and doc.get("name") is not None:
        return str(doc["name"])
    return None


def read_info(path: PathLike) -> dict:
    """Summarise a results file: what ``pmrf info`` prints."""
    with open_results(path) as f:
        a = f.attrs
        freq = f["frequency"]
        nf = int(freq.shape[0])
        grid = {
            "start": float(freq[0]) if nf else None,
            "stop": float(freq[nf - 1]) if nf else None,
            "points": nf,
        }
        done = int(a["samples_done"])
        sweep = "seed" in a
        info: dict[str, Any] = {
            "path": str(path),
            "kind": "sweep" if sweep else "simulate",
            "format_version": int(a["format_version"]),
            "name": _netlist_name(str(a["netlist"])),
            "ports": [str(x) for x in a["port_names"]],
            "z0": [float(x) for x in np.asarray(a["port_z0"])],
            "grid": grid,
            "samples": int(a["samples"]),
            "samples_done": done,
            "seed": int(a["seed"]) if "seed" in a else None,
            "precision": _precision_of(f["s"].dtype) if "s" in f else _plain(a.get("precision", "double")),
            "stored": [str(x) for x in a.get("stored", ("parameters", "s"))],
            "provenance": {k: _plain(a[k]) if k in a else None for k in _PROVENANCE},
            "extra": {k: _plain(v) for k, v in a.items() if k not in _RESERVED_ATTRS},
            "parameters": {p: _stats(ds, done) for p, ds in f["parameters"].items()},
        }
        if "specs" in f:
            info["specs"] = {
                name: {k: _plain(v) for k, v in ds.attrs.items() if k in ("measure", "band", "at", "min", "max", "unit")}
                for name, ds in f["specs"].items()
            }
        if "yield" in a:
            info["yield"] = {k: float(a[k]) for k in ("yield", "yield_low", "yield_high", "yield_confidence")}
    return info


def read_sample(path: PathLike, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Return ``(frequency, s (F, P, P) complex128, z0, port_names)`` of one finished sample."""
    with open_results(path) as f:
        done = int(f.attrs["samples_done"])
        if not 0 <= index < done:
            raise ResultsError(
                f"{path}: sample {index} is not available ({done} of {int(f.attrs['samples'])} done)"
            )
        if "s" not in f:
            raise ResultsError(f"{path}: keeps no S-parameters (swept with --store specs)")
        ds = f["s"]
        s = ds[index] if ds.ndim == 4 else ds[()]
        return (
            f["frequency"][()].astype(np.float64),
            np.asarray(s, dtype=np.complex128),
            np.asarray(f.attrs["port_z0"], dtype=np.float64),
            [str(x) for x in f.attrs["port_names"]],
        )


def _fmt_hz(hz: float | None) -> str:
    if hz is None:
        return "-"
    for unit, scale in (("THz", 1e12), ("GHz", 1e9), ("MHz", 1e6), ("kHz", 1e3)):
        if abs(hz) >= scale:
            return f"{hz / scale:g} {unit}"
    return f"{hz:g} Hz"


def format_info(info: dict) -> str:
    """Render :func:`read_info`'s dict as human-readable text."""
    lines: list[str] = []

    def row(label: str, value: object) -> None:
        lines.append(f"{label + ':':<14} {value}")

    row("file", info.get("path", "-"))
    if info.get("name"):
        row("name", info["name"])
    kind = info.get("kind", "-")
    if info.get("seed") is not None:
        kind += f" (seed {info['seed']})"
    row("kind", kind)
    samples, done = info.get("samples", 0), info.get("samples_done", 0)
    status = "complete" if done >= samples else "incomplete, resume with --resume"
    row("samples", f"{done} of {samples} done ({status})")
    ports = ", ".join(f"{n} ({z:g} ohm)" for n, z in zip(info.get("ports", []), info.get("z0", [])))
    row("ports", ports)
    g = info.get("grid", {})
    row("frequency", f"{_fmt_hz(g.get('start'))} to {_fmt_hz(g.get('stop'))}, {g.get('points')} points")
    row("precision", info.get("precision", "-"))
    for key, value in info.get("provenance", {}).items():
        row(key, "-" if value is None else value)
    for key, value in info.get("extra", {}).items():
        row(key, value)
    if info.get("yield"):
        y = info["yield"]
        row("yield", f"{y['yield']:.2%}, {y['yield_confidence']:.0%} interval [{y['yield_low']:.2%}, {y['yield_high']:.2%}]"
            if math.isfinite(y["yield"]) else "- (incomplete)")
    if info.get("specs"):
        row("specs", ", ".join(f"{k}: {v.get('measure')}" for k, v in info["specs"].items()))
    params = info.get("parameters", {})
    if params:
        lines.append("parameters:")
        width = max(len("path"), *(len(p) for p in params))
        lines.append(f"  {'path':<{width}}  {'mean':>12}  {'std':>12}  {'min':>12}  {'max':>12}")
        for p, st in params.items():
            if st is None:
                lines.append(f"  {p:<{width}}  {'(no samples done)':>12}")
            else:
                lines.append(
                    f"  {p:<{width}}  {st['mean']:>12.6g}  {st['std']:>12.6g}"
                    f"  {st['min']:>12.6g}  {st['max']:>12.6g}"
                )
    return "\n".join(lines)
