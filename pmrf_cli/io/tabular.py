"""CSV and JSON output of S-parameters (plain numpy, lossless floats).

CSV columns are ``frequency_hz`` followed by the real and imaginary part of
every S(i)(j), row-major (S11, S12, ..., S21, ...).  Ports are numbered from
1; with 10 or more ports the indices are separated by an underscore
(``S1_10_re``) so the names stay unambiguous, otherwise they are plain
(``S12_re``).  Floats are written with ``repr`` precision, so reading the
text back gives bit-identical float64 values.

JSON is one object::

    {"format": "pmrf-sparams", "frequency_hz": [...], "ports": [...],
     "z0": [...], "s_re": [[[...]]], "s_im": [[[...]]], ...extra}

with ``s_re``/``s_im`` nested (F, P, P).  Non-finite values are written as
``NaN``/``Infinity`` (accepted by Python's json module, not strict JSON).
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence, TextIO

import numpy as np

__all__ = ["JSON_FORMAT", "csv_columns", "read_csv", "read_json", "write_csv", "write_json"]

JSON_FORMAT = "pmrf-sparams"
_RESERVED = ("format", "frequency_hz", "ports", "z0", "s_re", "s_im")


def _check(frequency: Any, s: Any, port_names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    f = np.asarray(frequency, dtype=np.float64)
    sm = np.asarray(s, dtype=np.complex128)
    if f.ndim != 1:
        raise ValueError("frequency must be a 1-D array")
    if sm.ndim != 3 or sm.shape[0] != f.size or sm.shape[1] != sm.shape[2]:
        raise ValueError(f"s must have shape (F, P, P) with F={f.size}, got {sm.shape}")
    if len(port_names) != sm.shape[1]:
        raise ValueError(f"got {len(port_names)} port names for {sm.shape[1]} ports")
    return f, sm


def _complex(re_: np.ndarray, im_: np.ndarray) -> np.ndarray:
    """Exact complex array from parts (keeps -0.0 and infinities intact)."""
    out = np.empty(re_.shape, dtype=np.complex128)
    out.real = re_
    out.imag = im_
    return out


def csv_columns(nports: int) -> list[str]:
    """CSV header names for an ``nports``-port network (see module docstring)."""
    sep = "_" if nports >= 10 else ""
    cols = ["frequency_hz"]
    for i in range(1, nports + 1):
        for j in range(1, nports + 1):
            cols += [f"S{i}{sep}{j}_re", f"S{i}{sep}{j}_im"]
    return cols


def write_csv(stream: TextIO, frequency: Any, s: Any, port_names: Sequence[str]) -> None:
    """Write one CSV row per frequency; ``port_names`` must have one entry per port.

    The header uses port numbers (not names), see the module docstring.
    """
    f, sm = _check(frequency, s, port_names)
    p = sm.shape[1]
    stream.write(",".join(csv_columns(p)) + "\n")
    flat = np.empty((f.size, 1 + 2 * p * p), dtype=np.float64)
    flat[:, 0] = f
    cs = sm.reshape(f.size, -1)
    flat[:, 1::2] = cs.real
    flat[:, 2::2] = cs.imag
    for row in flat.tolist():
        stream.write(",".join(map(repr, row)) + "\n")


def read_csv(stream: TextIO) -> tuple[np.ndarray, np.ndarray]:
    """Read a file written by :func:`write_csv`; returns ``(frequency, s)``."""
    lines = [ln for ln in stream.read().splitlines() if ln.strip()]
    if not lines:
        raise ValueError("empty CSV")
    header = lines[0].split(",")
    n = len(header) - 1
    p = int(round((n / 2) ** 0.5))
    if n < 2 or 2 * p * p != n or header != csv_columns(p):
        raise ValueError("not a pmrf S-parameter CSV header")
    data = np.array([[float(x) for x in ln.split(",")] for ln in lines[1:]], dtype=np.float64)
    data = data.reshape(-1, 1 + n)
    return data[:, 0].copy(), _complex(data[:, 1::2], data[:, 2::2]).reshape(-1, p, p)


def write_json(
    stream: TextIO,
    frequency: Any,
    s: Any,
    port_names: Sequence[str],
    z0: Any,
    extra: Mapping[str, object] | None = None,
) -> None:
    """Write S-parameters as a ``pmrf-sparams`` JSON object (lossless floats).

    ``z0`` is a scalar or one value per port; ``extra`` keys are appended and
    must not clash with the standard keys.
    """
    f, sm = _check(frequency, s, port_names)
    z = np.broadcast_to(np.asarray(z0, dtype=np.float64), (sm.shape[1],))
    obj: dict[str, object] = {
        "format": JSON_FORMAT,
        "frequency_hz": f.tolist(),
        "ports": [str(n) for n in port_names],
        "z0": z.tolist(),
        "s_re": sm.real.tolist(),
        "s_im": sm.imag.tolist(),
    }
    for key, value in (extra or {}).items():
        if key in _RESERVED:
            raise ValueError(f"extra key {key!r} clashes with a standard key")
        obj[key] = value
    json.dump(obj, stream)
    stream.write("\n")


def read_json(stream: TextIO) -> dict[str, Any]:
    """Read a ``pmrf-sparams`` JSON object; ``frequency_hz``, ``z0`` and ``s`` become arrays.

    The returned dict has ``s`` (complex, F x P x P) instead of ``s_re``/``s_im``.
    """
    obj = json.load(stream)
    if not isinstance(obj, dict) or obj.get("format") != JSON_FORMAT:
        raise ValueError(f"not a {JSON_FORMAT} JSON object")
    f = np.asarray(obj["frequency_hz"], dtype=np.float64)
    re_ = np.asarray(obj.pop("s_re"), dtype=np.float64).reshape(f.size, *np.shape(obj["z0"]) * 2)
    im_ = np.asarray(obj.pop("s_im"), dtype=np.float64).reshape(re_.shape)
    obj["frequency_hz"] = f
    obj["z0"] = np.asarray(obj["z0"], dtype=np.float64)
    obj["s"] = _complex(re_, im_)
    return obj
