"""Netlist types of the component library (issue 5), registered with `netlist.types.register`.

| type | nodes | fields (optional ones take the model's default) |
|---|---|---|
| `coax` | 2 or 4 | `din`, `dout`, `length` (m); optional `er` (1), `tand` (0), `sigma` (S/m, copper), `rough` (m, 0), dielectric |
| `microstrip` | 2 or 4 | `w`, `h`, `er`, `length`; optional `t` (0), `tand`, `sigma`, `rough`, dielectric |
| `stripline` | 2 or 4 | `w`, `b`, `er`, `length`; optional `t` (0), `tand`, `sigma`, `rough`, dielectric |
| `cpw` | 2 or 4 | `w`, `s` (gap), `h`, `er`, `length`; optional `t`, `tand`, `sigma`, `rough`, `backside` (true/false), dielectric |
| `rlgc` | 2 or 4 | `R` (ohm/m), `L` (H/m), `G` (S/m), `C` (F/m), `length` |
| `coupled_tline` | 4 or 5 | `z0e`, `z0o`; then `theta_e`, `theta_o` (deg), `f0`, or `length`, `ere`, `ero` (optional `tand`, dielectric) |

"dielectric" is the optional `dielectric` (frequency-invariant or djordjevic-svensson, a static
choice) with `f_er` (Hz, 1 GHz: where `er` and `tand` hold), `f_low` (1 kHz), `f_high` (1 THz).
| `attenuator` | 2, 3 or 4 | `dB` |
| `isolator` | 2, 3 or 4 | optional `loss` (dB, 0), `isolation` (dB, infinite) |
| `circulator` | 3, 4 or 6 | optional `loss` (dB, 0), `isolation` (dB, infinite) |
| `vccs` | 4 (or 2, 3) | `gm` (S); optional `tau` (s, 0) |
| `inductor_q` / `capacitor_q` | 2 | `L` / `C`, `Q`; optional `fq` (Hz, 1 GHz), `qmode` (constant or sqrt) |

Node lists follow the engine's placement of a P-port: P nodes (every port to ground), P + 1
(every port to the last node, a common reference) or 2P (a (+, -) pair per port). Lines take 2
nodes (`[p1, p2]`, referred to ground) or 4 (`[p1+, p1-, p2+, p2-]`), like `tline`; a coupled pair
takes its ports' nodes `[a1, a2, b1, b2]` (line a in/out, line b in/out) or those and a common
reference last; a VCCS `[in+, in-, out+, out-]`, `[in, out]` (to ground) or `[in, out, common]`.

Non-numeric fields (`backside`, `qmode`, `dielectric`) are static choices (`units.FieldKind.choices`): written
literally (`backside: true`, `qmode: sqrt`), never through a parameter, since they select the
model's formulas rather than a value; a sweep cannot vary them.

Connectivity (`conduction`, for the floating-island check) follows what each placement gives
the nodal solver: P nodes join every node and ground, P + 1 join every node and the reference,
2P join each port's own pair only (a pair-placed block constrains the voltage across each pair,
never the common mode of one pair against another, so the ends of a 4-node line are not joined).
A VCCS joins nothing: its ideal input draws no current and its output is an ideal current
source (infinite impedance), so each of its nodes needs a path through other parts (a node on
a VCCS alone would leave the solver singular).
"""

from __future__ import annotations

from types import MappingProxyType

from . import units
from .types import (
    ComponentType,
    FieldGroup,
    FieldSpec,
    conduct_all,
    conduct_all_grounded,
    conduct_pairs,
    register,
)
from .units import define_kind

OHM_SPELLINGS = ("ohm", "Ohm", "\u03a9", "\u2126")

#: per-unit-length kinds of the RLGC line (plain numbers are SI per metre)
RESISTANCE_PER_LENGTH = define_kind("resistance per length", tuple(f"{u}/m" for u in OHM_SPELLINGS))
INDUCTANCE_PER_LENGTH = define_kind("inductance per length", ("H/m",))
CONDUCTANCE_PER_LENGTH = define_kind("conductance per length", ("S/m",))
CAPACITANCE_PER_LENGTH = define_kind("capacitance per length", ("F/m",))
#: static choices (not values): a YAML boolean, and the finite-Q parts' loss law
BOOLEAN = define_kind("boolean", choices=("false", "true"))
QMODE = define_kind("qmode", choices=("constant", "sqrt"))
#: the line media's dielectric model (see `models.lines.dielectric`)
DIELECTRIC = define_kind("dielectric", choices=("frequency-invariant", "djordjevic-svensson"))


def placement_conduction(nports: int):
    """The conduction of a P-port placed on P (grounded), P + 1 (common reference) or 2P (pairs) nodes."""

    def conduction(n_nodes: int, n_file_ports: int | None = None) -> tuple[tuple[int, ...], ...]:
        if n_nodes == nports:
            return conduct_all_grounded(n_nodes)
        if n_nodes == 2 * nports:
            return conduct_pairs(n_nodes)
        return conduct_all(n_nodes)

    return conduction


def conduct_none(n_nodes: int, n_file_ports: int | None = None) -> tuple[tuple[int, ...], ...]:
    """No terminal conducts to any other (an ideal controlled source)."""
    return ()


def _spec(kind, required: bool = True) -> FieldSpec:
    # optional fields have no netlist default: left out, the model's own default applies
    return FieldSpec(kind, required=required, default=None)


def _opt(kind) -> FieldSpec:
    return _spec(kind, required=False)


def _fields(**specs: FieldSpec):
    return MappingProxyType(dict(specs))


_DIELECTRIC = dict(dielectric=_opt(DIELECTRIC), f_er=_opt(units.FREQUENCY), f_low=_opt(units.FREQUENCY),
                   f_high=_opt(units.FREQUENCY))
_MATERIAL = dict(tand=_opt(units.PLAIN), sigma=_opt(units.CONDUCTIVITY), rough=_opt(units.LENGTH), **_DIELECTRIC)
_LINE_NODES = (2, 4)
_LINE = placement_conduction(2)

register(
    ComponentType(
        "coax",
        _LINE_NODES,
        _fields(din=_spec(units.LENGTH), dout=_spec(units.LENGTH), er=_opt(units.PLAIN), length=_spec(units.LENGTH), **_MATERIAL),
        conduction=_LINE,
    )
)
register(
    ComponentType(
        "microstrip",
        _LINE_NODES,
        _fields(w=_spec(units.LENGTH), h=_spec(units.LENGTH), t=_opt(units.LENGTH), er=_spec(units.PLAIN),
                length=_spec(units.LENGTH), **_MATERIAL),
        conduction=_LINE,
    )
)
register(
    ComponentType(
        "stripline",
        _LINE_NODES,
        _fields(w=_spec(units.LENGTH), b=_spec(units.LENGTH), t=_opt(units.LENGTH), er=_spec(units.PLAIN),
                length=_spec(units.LENGTH), **_MATERIAL),
        conduction=_LINE,
    )
)
register(
    ComponentType(
        "cpw",
        _LINE_NODES,
        _fields(w=_spec(units.LENGTH), s=_spec(units.LENGTH), h=_spec(units.LENGTH), t=_opt(units.LENGTH),
                er=_spec(units.PLAIN), length=_spec(units.LENGTH), **_MATERIAL, backside=_opt(BOOLEAN)),
        conduction=_LINE,
    )
)
register(
    ComponentType(
        "rlgc",
        _LINE_NODES,
        _fields(R=_spec(RESISTANCE_PER_LENGTH), L=_spec(INDUCTANCE_PER_LENGTH), G=_spec(CONDUCTANCE_PER_LENGTH),
                C=_spec(CAPACITANCE_PER_LENGTH), length=_spec(units.LENGTH)),
        conduction=_LINE,
    )
)
register(
    ComponentType(
        "coupled_tline",
        (4, 5),
        _fields(z0e=_spec(units.RESISTANCE), z0o=_spec(units.RESISTANCE), theta_e=_spec(units.ANGLE),
                theta_o=_spec(units.ANGLE), f0=_spec(units.FREQUENCY), length=_spec(units.LENGTH),
                ere=_spec(units.PLAIN), ero=_spec(units.PLAIN), tand=_opt(units.PLAIN), **_DIELECTRIC),
        groups=(
            FieldGroup("theta", frozenset({"theta_e", "theta_o", "f0"}), frozenset({"theta_e", "theta_o", "f0"})),
            FieldGroup("length", frozenset({"length", "ere", "ero", "tand", *_DIELECTRIC}),
                       frozenset({"length", "ere", "ero"})),
        ),
        conduction=placement_conduction(4),
        node_names=("a1", "a2", "b1", "b2"),
    )
)
register(
    ComponentType("attenuator", (2, 3, 4), _fields(dB=_spec(units.ATTENUATION)), conduction=_LINE)
)
_NONRECIPROCAL = dict(loss=_opt(units.ATTENUATION), isolation=_opt(units.ATTENUATION))
register(ComponentType("isolator", (2, 3, 4), _fields(**_NONRECIPROCAL), conduction=_LINE))
register(ComponentType("circulator", (3, 4, 6), _fields(**_NONRECIPROCAL), conduction=placement_conduction(3)))
register(
    ComponentType(
        "vccs",
        (2, 3, 4),
        _fields(gm=_spec(units.CONDUCTANCE), tau=_opt(units.TIME)),
        conduction=conduct_none,
        node_names=("in+", "in-", "out+", "out-"),
    )
)
_Q = dict(Q=_spec(units.PLAIN), fq=_opt(units.FREQUENCY), qmode=_opt(QMODE))
register(ComponentType("inductor_q", (2,), _fields(L=_spec(units.INDUCTANCE), **_Q)))
register(ComponentType("capacitor_q", (2,), _fields(C=_spec(units.CAPACITANCE), **_Q)))

#: the types this module adds, in registration order
LIBRARY_TYPES = (
    "coax", "microstrip", "stripline", "cpw", "rlgc", "coupled_tline", "attenuator", "isolator",
    "circulator", "vccs", "inductor_q", "capacitor_q",
)

__all__ = [
    "BOOLEAN", "DIELECTRIC", "QMODE", "RESISTANCE_PER_LENGTH", "INDUCTANCE_PER_LENGTH", "CONDUCTANCE_PER_LENGTH",
    "CAPACITANCE_PER_LENGTH", "LIBRARY_TYPES", "placement_conduction", "conduct_none",
]
