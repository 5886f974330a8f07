"""Spec limits that can be drawn as masks: `dB(Sij)`, `phase(Sij)`, `gd(Sij)` with min/max.

The netlist's `specs` (SPECS.md) are read from the text stored in a results file. Only measures
of that simple form are drawn; any other spec, or one that does not parse, is left out quietly
(checking specs is `pmrf validate`'s job, not the plot's).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pmrf_cli.plot.traces import parse_trace

_MEASURE = re.compile(r"^\s*(dB|phase|gd)\s*\(\s*(S\d\d|S\([^()]*\))\s*\)\s*$", re.IGNORECASE)
_KIND_OF = {"db": "db", "phase": "phase", "gd": "gd"}


@dataclass(frozen=True)
class Mask:
    """One spec limit on one trace: over `band` (Hz) or at one frequency `at`."""

    name: str
    kind: str  # db | phase | gd
    trace: tuple[int, int]
    band: tuple[float, float] | None
    at: float | None
    low: float | None  # min, in the measure's base unit (dB, degrees, seconds)
    high: float | None  # max


def masks_from_netlist(text: str | None, port_names: Sequence[str]) -> list[Mask]:
    """The drawable spec limits of a netlist's `specs` (none if it has none or is not YAML)."""
    if not text:
        return []
    try:
        import yaml

        doc = yaml.safe_load(text)
    except Exception:
        return []
    specs = doc.get("specs") if isinstance(doc, dict) else None
    if not isinstance(specs, dict):
        return []
    masks = []
    for name, body in specs.items():
        mask = _mask(str(name), body, port_names)
        if mask is not None:
            masks.append(mask)
    return masks


def _mask(name: str, body: object, port_names: Sequence[str]) -> Mask | None:
    if not isinstance(body, dict):
        return None
    m = _MEASURE.match(str(body.get("measure", "")))
    if m is None:
        return None
    kind = _KIND_OF[m.group(1).lower()]
    trace = parse_trace(m.group(2), port_names)
    if trace is None:
        return None
    try:
        band = at = None
        if "band" in body and isinstance(body["band"], (list, tuple)) and len(body["band"]) == 2:
            band = (_value(body["band"][0], "frequency"), _value(body["band"][1], "frequency"))
        elif "at" in body:
            at = _value(body["at"], "frequency")
        else:
            return None
        low = _value(body["min"], kind) if body.get("min") is not None else None
        high = _value(body["max"], kind) if body.get("max") is not None else None
    except (ValueError, TypeError):
        return None
    if low is None and high is None:
        return None
    return Mask(name, kind, trace, band, at, low, high)


def _value(raw: object, kind: str) -> float:
    """A number, or a literal with an SI prefix and the unit of `kind` (`10 MHz`, `1.5 ns`)."""
    from pmrf_cli.netlist.units import ANGLE, ATTENUATION, FREQUENCY, TIME, parse_value

    if isinstance(raw, bool):
        raise ValueError("not a number")
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        field = {"frequency": FREQUENCY, "db": ATTENUATION, "phase": ANGLE, "gd": TIME}[kind]
        value = parse_value(str(raw), field)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value
