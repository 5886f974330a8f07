"""Touchstone 1.1 / 2.0 reading and writing (plain numpy, no JAX).

Reading returns S-parameters whatever the file holds (S, Y or Z data are
accepted; Y/Z are converted to S with power waves and real reference
impedances).  Writing always produces RI S-parameters with round-trip float
formatting, as Touchstone 1.1 when all reference impedances are equal and as
Touchstone 2.0 otherwise.
"""

from __future__ import annotations

import io
import os
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Sequence, TextIO

import numpy as np

__all__ = [
    "TouchstoneData",
    "TouchstoneError",
    "parse_touchstone",
    "read_touchstone",
    "s_from_y",
    "s_from_z",
    "touchstone_extension",
    "touchstone_text",
    "write_touchstone",
]

_UNITS = {"HZ": 1.0, "KHZ": 1e3, "MHZ": 1e6, "GHZ": 1e9}
_PARAMS = ("S", "Y", "Z", "G", "H")
_FORMATS = ("DB", "MA", "RI")
_EXT_RE = re.compile(r"\.s(\d+)p$", re.IGNORECASE)
_TOKEN_RE = re.compile(r"\S+")
_KEYWORD_RE = re.compile(r"^\s*\[([^\]]*)\](.*)$")


# --------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TouchstoneData:
    """S-parameters read from a Touchstone file.

    ``frequency`` is (F,) in Hz, ``s`` is (F, P, P) with ``s[f, i, j]`` being
    S(i+1)(j+1), ``z0`` is (P,) real reference impedances in ohm.
    """

    frequency: np.ndarray
    s: np.ndarray
    z0: np.ndarray
    comments: tuple[str, ...] = ()

    @property
    def nports(self) -> int:
        """Number of ports P."""
        return int(self.s.shape[1])


class TouchstoneError(ValueError):
    """A Touchstone file could not be read; formats as ``path:line:col: error: message``."""

    def __init__(self, path: str, line: int, col: int, message: str) -> None:
        self.path = path
        self.line = line
        self.col = col
        self.message = message
        super().__init__(f"{path}:{line}:{col}: error: {message}")


# --------------------------------------------------------------------------
# Network-parameter conversions (real reference impedances, power waves)
# --------------------------------------------------------------------------


def _sqrt_z0(z0: np.ndarray, nports: int) -> np.ndarray:
    z0 = np.broadcast_to(np.asarray(z0, dtype=np.float64), (nports,))
    if not np.all(np.isfinite(z0)) or np.any(z0 <= 0):
        raise ValueError("reference impedances must be finite and positive")
    return np.sqrt(z0)


def s_from_z(z: np.ndarray, z0: np.ndarray | float) -> np.ndarray:
    """Convert Z-parameters (F, P, P) in ohm to S with real per-port z0.

    With ``zn = D Z D`` and ``D = diag(1/sqrt(z0))``: ``S = (zn + I)^-1 (zn - I)``.
    """
    z = np.asarray(z, dtype=np.complex128)
    nports = z.shape[-1]
    r = _sqrt_z0(z0, nports)
    zn = z / (r[:, None] * r[None, :])
    eye = np.eye(nports)
    return np.linalg.solve(zn + eye, zn - eye)


def s_from_y(y: np.ndarray, z0: np.ndarray | float) -> np.ndarray:
    """Convert Y-parameters (F, P, P) in siemens to S with real per-port z0.

    With ``yn = R Y R`` and ``R = diag(sqrt(z0))``: ``S = (I + yn)^-1 (I - yn)``.
    """
    y = np.asarray(y, dtype=np.complex128)
    nports = y.shape[-1]
    r = _sqrt_z0(z0, nports)
    yn = y * (r[:, None] * r[None, :])
    eye = np.eye(nports)
    return np.linalg.solve(eye + yn, eye - yn)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


@dataclass
class _Options:
    unit: float = 1e9
    param: str = "S"
    fmt: str = "MA"
    r: float = 50.0


class _Tokens:
    """Numeric data tokens with lazy (line, column) lookup for error messages."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.values: list[float] = []
        self.line_starts: list[int] = []  # index of the first token of each data line
        self.line_info: list[tuple[int, str]] = []  # (line number, text)

    def add_line(self, lineno: int, text: str) -> None:
        parts = text.split()
        if not parts:
            return
        try:
            if "_" in text:
                raise ValueError
            vals = [float(p) for p in parts]
        except ValueError:
            for m in _TOKEN_RE.finditer(text):
                tok = m.group()
                try:
                    if "_" in tok:
                        raise ValueError
                    float(tok)
                except ValueError:
                    raise TouchstoneError(
                        self.path, lineno, m.start() + 1, f"expected a number, found '{tok}'"
                    ) from None
            raise  # pragma: no cover - unreachable
        self.line_starts.append(len(self.values))
        self.line_info.append((lineno, text))
        self.values.extend(vals)

    def __len__(self) -> int:
        return len(self.values)

    def locate(self, k: int) -> tuple[int, int]:
        """(line, col) of token ``k`` (clamped to the last token)."""
        if not self.values:
            return (0, 0)
        k = min(max(k, 0), len(self.values) - 1)
        i = bisect_right(self.line_starts, k) - 1
        lineno, text = self.line_info[i]
        for n, m in enumerate(_TOKEN_RE.finditer(text)):
            if n == k - self.line_starts[i]:
                return (lineno, m.start() + 1)
        return (lineno, 0)  # pragma: no cover

    def error(self, k: int, message: str) -> TouchstoneError:
        line, col = self.locate(k)
        return TouchstoneError(self.path, line, col, message)


def _split_comment(raw: str) -> tuple[str, str | None]:
    pos = raw.find("!")
    if pos < 0:
        return raw, None
    return raw[:pos], raw[pos + 1 :].strip()


def _parse_options(text: str, lineno: int, path: str) -> _Options:
    opts = _Options()
    matches = list(_TOKEN_RE.finditer(text))
    i = 0
    # matches[0] is '#' possibly glued to the first option ("#GHz")
    toks: list[tuple[str, int]] = []
    for m in matches:
        tok, col = m.group(), m.start() + 1
        if tok.startswith("#"):
            tok, col = tok[1:], col + 1
            if not tok:
                continue
        toks.append((tok, col))
    while i < len(toks):
        tok, col = toks[i]
        up = tok.upper()
        if up in _UNITS:
            opts.unit = _UNITS[up]
        elif up in _PARAMS:
            if up in ("G", "H"):
                raise TouchstoneError(
                    path, lineno, col, f"{up}-parameter files are not supported (only S, Y, Z)"
                )
            opts.param = up
        elif up in _FORMATS:
            opts.fmt = up
        elif up == "R":
            if i + 1 >= len(toks):
                raise TouchstoneError(path, lineno, col, "option 'R' needs a reference resistance")
            val, vcol = toks[i + 1]
            try:
                opts.r = float(val)
            except ValueError:
                raise TouchstoneError(
                    path, lineno, vcol, f"expected a reference resistance after 'R', found '{val}'"
                ) from None
            if not (np.isfinite(opts.r) and opts.r > 0):
                raise TouchstoneError(path, lineno, vcol, "reference resistance must be positive")
            i += 1
        else:
            raise TouchstoneError(path, lineno, col, f"unknown option '{tok}'")
        i += 1
    return opts


def _pairs_to_complex(a: np.ndarray, b: np.ndarray, fmt: str) -> np.ndarray:
    if fmt == "RI":
        out = np.empty(a.shape, dtype=np.complex128)  # exact, keeps -0.0 and inf
        out.real = a
        out.imag = b
        return out
    mag = a if fmt == "MA" else 10.0 ** (a / 20.0)
    return mag * np.exp(1j * np.deg2rad(b))


def _to_s(
    mats: np.ndarray, opts: _Options, z0: np.ndarray, normalised: bool, path: str, line: int
) -> np.ndarray:
    """Convert (F, P, P) complex data in ``opts.param`` to S."""
    if opts.param == "S":
        return mats
    try:
        if opts.param == "Z":
            return s_from_z(mats * opts.r if normalised else mats, z0)
        return s_from_y(mats / opts.r if normalised else mats, z0)
    except np.linalg.LinAlgError:
        raise TouchstoneError(
            path, line, 0, f"{opts.param}-parameters cannot be converted to S (singular matrix)"
        ) from None


def _check_increasing(tokens: _Tokens, freq: np.ndarray, starts: np.ndarray) -> None:
    bad = np.nonzero(np.diff(freq) <= 0)[0]
    if bad.size:
        k = int(bad[0]) + 1
        raise tokens.error(
            int(starts[k]),
            "frequencies must be strictly increasing "
            f"({float(freq[k])!r} after {float(freq[k - 1])!r})",
        )


def _extension_ports(path: str) -> int | None:
    m = _EXT_RE.search(path)
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


def _canonical_layout(nports: int) -> list[list[int]]:
    """Line lengths of one record as conventionally written in Touchstone 1.1."""
    if nports <= 2:
        return [[1 + 2 * nports * nports]]
    wrapped: list[int] = []
    for _ in range(nports):
        left = nports
        while left > 0:
            wrapped.append(2 * min(4, left))
            left -= 4
    row_per_line = [2 * nports] * nports
    wrapped[0] += 1
    row_per_line[0] += 1
    return [wrapped, row_per_line]


def _noise_tail(tokens: _Tokens, start: int, starts_set: set[int] | None = None) -> bool:
    """True when tokens from ``start`` on look like a 2-port noise block.

    That is 5 values per frequency with increasing frequencies; with
    ``starts_set`` each noise frequency must also start a line.
    """
    if (len(tokens) - start) % 5:
        return False
    idx = range(start, len(tokens), 5)
    if starts_set is not None and any(k not in starts_set for k in idx):
        return False
    freqs = np.asarray(tokens.values[start::5])
    return bool(np.all(np.diff(freqs) > 0))


def _consistent(tokens: _Tokens, nports: int, starts_set: set[int]) -> bool:
    """True when the whole token stream reads cleanly as ``nports``-port 1.1 data."""
    rec = 1 + 2 * nports * nports
    n = len(tokens)
    prev = -np.inf
    for k in range(0, n, rec):
        if k not in starts_set:
            return False
        f = tokens.values[k]
        if f <= prev:
            return nports == 2 and _noise_tail(tokens, k, starts_set)
        if k + rec > n:
            return False
        prev = f
    return True


def _infer_ports(tokens: _Tokens) -> int:
    n = len(tokens)
    starts_set = set(tokens.line_starts)
    first: list[int] = []
    p = 1
    while 1 + 2 * p * p <= n:
        rec = 1 + 2 * p * p
        if rec == n or rec in starts_set:
            first.append(p)
        p += 1
    if len(first) == 1:
        return first[0]
    ok = [p for p in first if _consistent(tokens, p, starts_set)]
    if len(ok) == 1:
        return ok[0]
    if len(ok) > 1:
        bounds = tokens.line_starts + [len(tokens)]
        lengths = [b - a for a, b in zip(bounds, bounds[1:])]
        canon = [
            p for p in ok if any(lengths[: len(lay)] == lay for lay in _canonical_layout(p))
        ]
        if len(canon) == 1:
            return canon[0]
    raise tokens.error(
        0,
        "cannot determine the number of ports; use a .sNp file extension or pass nports",
    )


def _parse_v1(
    lines: list[str], path: str, nports: int | None, comments: list[str]
) -> TouchstoneData:
    opts: _Options | None = None
    tokens = _Tokens(path)
    for lineno, raw in enumerate(lines, 1):
        text, comment = _split_comment(raw)
        if comment is not None:
            comments.append(comment)
        stripped = text.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if opts is None:
                if len(tokens):
                    raise TouchstoneError(
                        path, lineno, text.find("#") + 1, "option line must precede the data"
                    )
                opts = _parse_options(text, lineno, path)
            continue  # the spec says later option lines are ignored
        if stripped.startswith("["):
            raise TouchstoneError(
                path,
                lineno,
                text.find("[") + 1,
                f"keyword {stripped.split(']')[0]}] in a Touchstone 1.1 file "
                "(Touchstone 2.0 files must start with [Version] 2.0)",
            )
        tokens.add_line(lineno, text)
    opts = opts or _Options()
    if not len(tokens):
        raise TouchstoneError(path, len(lines), 0, "no network data")
    if nports is None:
        nports = _extension_ports(path)
    if nports is None:
        nports = _infer_ports(tokens)
    rec = 1 + 2 * nports * nports
    vals = np.asarray(tokens.values, dtype=np.float64)
    n = len(vals)

    # Locate the end of the network data (2-port noise block rule).
    nrec_max = n // rec + (1 if n % rec else 0)
    starts = np.arange(nrec_max) * rec
    freq_all = vals[starts]
    end = n
    bad = np.nonzero(np.diff(freq_all) <= 0)[0]
    if bad.size:
        k = int(bad[0]) + 1
        if nports == 2 and _noise_tail(tokens, int(starts[k])):
            end = int(starts[k])
        else:
            raise tokens.error(
                int(starts[k]),
                "frequencies must be strictly increasing "
                f"({float(freq_all[k])!r} after {float(freq_all[k - 1])!r})",
            )
    if end % rec:
        last = (end // rec) * rec
        raise tokens.error(
            last,
            f"incomplete data for frequency {float(vals[last])!r}: expected {rec - 1} values "
            f"for {nports} port(s), found {end - last - 1}",
        )
    data = vals[:end].reshape(-1, rec)
    freq = data[:, 0] * opts.unit
    mats = _pairs_to_complex(data[:, 1::2], data[:, 2::2], opts.fmt).reshape(-1, nports, nports)
    if nports == 2:
        mats = mats.transpose(0, 2, 1)  # 1.1 order S11 S21 S12 S22
    z0 = np.full(nports, opts.r)
    s = _to_s(mats, opts, z0, normalised=True, path=path, line=tokens.locate(0)[0])
    return _result(freq, s, z0, comments)


def _result(freq: np.ndarray, s: np.ndarray, z0: np.ndarray, comments: list[str]) -> TouchstoneData:
    return TouchstoneData(
        frequency=np.ascontiguousarray(freq, dtype=np.float64),
        s=np.ascontiguousarray(s, dtype=np.complex128),
        z0=np.ascontiguousarray(z0, dtype=np.float64),
        comments=tuple(comments),
    )


def _int_arg(args: str, lineno: int, col: int, path: str, name: str) -> int:
    toks = args.split()
    if len(toks) != 1:
        raise TouchstoneError(path, lineno, col, f"[{name}] needs exactly one integer")
    try:
        v = int(toks[0])
    except ValueError:
        raise TouchstoneError(
            path, lineno, col, f"[{name}] needs an integer, found '{toks[0]}'"
        ) from None
    if v < 1:
        raise TouchstoneError(path, lineno, col, f"[{name}] must be positive")
    return v


def _parse_v2(
    lines: list[str], path: str, nports: int | None, comments: list[str]
) -> TouchstoneData:
    opts = _Options()
    seen_options = False
    n_ports: int | None = None
    n_freq: int | None = None
    order: str | None = None
    matrix = "FULL"
    reference: list[float] | None = None
    ref_line = 0
    tokens = _Tokens(path)
    state = "header"  # header | reference | data | noise | info | end
    data_line = 0
    for lineno, raw in enumerate(lines, 1):
        if state == "end":
            break
        text, comment = _split_comment(raw)
        if comment is not None:
            comments.append(comment)
        stripped = text.strip()
        if not stripped:
            continue
        m = _KEYWORD_RE.match(text)
        col = text.find("[") + 1
        if m is None and state == "info":
            continue
        if m is not None:
            key = " ".join(m.group(1).split()).lower()
            args = m.group(2)
            if state == "info":
                if key == "end information":
                    state = "header"
                continue
            if state == "reference":
                raise TouchstoneError(
                    path, ref_line, 0, f"[Reference] needs {n_ports} values"
                )
            if state == "noise" and key != "end":
                continue
            if key == "version":
                v = args.split()
                if not v or not v[0].startswith("2."):
                    raise TouchstoneError(path, lineno, col, "unsupported [Version]; expected 2.0")
            elif key == "number of ports":
                n_ports = _int_arg(args, lineno, col, path, "Number of Ports")
                if nports is not None and nports != n_ports:
                    raise TouchstoneError(
                        path, lineno, col,
                        f"file has {n_ports} port(s) but {nports} were requested",
                    )
            elif key == "two-port data order":
                v = args.strip()
                if v not in ("12_21", "21_12"):
                    raise TouchstoneError(
                        path, lineno, col,
                        f"[Two-Port Data Order] must be 12_21 or 21_12, found '{v}'",
                    )
                order = v
            elif key == "number of frequencies":
                n_freq = _int_arg(args, lineno, col, path, "Number of Frequencies")
            elif key == "number of noise frequencies":
                pass
            elif key == "reference":
                if n_ports is None:
                    raise TouchstoneError(path, lineno, col, "[Reference] before [Number of Ports]")
                reference, ref_line = [], lineno
                state = _add_reference(reference, args, lineno, m.start(2), n_ports, path)
            elif key == "matrix format":
                v = args.strip().upper()
                if v not in ("FULL", "LOWER", "UPPER"):
                    raise TouchstoneError(
                        path, lineno, col,
                        f"[Matrix Format] must be Full, Lower or Upper, found '{args.strip()}'",
                    )
                matrix = v
            elif key == "mixed-mode order":
                raise TouchstoneError(
                    path, lineno, col, "mixed-mode Touchstone files are not supported"
                )
            elif key == "begin information":
                state = "info"
            elif key == "network data":
                if n_ports is None:
                    raise TouchstoneError(
                        path, lineno, col, "[Network Data] before [Number of Ports]"
                    )
                state, data_line = "data", lineno
                if args.strip():
                    tokens.add_line(lineno, " " * m.start(2) + args)
            elif key == "noise data":
                state = "noise"
            elif key == "end":
                state = "end"
            else:
                raise TouchstoneError(path, lineno, col, f"unknown keyword [{m.group(1).strip()}]")
            continue
        if stripped.startswith("#"):
            if state != "header":
                raise TouchstoneError(
                    path, lineno, text.find("#") + 1, "option line must precede [Network Data]"
                )
            if not seen_options:  # later option lines are ignored, as in 1.1
                opts = _parse_options(text, lineno, path)
                seen_options = True
            continue
        if state == "reference":
            assert reference is not None and n_ports is not None
            state = _add_reference(reference, text, lineno, 0, n_ports, path)
        elif state == "data":
            tokens.add_line(lineno, text)
        elif state == "noise":
            continue
        else:
            raise TouchstoneError(
                path, lineno, len(text) - len(text.lstrip()) + 1, "data outside [Network Data]"
            )
    if state == "reference":
        raise TouchstoneError(path, ref_line, 0, f"[Reference] needs {n_ports} values")
    if n_ports is None:
        raise TouchstoneError(path, len(lines), 0, "missing [Number of Ports]")
    if n_ports == 2 and order is None and matrix == "FULL":
        raise TouchstoneError(
            path, data_line or len(lines), 0, "2-port file without [Two-Port Data Order]"
        )
    if not len(tokens):
        raise TouchstoneError(path, data_line or len(lines), 0, "no network data")

    p = n_ports
    nvals = 2 * p * p if matrix == "FULL" else p * (p + 1)
    rec = 1 + nvals
    vals = np.asarray(tokens.values, dtype=np.float64)
    n = len(vals)
    if n % rec:
        last = (n // rec) * rec
        raise tokens.error(
            last,
            f"incomplete data for frequency {float(vals[last])!r}: expected {rec - 1} values, "
            f"found {n - last - 1}",
        )
    data = vals.reshape(-1, rec)
    starts = np.arange(data.shape[0]) * rec
    _check_increasing(tokens, data[:, 0], starts)
    if n_freq is not None and n_freq != data.shape[0]:
        raise tokens.error(
            n - 1,
            f"[Number of Frequencies] is {n_freq} but the file has {data.shape[0]} frequencies",
        )
    freq = data[:, 0] * opts.unit
    values = _pairs_to_complex(data[:, 1::2], data[:, 2::2], opts.fmt)
    if matrix == "FULL":
        mats = values.reshape(-1, p, p)
        if p == 2 and order == "21_12":
            mats = mats.transpose(0, 2, 1)
    else:
        rows, cols = np.tril_indices(p) if matrix == "LOWER" else np.triu_indices(p)
        mats = np.zeros((data.shape[0], p, p), dtype=np.complex128)
        mats[:, rows, cols] = values
        mats[:, cols, rows] = values
    z0 = np.asarray(reference if reference is not None else [opts.r] * p, dtype=np.float64)
    s = _to_s(mats, opts, z0, normalised=False, path=path, line=data_line)
    return _result(freq, s, z0, comments)


def _add_reference(
    reference: list[float], text: str, lineno: int, offset: int, nports: int, path: str
) -> str:
    for m in _TOKEN_RE.finditer(text):
        col = m.start() + 1 + offset
        if len(reference) >= nports:
            raise TouchstoneError(path, lineno, col, f"[Reference] has more than {nports} values")
        try:
            v = float(m.group())
        except ValueError:
            raise TouchstoneError(
                path, lineno, col, f"expected a number in [Reference], found '{m.group()}'"
            ) from None
        if not (np.isfinite(v) and v > 0):
            raise TouchstoneError(path, lineno, col, "reference impedances must be positive")
        reference.append(v)
    return "header" if len(reference) == nports else "reference"


def parse_touchstone(
    text: str, nports: int | None = None, path: str = "<string>"
) -> TouchstoneData:
    """Parse Touchstone 1.1 or 2.0 text into S-parameters.

    The port count comes from ``nports``, else (1.1 only) a ``.sNp`` suffix of
    ``path``, else the layout of the data; [Number of Ports] in 2.0 files.
    """
    if nports is not None and nports < 1:
        raise ValueError("nports must be positive")
    lines = text.splitlines()
    if not text.strip():
        raise TouchstoneError(path, 1, 0, "empty file")
    comments: list[str] = []
    for raw in lines:
        body, _ = _split_comment(raw)
        if body.strip():
            m = _KEYWORD_RE.match(body)
            if m and " ".join(m.group(1).split()).lower() == "version":
                return _parse_v2(lines, path, nports, comments)
            break
    return _parse_v1(lines, path, nports, comments)


def read_touchstone(path: str | os.PathLike, nports: int | None = None) -> TouchstoneData:
    """Read a Touchstone file (see :func:`parse_touchstone`)."""
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError as exc:
        raise TouchstoneError(
            name, 0, 0, f"cannot read '{name}': {exc.strerror or exc}"
        ) from exc
    return parse_touchstone(text, nports=nports, path=name)


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _fmt(x: float) -> str:
    """Shortest text that reads back as the identical float64."""
    return repr(float(x))


def touchstone_extension(nports: int) -> str:
    """File extension for an ``nports``-port Touchstone 1.1 file, e.g. ``.s2p``."""
    if nports < 1:
        raise ValueError("nports must be positive")
    return f".s{nports}p"


def _validate(
    frequency: np.ndarray, s: np.ndarray, z0: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    f = np.asarray(frequency, dtype=np.float64)
    sm = np.asarray(s, dtype=np.complex128)
    if f.ndim != 1 or f.size == 0:
        raise ValueError("frequency must be a non-empty 1-D array")
    if sm.ndim != 3 or sm.shape[0] != f.size or sm.shape[1] != sm.shape[2] or sm.shape[1] < 1:
        raise ValueError(f"s must have shape (F, P, P) with F={f.size}, got {sm.shape}")
    if not np.all(np.isfinite(f)) or np.any(np.diff(f) <= 0) or f[0] < 0:
        raise ValueError("frequency must be finite, non-negative and strictly increasing")
    z = np.broadcast_to(np.asarray(z0, dtype=np.float64), (sm.shape[1],))
    if not np.all(np.isfinite(z)) or np.any(z <= 0):
        raise ValueError("z0 must be finite and positive")
    return f, sm, z


def _join(values: list[float]) -> str:
    return " ".join(map(repr, values))


def write_touchstone(
    stream: TextIO,
    frequency: np.ndarray,
    s: np.ndarray,
    z0: np.ndarray | float,
    comments: Sequence[str] = (),
) -> None:
    """Write S-parameters as Touchstone (1.1 if all z0 are equal, else 2.0), RI, Hz.

    Floats are written with round-trip precision, so reading the text back
    gives bit-identical values.
    """
    f, sm, z = _validate(frequency, s, z0)
    p = sm.shape[1]
    v2 = bool(np.any(z != z[0]))
    w = stream.write
    for c in comments:
        for line in str(c).splitlines() or [""]:
            w(f"! {line}\n" if line else "!\n")
    if v2:
        w("[Version] 2.0\n")
        w("# Hz S RI R 50\n")
        w(f"[Number of Ports] {p}\n")
        if p == 2:
            w("[Two-Port Data Order] 12_21\n")
        w(f"[Number of Frequencies] {f.size}\n")
        w("[Reference] " + " ".join(_fmt(x) for x in z) + "\n")
        w("[Network Data]\n")
    else:
        w(f"# Hz S RI R {_fmt(z[0])}\n")
    if p == 2 and not v2:
        sm = sm.transpose(0, 2, 1)  # 1.1 two-port order: S11 S21 S12 S22
    # (F, P, 2P) float view: each row is re, im, re, im, ... (exact, no rounding)
    rows = np.ascontiguousarray(sm).view(np.float64).reshape(f.size, p, 2 * p).tolist()
    for fk, mat in zip(f.tolist(), rows):
        if p <= 2:
            w(repr(fk) + " " + _join([x for row in mat for x in row]) + "\n")
            continue
        lead = repr(fk) + " "
        for row in mat:
            for k in range(0, 2 * p, 8):  # at most 4 complex values per line
                w(lead + _join(row[k : k + 8]) + "\n")
                lead = "  "
    if v2:
        w("[End]\n")


def touchstone_text(
    frequency: np.ndarray,
    s: np.ndarray,
    z0: np.ndarray | float,
    comments: Sequence[str] = (),
) -> str:
    """Return the Touchstone text that :func:`write_touchstone` would write."""
    buf = io.StringIO()
    write_touchstone(buf, frequency, s, z0, comments)
    return buf.getvalue()
