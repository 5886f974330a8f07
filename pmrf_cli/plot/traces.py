"""S-parameter trace names: `S21`, `S(2,1)`, `S(out,in)` <-> (to-port, from-port) indices."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pmrf_cli.plot import PlotError

_SHORT = re.compile(r"^[sS](\d)(\d)$")
_LONG = re.compile(r"^[sS]\(\s*([^,\s()]+)\s*,\s*([^,\s()]+)\s*\)$")


def port_index(token: str, port_names: Sequence[str]) -> int | None:
    """0-based index of a port given by 1-based number or by node name; None if there is none."""
    if token.isdigit():
        i = int(token) - 1
        return i if 0 <= i < len(port_names) else None
    return list(port_names).index(token) if token in port_names else None


def parse_trace(text: str, port_names: Sequence[str]) -> tuple[int, int] | None:
    """(i, j), 0-based, of `Sij`/`S(i,j)`/`S(name,name)`; None if it is not a trace of these ports."""
    text = text.strip()
    m = _SHORT.match(text) or _LONG.match(text)
    if m is None:
        return None
    i, j = port_index(m.group(1), port_names), port_index(m.group(2), port_names)
    return None if i is None or j is None else (i, j)


def trace_label(ij: tuple[int, int], n_ports: int) -> str:
    """The conventional name of a trace: `S21`, or `S(12,3)` past nine ports."""
    i, j = ij[0] + 1, ij[1] + 1
    return f"S{i}{j}" if n_ports < 10 else f"S({i},{j})"


def resolve_traces(
    asked: Sequence[str] | None, port_names: Sequence[str], default: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The traces named by `--trace` (repeatable, or comma-separated), else `default`."""
    if not asked:
        return list(default)
    found: list[tuple[int, int]] = []
    for item in asked:
        for text in _split(item):
            ij = parse_trace(text, port_names)
            if ij is None:
                ports = ", ".join(f"{k + 1}={n}" for k, n in enumerate(port_names))
                raise PlotError(f"--trace {text!r}: no such S-parameter (ports: {ports}); write e.g. S21 or S(out,in)")
            if ij not in found:
                found.append(ij)
    return found


def _split(item: str) -> list[str]:
    """Split `S21,S11` but not the comma inside `S(2,1)`."""
    parts, depth, cur = [], 0, ""
    for ch in item:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p for p in (x.strip() for x in parts) if p]


def default_traces(n_ports: int, kind: str = "db") -> list[tuple[int, int]]:
    """S21 and S11 (2+ ports) or S11; group delay S21 alone; a Smith chart S11 and S22."""
    if n_ports < 2:
        return [(0, 0)]
    if kind == "smith":
        return [(0, 0), (1, 1)]
    if kind == "gd":
        return [(1, 0)]
    return [(1, 0), (0, 0)]
