"""Margins as text: values in engineering units, pass or FAIL."""

from __future__ import annotations

import math
from typing import Sequence

from pmrf_cli.specs.spec import BoundSpec


def format_hz(hz: float) -> str:
    """A frequency in engineering units: `900 MHz`, `2.4 GHz`."""
    for unit, k in (("THz", 1e12), ("GHz", 1e9), ("MHz", 1e6), ("kHz", 1e3)):
        if abs(hz) >= k:
            return f"{hz / k:.6g} {unit}"
    return f"{hz:.6g} Hz"


def format_value(value: float, unit: str) -> str:
    """A margin or limit in its unit: seconds with a prefix (ps, ns, us), others as numbers."""
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else f"{value}"
    if unit == "s":
        for prefix, k in (("ps", 1e-12), ("ns", 1e-9), ("us", 1e-6), ("ms", 1e-3)):
            if abs(value) < k * 1000:
                return f"{value / k:.4g} {prefix}"
        return f"{value:.4g} s"
    return f"{value:.4g}{' ' + unit if unit else ''}"


def margins_table(specs: Sequence[BoundSpec], margins: Sequence[float], title: str = "") -> str:
    """One line per spec: name, measure, margin (>= 0 passes), pass/FAIL; then the verdict."""
    rows = []
    width = max(len(s.name) for s in specs)
    mwidth = max(len(s.measure_text) for s in specs)
    failed = 0
    for spec, m in zip(specs, margins):
        m = float(m)
        ok = m >= 0
        failed += not ok
        rows.append(f"  {spec.name:<{width}}  {spec.measure_text:<{mwidth}}  margin {format_value(m, spec.unit):>12}  "
                    f"{'pass' if ok else 'FAIL'}")
    head = f"pmrf: specs{f' of {title}' if title else ''}:"
    verdict = "all specs pass" if not failed else f"{failed} of {len(specs)} specs fail"
    return "\n".join([head, *rows, f"pmrf: {verdict}"])
