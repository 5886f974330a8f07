"""Named dimensions for results files: HDF5 dimension scales that netCDF readers (xarray) use.

``/s`` gets ``sample`` (sweeps), ``frequency`` (the scale is ``/frequency``), ``to_port`` and
``from_port`` (scales holding the port names); so do the (F, P, P) datasets of ``/statistics``.
Per-sample datasets (``/parameters/*``, ``/specs/*``, ``/grid/*``, ``/pass``) get ``sample``; a
per-grid-point ``/yield`` gets ``grid_point``. ``sample`` and ``grid_point`` are netCDF
"dimensions without a variable": their datasets are never written and take no space. Only
structure and attributes change, never data, and only when called (at a file's creation).
"""

from __future__ import annotations

from typing import Any

import numpy as np

SAMPLE = "sample"
FREQUENCY = "frequency"
TO_PORT = "to_port"
FROM_PORT = "from_port"
GRID_POINT = "grid_point"

#: Groups whose (F, P, P) datasets run over frequency and port pairs.
PER_FREQUENCY_GROUPS = ("statistics",)
#: Groups whose 1-D datasets run over the samples.
PER_SAMPLE_GROUPS = ("specs", "grid", "parameters")
#: Root datasets that run over the samples.
PER_SAMPLE_ROOT = ("pass",)
#: At most this many datasets get the ``sample`` scale: HDF5 keeps a scale's back-references in
#: one attribute, which the default file format limits to 64 KiB (about 4000 references).
MAX_SAMPLE_LABELS = 4000

# how netCDF-4 marks a dimension scale that is not a coordinate variable
_NOT_A_VARIABLE = b"This is a netCDF dimension but not a netCDF variable."


def label_dimensions(f: Any) -> None:
    """Attach dimension scales to whichever of the known datasets exist in the open file ``f``.

    Safe to call again after datasets were added: what is labelled already stays as it is.
    """
    if FREQUENCY in f:
        _coordinate(f, FREQUENCY)
        if "units" not in f[FREQUENCY].attrs:
            f[FREQUENCY].attrs["units"] = "Hz"
    if "s" in f and f["s"].ndim in (3, 4):
        _label_response(f, f["s"])
    n_freq = f[FREQUENCY].shape[0] if FREQUENCY in f else None
    for ds in _datasets(f, PER_FREQUENCY_GROUPS):
        if ds.ndim == 3 and ds.shape[0] == n_freq and ds.shape[1] == ds.shape[2]:
            _label_response(f, ds)
    samples = int(f.attrs["samples"]) if "samples" in f.attrs else None
    todo = [
        ds for ds in _per_sample(f)
        if samples is not None and ds.ndim >= 1 and ds.shape[0] == samples and len(ds.dims[0]) == 0
    ]
    scale = _phony(f, SAMPLE, samples) if todo else None
    if scale is not None:
        room = MAX_SAMPLE_LABELS - len(scale.attrs.get("REFERENCE_LIST", ()))
        for ds in todo[: max(room, 0)]:
            _attach(ds, 0, scale)
    if "yield" in f and f["yield"].ndim == 1:
        _attach(f["yield"], 0, _phony(f, GRID_POINT, f["yield"].shape[0]))


def _label_response(f: Any, ds: Any) -> None:
    """Label ([sample,] frequency, to_port, from_port) of `/s` or of a per-frequency dataset."""
    ports = ds.shape[-1]
    names = [str(x) for x in f.attrs.get("port_names", [])]
    if len(names) != ports:
        names = [str(i + 1) for i in range(ports)]
    freq = f[FREQUENCY] if FREQUENCY in f and f[FREQUENCY].shape == (ds.shape[-3],) else None
    axes = [freq, _ports(f, TO_PORT, names), _ports(f, FROM_PORT, names)]
    if ds.ndim == 4:
        axes.insert(0, _phony(f, SAMPLE, ds.shape[0]))
    for axis, scale in enumerate(axes):
        _attach(ds, axis, scale)


def _per_sample(f: Any) -> list[Any]:
    import h5py

    found = [f[name] for name in PER_SAMPLE_ROOT if name in f]
    found = [ds for ds in found if isinstance(ds, h5py.Dataset)]
    return found + _datasets(f, PER_SAMPLE_GROUPS)  # in this order: margins before parameters


def _datasets(f: Any, groups: tuple[str, ...]) -> list[Any]:
    """The datasets directly in each of `groups` (those that exist), in order."""
    import h5py

    found = []
    for group in groups:
        if group in f and isinstance(f[group], h5py.Group):
            found.extend(v for v in f[group].values() if isinstance(v, h5py.Dataset))
    return found


def _coordinate(f: Any, name: str) -> Any:
    """Make the existing dataset ``/name`` a dimension scale (a coordinate) if it is not one."""
    import h5py

    ds = f[name]
    if not h5py.h5ds.is_scale(ds.id):
        ds.make_scale(name)
    return ds


def _ports(f: Any, name: str, names: list[str]) -> Any:
    """The scale ``/name`` holding the port names (fixed-length UTF-8, netCDF ``_Encoding``)."""
    import h5py

    if name not in f:
        width = max([1, *(len(n.encode("utf-8")) for n in names)])
        dtype = h5py.string_dtype("utf-8", width)
        ds = f.create_dataset(name, data=np.array([n.encode("utf-8") for n in names], dtype=dtype))
        ds.attrs["_Encoding"] = "utf-8"
    return _coordinate(f, name)


def _phony(f: Any, name: str, size: int) -> Any:
    """The scale ``/name`` of a dimension without coordinate values (never written, no storage)."""
    import h5py

    if name not in f:
        ds = f.create_dataset(name, shape=(size,), dtype=">f4")
        ds.make_scale(_NOT_A_VARIABLE + b"%10d" % size)
    ds = f[name]
    if ds.shape != (size,) or not h5py.h5ds.is_scale(ds.id):
        return None
    return ds


def _attach(ds: Any, axis: int, scale: Any) -> None:
    if scale is not None and len(ds.dims[axis]) == 0:
        ds.dims[axis].attach_scale(scale)
