"""`--weight TERM=W` options -> a (P, P) matrix of weights on each S-term's squared error.

A term is written as in specs (SPECS.md): `Sij` with 1-based port numbers when both are below
10 (`S21`), else `S(i,j)`, where a port's node name may stand for its number (`S(out,in)`).
Terms not named weigh 1; a weight is a finite number >= 0.
"""

from __future__ import annotations

import math
import re
from typing import Sequence

import numpy as np

from pmrf_cli.fitting.parametrize import FitError

_SHORT = re.compile(r"S([1-9])([1-9])")
_LONG = re.compile(r"S\(\s*([^,()\s]+)\s*,\s*([^,()\s]+)\s*\)")


def parse_term(text: str, port_names: Sequence[str]) -> tuple[int, int]:
    """(i, j), 0-based, of an S-term such as `S21`, `S(12,1)` or `S(out,in)`."""
    p = len(port_names)
    term = text.strip()
    m = _SHORT.fullmatch(term) or _LONG.fullmatch(term)
    if m is None:
        raise FitError(f"--weight {text}: expected an S-term such as S21, S(12,1) or S(out,in)")
    out = []
    for part in m.groups():
        if part.isdigit():
            k = int(part)
            if not 1 <= k <= p:
                raise FitError(f"--weight {text}: port {k} does not exist (the circuit has {p} ports)")
            out.append(k - 1)
        elif part in port_names:
            out.append(list(port_names).index(part))
        else:
            raise FitError(f"--weight {text}: no port '{part}' (ports: {', '.join(port_names)})")
    return out[0], out[1]


def parse_weights(options: Sequence[str] | None, port_names: Sequence[str]) -> np.ndarray:
    """The (P, P) weights given by `TERM=W` options (1 where not given); a term given twice,
    or a weight that is not a finite number >= 0, is an error."""
    p = len(port_names)
    w = np.ones((p, p), dtype=np.float64)
    seen: dict[tuple[int, int], str] = {}
    for item in options or []:
        if "=" not in item:
            raise FitError(f"--weight {item}: expected TERM=W, e.g. S21=10")
        term, value = item.split("=", 1)
        ij = parse_term(term, port_names)
        if ij in seen:
            raise FitError(f"--weight {item}: the term is already weighted by --weight {seen[ij]}")
        try:
            x = float(value)
        except ValueError:
            raise FitError(f"--weight {item}: the weight must be a number") from None
        if not (math.isfinite(x) and x >= 0):
            raise FitError(f"--weight {item}: the weight must be a finite number >= 0")
        w[ij] = x
        seen[ij] = item
    if not w.any():
        raise FitError("--weight: every term has weight 0, so there is nothing to fit")
    return w


__all__ = ["parse_term", "parse_weights"]
