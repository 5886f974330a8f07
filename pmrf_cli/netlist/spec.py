"""The parsed, validated netlist, as it was written (scopes and subcircuits not yet resolved)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .errors import Loc
from .expressions import Expr, is_constant
from .units import FieldKind

DISTRIBUTIONS: tuple[str, ...] = ("uniform", "normal", "lognormal", "choice")


def frozen_map(items: Mapping | None = None) -> Mapping:
    """A read-only mapping (insertion order kept)."""
    return MappingProxyType(dict(items or {}))


@dataclass(frozen=True)
class Bound:
    """A distribution bound or spread.

    `relative`: `expr` is a fraction of the parameter's (per-sample) value, so the bound is
    `expr * value` (`std: 2%` is 0.02; `tolerance: 5%` gives min 0.95 and max 1.05).
    Otherwise `expr` is the absolute bound in SI base units.
    """

    expr: Expr
    relative: bool = False


@dataclass(frozen=True)
class DistSpec:
    """A parameter's distribution, centred on its nominal value.

    `uniform`: min and max. `normal`: std, optionally min/max (truncated, never clipped).
    `lognormal`: ln(x) ~ normal(ln(value), std), where `std.expr` is the plain fraction
    (`2%` -> 0.02) and `std.relative` is False. `choice`: equally likely `values`.
    """

    kind: str
    std: Bound | None = None
    min: Bound | None = None
    max: Bound | None = None
    values: tuple[Expr, ...] = ()
    loc: Loc | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ParamSpec:
    """A parameter: fixed (constant nominal), derived (nominal names others) or random."""

    name: str
    loc: Loc
    nominal: Expr
    distribution: DistSpec | None = None
    value_loc: Loc | None = field(default=None, compare=False)

    @property
    def is_random(self) -> bool:
        """Whether a sweep draws this parameter."""
        return self.distribution is not None

    @property
    def is_derived(self) -> bool:
        """Whether the nominal names other parameters (and there is no distribution)."""
        return self.distribution is None and not is_constant(self.nominal)

    @property
    def is_fixed(self) -> bool:
        """Whether this parameter is a constant."""
        return self.distribution is None and is_constant(self.nominal)


@dataclass(frozen=True)
class FieldValue:
    """A component field: its expression (SI base units), where it was written, and its kind."""

    expr: Expr
    loc: Loc
    kind: FieldKind


@dataclass(frozen=True)
class ComponentSpec:
    """A component or a subcircuit instance, as written (`nodes` as written, not normalised)."""

    name: str
    loc: Loc
    type: str
    nodes: tuple[str, ...]
    node_locs: tuple[Loc, ...]
    fields: Mapping[str, FieldValue] = field(default_factory=frozen_map)
    file: Path | None = None
    overrides: Mapping[str, ParamSpec] = field(default_factory=frozen_map)
    file_ports: int | None = None


@dataclass(frozen=True)
class PortSpec:
    """An external port, referenced to ground."""

    node: str
    z0: Expr
    loc: Loc


@dataclass(frozen=True)
class FrequencySpec:
    """The grid: `values` (explicit list), or start/stop/points with `scale` linear or log."""

    start: Expr | None = None
    stop: Expr | None = None
    points: Expr | None = None
    scale: str = "linear"
    values: tuple[Expr, ...] | None = None
    loc: Loc = field(default=Loc("<command line>", 1, 1), compare=False)
    locs: Mapping[str, Loc] = field(default_factory=frozen_map, compare=False)


@dataclass(frozen=True)
class SubcircuitSpec:
    """A reusable block: its port nodes, parameters and components."""

    name: str
    loc: Loc
    ports: tuple[str, ...]
    parameters: Mapping[str, ParamSpec]
    components: Mapping[str, ComponentSpec]
    port_locs: tuple[Loc, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class NetlistSpec:
    """A whole netlist file, validated."""

    name: str
    description: str
    frequency: FrequencySpec | None
    parameters: Mapping[str, ParamSpec]
    components: Mapping[str, ComponentSpec]
    ports: tuple[PortSpec, ...]
    subcircuits: Mapping[str, SubcircuitSpec]
    text: str
    source: str
    base_dir: Path
    specs: tuple = ()  # pmrf_cli.specs.spec.SpecDef, in the order written
