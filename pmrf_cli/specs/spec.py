"""What a netlist's `specs:` says (SpecDef, as written) and the same bound to a grid (BoundSpec)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from pmrf_cli.netlist.errors import Loc
from pmrf_cli.netlist.expressions import Expr
from pmrf_cli.specs.measure import MExpr, uses_group_delay


@dataclass(frozen=True)
class SpecDef:
    """One spec as written: a measure, `band` (start, stop) or `at`, and `min` and/or `max`
    (expressions over fixed parameters, in SI units; the measure's unit for min/max)."""

    name: str
    loc: Loc
    measure_text: str
    measure: MExpr
    unit: str
    band: tuple[Expr, Expr] | None = None
    at: Expr | None = None
    min: Expr | None = None
    max: Expr | None = None
    locs: Mapping[str, Loc] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, eq=False)
class BoundSpec:
    """A spec on a frequency grid: its values are the measure at grid points `index`, combined
    with `weights` (an `at` spec interpolates two points; a band takes each point as is)."""

    name: str
    measure_text: str
    measure: MExpr
    unit: str
    lo: float | None
    hi: float | None
    index: np.ndarray  # int, grid points the spec reads
    weights: np.ndarray | None  # (2,) for `at`, None for a band
    band: tuple[float, float] | None
    at: float | None
    env: Mapping[str, float]  # fixed parameters the measure names

    @property
    def needs_derivative(self) -> bool:
        """Whether the measure needs dS/df (group delay)."""
        return uses_group_delay(self.measure)

    def attrs(self) -> dict:
        """The HDF5 attributes of `/specs/<name>` (SPECS.md)."""
        out = {
            "measure": self.measure_text,
            "min": np.float64(np.nan if self.lo is None else self.lo),
            "max": np.float64(np.nan if self.hi is None else self.hi),
            "unit": self.unit,
        }
        if self.band is not None:
            out["band"] = np.asarray(self.band, dtype=np.float64)
        else:
            out["at"] = np.float64(self.at)
        return out
