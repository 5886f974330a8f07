"""The component types, as data: add a type by calling `register` with a ComponentType."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

from . import units
from .units import FieldKind

#: Terminal index meaning "ground" in a conduction group.
GROUND = -1

#: conduction(n_nodes, n_file_ports) -> groups of terminal indices joined by a conducting path
Conduction = Callable[[int, "int | None"], tuple[tuple[int, ...], ...]]


@dataclass(frozen=True)
class FieldSpec:
    """One field of a component type: its kind, whether it must be given, and its default."""

    kind: FieldKind
    required: bool = True
    default: float | None = None


@dataclass(frozen=True)
class FieldGroup:
    """One alternative form of a type's fields (e.g. tline's `length` form or `theta` form).

    Fields that belong to some group may only be given from one group; `required` lists the
    fields that form needs.
    """

    name: str
    fields: frozenset[str]
    required: frozenset[str]


def conduct_all(n_nodes: int, n_file_ports: int | None = None) -> tuple[tuple[int, ...], ...]:
    """Every terminal conducts to every other."""
    return (tuple(range(n_nodes)),)


def conduct_all_grounded(n_nodes: int, n_file_ports: int | None = None) -> tuple[tuple[int, ...], ...]:
    """Every terminal conducts to every other and to ground."""
    return (tuple(range(n_nodes)) + (GROUND,),)


def conduct_pairs(n_nodes: int, n_file_ports: int | None = None) -> tuple[tuple[int, ...], ...]:
    """Terminals (0, 1), (2, 3), ... conduct in pairs only (a transformer's windings)."""
    return tuple((i, i + 1) for i in range(0, n_nodes - 1, 2))


@dataclass(frozen=True)
class ComponentType:
    """A built-in component type.

    `node_counts` is the allowed node counts, or a function of the Touchstone file's port
    count for types that read one. `groups` are alternative field forms (see FieldGroup).
    """

    name: str
    node_counts: tuple[int, ...] | Callable[[int], tuple[int, ...]]
    fields: Mapping[str, FieldSpec]
    groups: tuple[FieldGroup, ...] = ()
    conduction: Conduction = conduct_all
    node_names: tuple[str, ...] = field(default=())

    def allowed_node_counts(self, n_file_ports: int | None = None) -> tuple[int, ...]:
        """The node counts this type accepts."""
        if callable(self.node_counts):
            if n_file_ports is None:
                return ()
            return tuple(self.node_counts(n_file_ports))
        return tuple(self.node_counts)

    @property
    def file_field(self) -> str | None:
        """The name of this type's file field, if it has one."""
        for name, spec in self.fields.items():
            if spec.kind.is_file:
                return name
        return None


_REGISTRY: dict[str, ComponentType] = {}


def register(component_type: ComponentType) -> ComponentType:
    """Add (or replace) a component type; returns it."""
    _REGISTRY[component_type.name] = component_type
    return component_type


def get_type(name: str) -> ComponentType | None:
    """The registered type called `name`, or None."""
    return _REGISTRY.get(name)


def type_names() -> tuple[str, ...]:
    """The names of all registered types, in registration order."""
    return tuple(_REGISTRY)


def registry() -> Mapping[str, ComponentType]:
    """A read-only view of the registry."""
    return MappingProxyType(_REGISTRY)


def _two_terminal(name: str, field_name: str, kind: FieldKind) -> ComponentType:
    return ComponentType(name, (2,), MappingProxyType({field_name: FieldSpec(kind)}))


def _tline_conduction(n_nodes: int, n_file_ports: int | None = None) -> tuple[tuple[int, ...], ...]:
    # 4 nodes: a pure differential line fixes the voltage across each end's pair, never the
    # common mode of one end against the other, so each pair needs its own path to ground
    return conduct_all_grounded(n_nodes) if n_nodes == 2 else conduct_pairs(n_nodes)


def _touchstone_conduction(n_nodes: int, n_file_ports: int | None = None) -> tuple[tuple[int, ...], ...]:
    if n_file_ports is not None and n_nodes == n_file_ports:
        return conduct_all_grounded(n_nodes)
    return conduct_all(n_nodes)


register(_two_terminal("resistor", "R", units.RESISTANCE))
register(_two_terminal("inductor", "L", units.INDUCTANCE))
register(_two_terminal("capacitor", "C", units.CAPACITANCE))
register(
    ComponentType(
        "tline",
        (2, 4),
        MappingProxyType(
            {
                "z0": FieldSpec(units.RESISTANCE),
                "length": FieldSpec(units.LENGTH),
                "er": FieldSpec(units.PLAIN, required=False, default=1.0),
                "loss": FieldSpec(units.LOSS, required=False, default=0.0),
                "theta": FieldSpec(units.ANGLE),
                "f0": FieldSpec(units.FREQUENCY),
            }
        ),
        groups=(
            FieldGroup("length", frozenset({"length", "er", "loss"}), frozenset({"length"})),
            FieldGroup("theta", frozenset({"theta", "f0"}), frozenset({"theta", "f0"})),
        ),
        conduction=_tline_conduction,
    )
)
register(
    ComponentType(
        "transformer",
        (4,),
        MappingProxyType({"n": FieldSpec(units.PLAIN)}),
        conduction=conduct_pairs,
        node_names=("p1+", "p1-", "p2+", "p2-"),
    )
)
register(
    ComponentType(
        "touchstone",
        lambda n: (n, n + 1),
        MappingProxyType({"file": FieldSpec(units.FILE)}),
        conduction=_touchstone_conduction,
    )
)


class TouchstoneError(ValueError):
    """A Touchstone file's port count cannot be read."""


_SNP = re.compile(r"\.s(\d+)p$", re.IGNORECASE)
_NPORTS = re.compile(r"^\s*\[number of ports\]\s+(\d+)", re.IGNORECASE | re.MULTILINE)


def touchstone_port_count(path: Path) -> int:
    """The port count of a Touchstone file: from a `.sNp` extension, else a v2 `[Number of Ports]`."""
    m = _SNP.search(path.name)
    if m is not None and int(m.group(1)) > 0:
        return int(m.group(1))
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise TouchstoneError(f"cannot read Touchstone file {path}: {exc.strerror}") from None
    m = _NPORTS.search(head)
    if m is not None and int(m.group(1)) > 0:
        return int(m.group(1))
    raise TouchstoneError(f"cannot tell the port count of {path}: expected a .sNp name or a [Number of Ports] line")


# the component library registers its types on import (kept in its own module)
from . import library_types  # noqa: E402,F401
