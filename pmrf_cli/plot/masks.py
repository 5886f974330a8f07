"""Spec limits that can be drawn as masks: `dB(term)`, `phase(term)`, `gd(term)` with min/max.

The netlist's `specs` (SPECS.md) are read from the text stored in a results file with the
netlist's own parser and bound to the grid as a sweep binds them (`specs.bind`), so limits
written as expressions of fixed parameters are drawn too. Only measures of that simple form are
drawn; any other spec, or a netlist that no longer loads (a Touchstone file moved, say), is left
out quietly (checking specs is `pmrf validate`'s job, not the plot's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_KIND_OF = {"dB": "db", "phase": "phase", "gd": "gd"}


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


def masks_from_netlist(
    text: str | None, port_names: Sequence[str], frequency: np.ndarray | None = None, base_dir: Path | None = None
) -> list[Mask]:
    """The drawable spec limits of a netlist's `specs` on `frequency` (default: the netlist's
    grid); none if it has none or does not load. `base_dir` resolves Touchstone paths."""
    if not text:
        return []
    from pmrf_cli.cli.common import user_errors
    from pmrf_cli.netlist import flatten, parse_netlist
    from pmrf_cli.specs.bind import bind_specs
    from pmrf_cli.specs.measure import MeasureCall, Term

    try:
        flat = flatten(parse_netlist(text, "<stored netlist>", base_dir))
        grid = flat.frequency_hz if frequency is None else frequency
        specs = bind_specs(flat, grid) if grid is not None else ()
    except user_errors():
        return []
    masks = []
    for spec in specs:
        m = spec.measure
        if isinstance(m, MeasureCall) and m.func in _KIND_OF and isinstance(m.arg, Term):
            if m.arg.to < len(port_names) and m.arg.frm < len(port_names):
                masks.append(Mask(spec.name, _KIND_OF[m.func], (m.arg.to, m.arg.frm), spec.band, spec.at, spec.lo, spec.hi))
    return masks
