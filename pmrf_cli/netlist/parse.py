"""Netlist text -> validated NetlistSpec (per NETLIST.md); several errors are reported at once."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Iterable, Mapping

from . import units
from .errors import ErrorSink, Loc, NetlistError
from .expressions import IDENTIFIER, RESERVED, Binary, Expr, Num, free_names, name_nodes, parse_expression
from .spec import (
    DISTRIBUTIONS,
    Bound,
    ComponentSpec,
    DistSpec,
    FieldValue,
    FrequencySpec,
    NetlistSpec,
    ParamSpec,
    PortSpec,
    SubcircuitSpec,
    frozen_map,
)
from .types import ComponentType, TouchstoneError, get_type, touchstone_port_count, type_names
from .units import FieldKind, UnitError
from .yaml_loader import YMap, YNode, YScalar, YSeq, load_yaml, node_kind

TOP_KEYS = ("name", "description", "frequency", "parameters", "components", "ports", "subcircuits", "specs")
SUBCIRCUIT_KEYS = ("description", "ports", "parameters", "components")
PARAM_KEYS = ("value", "tolerance", "distribution", "std", "min", "max", "values")
PORT_KEYS = ("node", "z0")
FREQUENCY_KEYS = ("start", "stop", "points", "scale", "values")
GROUND_NAMES = frozenset({"gnd", "0"})
DEFAULT_Z0 = 50.0

#: per distribution: (keys it needs, keys it allows)
_DIST_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uniform": (("min", "max"), ("min", "max")),
    "normal": (("std",), ("std", "min", "max")),
    "lognormal": (("std",), ("std",)),
    "choice": (("values",), ("values",)),
}


def is_ground(node: str) -> bool:
    """Whether a node name as written means ground (`gnd` or `0`)."""
    return node in GROUND_NAMES


def _unknown_key(key: YScalar, allowed: Iterable[str], what: str) -> str:
    return f"unknown key '{key.text}' in {what} (allowed: {', '.join(allowed)})"


class _Parser:
    """One pass over one netlist; errors go to `sink`."""

    def __init__(self, source: str, base_dir: Path) -> None:
        self.source = source
        self.base_dir = base_dir
        self.sink = ErrorSink()
        self.touched: set[str] = set()

    # -- helpers ---------------------------------------------------------------------------

    def error(self, loc: Loc, message: str) -> None:
        self.sink.add(loc, message)

    def mapping(self, node: YNode, what: str) -> YMap | None:
        if isinstance(node, YMap):
            return node
        self.error(node.loc, f"{what} must be a mapping, not {node_kind(node)}")
        return None

    def text(self, node: YNode, what: str) -> str | None:
        if isinstance(node, YScalar) and node.value is not None and not isinstance(node.value, (dict, list)):
            return node.text
        self.error(node.loc, f"{what} must be text, not {node_kind(node) if not isinstance(node, YScalar) else 'empty'}")
        return None

    def node_name(self, node: YNode, what: str) -> str | None:
        if isinstance(node, YScalar) and node.value is not None and node.text != "":
            return node.text  # as written: `010` stays "010", `on` stays "on"
        self.error(node.loc, f"{what} must be a node name (text or integer), not {node_kind(node) if not isinstance(node, YScalar) else 'empty'}")
        return None

    def value(self, node: YNode, kind: FieldKind, what: str) -> Expr | None:
        """A value or expression; literal prefixes/units are checked against `kind`."""
        if not isinstance(node, YScalar):
            self.error(node.loc, f"{what} must be a value, not {node_kind(node)}")
            return None
        v = node.value
        if v is None or isinstance(v, bool):
            shown = "empty" if v is None else f"'{node.text}'"
            self.error(node.loc, f"{what} must be a number or an expression, not {shown}")
            return None
        if isinstance(v, (int, float)):
            if not math.isfinite(float(v)):
                self.error(node.loc, f"{what} must be a finite number, not {node.text}")
                return None
            return Num(float(v))
        if not isinstance(v, str):
            self.error(node.loc, f"{what} must be a number or an expression, not '{node.text}'")
            return None
        loc = node.content_loc
        if units.is_literal(v):
            try:
                return Num(units.parse_value(v, kind))
            except UnitError as exc:
                self.error(loc.shifted(exc.offset), f"{what}: {exc.message}")
                return None
        try:
            return parse_expression(v, loc, kind)
        except NetlistError as exc:
            self.error(exc.loc, f"{what}: {exc.message}")
            return None

    # -- parameters ------------------------------------------------------------------------

    def parameters(self, node: YNode | None, what: str) -> dict[str, ParamSpec]:
        out: dict[str, ParamSpec] = {}
        if node is None:
            return out
        if isinstance(node, YScalar) and node.value is None:
            return out
        m = self.mapping(node, what)
        if m is None:
            return out
        for key, value in m.items():
            name = key.text
            if not IDENTIFIER.fullmatch(name):
                self.error(key.loc, f"parameter name '{name}' is not a valid name (letters, digits and _, not starting with a digit)")
                continue
            if name in RESERVED:
                self.error(key.loc, f"parameter name '{name}' is reserved (a function or constant)")
                continue
            spec = self.param(name, key.loc, value)
            if spec is not None:
                out[name] = spec
        return out

    def param(self, name: str, loc: Loc, node: YNode) -> ParamSpec | None:
        """One parameter (or instance override): a plain value/expression or a mapping."""
        what = f"parameter '{name}'"
        if not isinstance(node, YMap):
            nominal = self.value(node, units.PARAMETER, what)
            return None if nominal is None else ParamSpec(name, loc, nominal, None, node.loc)
        for key, _ in node.items():
            if key.text not in PARAM_KEYS:
                self.error(key.loc, _unknown_key(key, PARAM_KEYS, what))
        value_node = node.get("value")
        if value_node is None:
            self.error(node.loc, f"{what} needs 'value' (its nominal)")
            return None
        nominal = self.value(value_node, units.PARAMETER, what)
        if nominal is None:
            return None
        dist = self.distribution(node, nominal, what)
        if dist is False:
            return None
        return ParamSpec(name, loc, nominal, dist, value_node.loc)

    def bound(self, node: YNode, what: str, kind: FieldKind = units.PARAMETER) -> Bound | None:
        """A percentage of the value (relative) or an absolute value."""
        if isinstance(node, YScalar) and isinstance(node.value, str):
            frac = units.parse_percent(node.value)
            if frac is not None:
                return Bound(Num(frac), relative=True)
        expr = self.value(node, kind, what)
        return None if expr is None else Bound(expr, relative=False)

    def distribution(self, node: YMap, nominal: Expr, what: str) -> DistSpec | None | bool:
        """The distribution of a parameter mapping; None if fixed, False after an error."""
        given = {k: v for k, v in node.items() if k.text in ("std", "min", "max", "values")}
        keys = {k.text: k for k in given}
        tol_node = node.get("tolerance")
        dist_node = node.get("distribution")
        kind: str | None = None
        if dist_node is not None:
            if isinstance(dist_node, YScalar) and isinstance(dist_node.value, str) and dist_node.value in DISTRIBUTIONS:
                kind = dist_node.value
            else:
                shown = dist_node.text if isinstance(dist_node, YScalar) else node_kind(dist_node)
                self.error(dist_node.loc, f"{what}: unknown distribution '{shown}' (known: {', '.join(DISTRIBUTIONS)})")
                return False
        if tol_node is not None:
            tol_key = node.key_node("tolerance")
            assert tol_key is not None
            ok = True
            if kind is not None and kind != "uniform":
                self.error(tol_key.loc, f"{what}: 'tolerance' gives a uniform distribution; it cannot be used with distribution: {kind}")
                ok = False
            for k in keys.values():
                self.error(k.loc, f"{what}: '{k.text}' cannot be combined with 'tolerance'")
                ok = False
            tol = self.bound(tol_node, f"{what} tolerance")
            if tol is None or not ok:
                return False
            if isinstance(tol.expr, Num) and tol.expr.value < 0:
                self.error(tol_node.loc, f"{what}: a tolerance cannot be negative")
                return False
            loc = tol_key.loc
            if tol.relative:
                assert isinstance(tol.expr, Num)
                t = tol.expr.value
                return DistSpec("uniform", min=Bound(Num(1.0 - t), True), max=Bound(Num(1.0 + t), True), loc=loc)
            return DistSpec(
                "uniform",
                min=Bound(Binary("-", nominal, tol.expr)),
                max=Bound(Binary("+", nominal, tol.expr)),
                loc=loc,
            )
        if kind is None:
            for k in keys.values():
                self.error(k.loc, f"{what}: '{k.text}' needs a 'distribution' (one of {', '.join(DISTRIBUTIONS)})")
            return False if keys else None
        assert dist_node is not None
        needs, allows = _DIST_KEYS[kind]
        ok = True
        for k in keys.values():
            if k.text not in allows:
                self.error(k.loc, f"{what}: '{k.text}' does not apply to a {kind} distribution (it takes {', '.join(allows)})")
                ok = False
        for need in needs:
            if need not in keys:
                self.error(dist_node.loc, f"{what}: a {kind} distribution needs '{need}'")
                ok = False
        if not ok:
            return False
        loc = dist_node.loc
        if kind == "choice":
            values_node = node.get("values")
            assert values_node is not None
            if not isinstance(values_node, YSeq) or not values_node.items:
                self.error(values_node.loc, f"{what}: 'values' must be a non-empty list")
                return False
            exprs = [self.value(v, units.PARAMETER, f"{what} values") for v in values_node.items]
            if any(e is None for e in exprs):
                return False
            return DistSpec("choice", values=tuple(e for e in exprs if e is not None), loc=loc)
        bounds: dict[str, Bound | None] = {}
        for key_text in ("std", "min", "max"):
            sub = node.get(key_text)
            if sub is None:
                bounds[key_text] = None
                continue
            # a lognormal std is the spread of ln(x): a fraction, so a plain number or a percentage
            plain = kind == "lognormal" and key_text == "std"
            b = self.bound(sub, f"{what} {key_text}", units.PLAIN if plain else units.PARAMETER)
            if b is None:
                return False
            if key_text == "std" and isinstance(b.expr, Num) and b.expr.value < 0:
                self.error(sub.loc, f"{what}: 'std' cannot be negative")
                return False
            bounds[key_text] = b
        std = bounds["std"]
        if kind == "lognormal" and std is not None:
            std = Bound(std.expr, relative=False)
        return DistSpec(kind, std=std, min=bounds["min"], max=bounds["max"], loc=loc)

    # -- frequency -------------------------------------------------------------------------

    def frequency(self, node: YNode) -> FrequencySpec | None:
        m = self.mapping(node, "frequency")
        if m is None:
            return None
        locs = {}
        for key, value in m.items():
            if key.text not in FREQUENCY_KEYS:
                self.error(key.loc, _unknown_key(key, FREQUENCY_KEYS, "frequency"))
            locs[key.text] = value.loc
        if "values" in m:
            for other in ("start", "stop", "points", "scale"):
                k = m.key_node(other)
                if k is not None:
                    self.error(k.loc, f"frequency: give either 'values' or start/stop/points, not both ('{other}')")
            values_node = m.get("values")
            assert values_node is not None
            if not isinstance(values_node, YSeq) or not values_node.items:
                self.error(values_node.loc, "frequency values must be a non-empty list")
                return None
            exprs = [self.value(v, units.FREQUENCY, "frequency value") for v in values_node.items]
            if any(e is None for e in exprs):
                return None
            return FrequencySpec(values=tuple(e for e in exprs if e is not None), loc=m.loc, locs=frozen_map(locs))
        parts: dict[str, Expr | None] = {}
        for key_text, kind in (("start", units.FREQUENCY), ("stop", units.FREQUENCY), ("points", units.PLAIN)):
            sub = m.get(key_text)
            if sub is None:
                self.error(m.loc, f"frequency needs '{key_text}' (or give 'values')")
                parts[key_text] = None
            else:
                parts[key_text] = self.value(sub, kind, f"frequency {key_text}")
        scale = "linear"
        scale_node = m.get("scale")
        if scale_node is not None:
            if isinstance(scale_node, YScalar) and scale_node.value in ("linear", "log"):
                scale = str(scale_node.value)
            else:
                shown = scale_node.text if isinstance(scale_node, YScalar) else node_kind(scale_node)
                self.error(scale_node.loc, f"frequency scale must be 'linear' or 'log', not '{shown}'")
                return None
        if any(v is None for v in parts.values()):
            return None
        return FrequencySpec(parts["start"], parts["stop"], parts["points"], scale, None, m.loc, frozen_map(locs))

    # -- components ------------------------------------------------------------------------

    def components(self, node: YNode | None, what: str, subs: dict[str, tuple[tuple[str, ...], frozenset[str]]], where: Loc) -> dict[str, ComponentSpec]:
        """The components of one scope; `self.touched` collects every node they name (even if invalid)."""
        self.touched: set[str] = set()
        out: dict[str, ComponentSpec] = {}
        if node is None:
            self.error(where, f"{what} needs 'components'")
            return out
        m = self.mapping(node, f"{what} 'components'")
        if m is None:
            return out
        if not m.entries:
            self.error(m.loc, f"{what} has no components")
        for key, value in m.items():
            comp = self.component(key, value, subs)
            if comp is not None:
                out[key.text] = comp
        return out

    def component(self, key: YScalar, node: YNode, subs: dict[str, tuple[tuple[str, ...], frozenset[str]]]) -> ComponentSpec | None:
        name = key.text
        what = f"component '{name}'"
        if not isinstance(node, YMap):
            self.error(node.loc, f"{what} must be a mapping {{type: ..., nodes: [...], ...}}, not {node_kind(node)}")
            return None
        type_node = node.get("type")
        nodes_node = node.get("nodes")
        if type_node is None:
            self.error(key.loc, f"{what} needs 'type'")
        if nodes_node is None:
            self.error(key.loc, f"{what} needs 'nodes'")
        if type_node is None or nodes_node is None:
            return None
        type_name = self.text(type_node, f"{what} type")
        if type_name is None:
            return None
        nodes: list[str] = []
        node_locs: list[Loc] = []
        if not isinstance(nodes_node, YSeq):
            self.error(nodes_node.loc, f"{what} nodes must be a list, not {node_kind(nodes_node)}")
            return None
        bad_node = False
        for item in nodes_node.items:
            n = self.node_name(item, f"{what} node")
            if n is None:
                bad_node = True
                continue
            nodes.append(n)
            node_locs.append(item.loc)
            self.touched.add(n)
        if bad_node:
            return None
        extra = [(k, v) for k, v in node.items() if k.text not in ("type", "nodes")]
        if type_name in subs:
            ports, declared = subs[type_name]
            if len(nodes) != len(ports):
                self.error(nodes_node.loc, f"{what}: subcircuit '{type_name}' has {len(ports)} port(s) ({', '.join(ports)}), got {len(nodes)} node(s)")
            overrides: dict[str, ParamSpec] = {}
            for k, v in extra:
                if k.text not in declared:
                    shown = ", ".join(sorted(declared)) or "none"
                    self.error(k.loc, f"{what}: subcircuit '{type_name}' has no parameter '{k.text}' to override (parameters: {shown})")
                    continue
                p = self.param(k.text, k.loc, v)
                if p is not None:
                    overrides[k.text] = p
            return ComponentSpec(name, key.loc, type_name, tuple(nodes), tuple(node_locs), overrides=frozen_map(overrides))
        ctype = get_type(type_name)
        if ctype is None:
            known = ", ".join(type_names())
            extra_subs = f"; subcircuits: {', '.join(subs)}" if subs else ""
            self.error(type_node.loc, f"{what}: unknown component type '{type_name}' (built-in: {known}{extra_subs})")
            return None
        return self.builtin(name, key.loc, ctype, tuple(nodes), tuple(node_locs), nodes_node, extra, node)

    def builtin(self, name: str, loc: Loc, ctype: ComponentType, nodes: tuple[str, ...], node_locs: tuple[Loc, ...],
                nodes_node: YNode, extra: list[tuple[YScalar, YNode]], node: YMap) -> ComponentSpec | None:
        """A component of a registered type: its fields, alternative forms, file and node count."""
        what = f"component '{name}'"
        fields: dict[str, FieldValue] = {}
        given: set[str] = set()
        file: tuple[Path, int] | None = None
        ok = True
        for k, v in extra:
            fspec = ctype.fields.get(k.text)
            if fspec is None:
                self.error(k.loc, f"{what}: a {ctype.name} has no field '{k.text}' (fields: {', '.join(ctype.fields)})")
                ok = False
                continue
            given.add(k.text)
            if fspec.kind.is_file:
                file = self.data_file(v, f"{what}")
                ok = ok and file is not None
                continue
            if fspec.kind.choices:
                expr = self.choice(v, fspec.kind, f"{what} {k.text}")
            else:
                expr = self.value(v, fspec.kind, f"{what} {k.text}")
            if expr is None:
                ok = False
                continue
            fields[k.text] = FieldValue(expr, v.loc, fspec.kind)
        active = self.select_form(ctype, given, loc, what)
        if active is None:
            return None
        for fname in active:
            fspec = ctype.fields[fname]
            if fname in given:
                continue
            if fspec.required:
                self.error(loc, f"{what}: a {ctype.name} needs '{fname}'")
                ok = False
            elif fspec.default is not None:
                fields[fname] = FieldValue(Num(float(fspec.default)), loc, fspec.kind)
        if not ok:
            return None
        file_ports = file[1] if file is not None else None
        allowed = ctype.allowed_node_counts(file_ports)
        if allowed and len(nodes) not in allowed:
            counts = " or ".join(str(c) for c in allowed)
            self.error(nodes_node.loc, f"{what}: a {ctype.name} takes {counts} nodes, got {len(nodes)}")
            return None
        ordered = {f: fields[f] for f in ctype.fields if f in fields}
        return ComponentSpec(name, loc, ctype.name, nodes, node_locs, frozen_map(ordered),
                             file[0] if file else None, file_ports=file_ports)

    def select_form(self, ctype: ComponentType, given: set[str], loc: Loc, what: str) -> list[str] | None:
        """The fields that apply, given which alternative form (if any) was written; None on error."""
        fields = list(ctype.fields)
        if not ctype.groups:
            return fields
        chosen = [g for g in ctype.groups if g.fields & given]
        if len(chosen) > 1:
            parts = [f"{g.name} form ({', '.join(sorted(g.fields & given))})" for g in chosen]
            self.error(loc, f"{what}: give one form of a {ctype.name}, not both: {' and '.join(parts)}")
            return None
        if not chosen:
            forms = " or ".join("+".join(sorted(g.required)) for g in ctype.groups)
            missing = [f for f in fields if ctype.fields[f].required and not any(f in g.fields for g in ctype.groups) and f not in given]
            for f in missing:
                self.error(loc, f"{what}: a {ctype.name} needs '{f}'")
            self.error(loc, f"{what}: a {ctype.name} needs {forms}")
            return None
        group = chosen[0]
        others = set().union(*(g.fields for g in ctype.groups if g is not group))
        missing = sorted(group.required - given)
        for req in missing:
            self.error(loc, f"{what}: a {ctype.name} given by {group.name} needs '{req}'")
        if missing:
            return None
        return [f for f in fields if f not in others]

    def choice(self, node: YNode, kind: FieldKind, what: str) -> Expr | None:
        """A static choice (`qmode: sqrt`, `backside: true`), written literally: its index in `kind.choices`."""
        if isinstance(node, YScalar):
            v = node.value
            word = ("true" if v else "false") if isinstance(v, bool) else v if isinstance(v, str) else None
            if word in kind.choices:
                return Num(float(kind.choices.index(word)))
        shown = node.text if isinstance(node, YScalar) else node_kind(node)
        self.error(node.loc, f"{what} must be {kind.describe()}, not '{shown}' (a choice is written as it is, not through a parameter)")
        return None

    def data_file(self, node: YNode, what: str) -> tuple[Path, int] | None:
        """A Touchstone path (relative to the netlist's folder) that exists, and its port count."""
        text = self.text(node, f"{what} file")
        if text is None:
            return None
        path = self.base_dir / Path(text).expanduser()
        if not path.is_file():
            self.error(node.loc, f"{what}: Touchstone file not found: {path.resolve()}")
            return None
        try:
            return path, touchstone_port_count(path)
        except TouchstoneError as exc:
            self.error(node.loc, f"{what}: {exc}")
            return None

    # -- ports -----------------------------------------------------------------------------

    def ports(self, node: YNode | None, where: Loc) -> list[PortSpec]:
        out: list[PortSpec] = []
        if node is None:
            self.error(where, "the netlist needs 'ports'")
            return out
        if not isinstance(node, YSeq):
            self.error(node.loc, f"ports must be a list, not {node_kind(node)}")
            return out
        if not node.items:
            self.error(node.loc, "ports must name at least one node")
        for item in node.items:
            if isinstance(item, YMap):
                for k, _ in item.items():
                    if k.text not in PORT_KEYS:
                        self.error(k.loc, _unknown_key(k, PORT_KEYS, "a port"))
                node_node = item.get("node")
                if node_node is None:
                    self.error(item.loc, "a port needs 'node'")
                    continue
                name = self.node_name(node_node, "port node")
                z0_node = item.get("z0")
                z0 = Num(DEFAULT_Z0) if z0_node is None else self.value(z0_node, units.RESISTANCE, "port z0")
                if name is None or z0 is None:
                    continue
                if isinstance(z0, Num) and not z0.value > 0:
                    assert z0_node is not None
                    self.error(z0_node.loc, "port z0 must be positive")
                    continue
                loc = node_node.loc
            else:
                name = self.node_name(item, "port node")
                if name is None:
                    continue
                z0 = Num(DEFAULT_Z0)
                loc = item.loc
            if is_ground(name):
                self.error(loc, f"a port cannot be on ground ('{name}')")
                continue
            first = next((p for p in out if p.node == name), None)
            if first is not None:
                self.error(loc, f"port '{name}' is listed twice (first at {first.loc.line}:{first.loc.col})")
                continue
            out.append(PortSpec(name, z0, loc))
        return out

    # -- subcircuits -----------------------------------------------------------------------

    def subcircuit_headers(self, node: YNode | None) -> dict[str, tuple[YMap, tuple[str, ...], tuple[Loc, ...]]]:
        """Each subcircuit's mapping and ports, before any body is parsed."""
        out: dict[str, tuple[YMap, tuple[str, ...], tuple[Loc, ...]]] = {}
        if node is None or (isinstance(node, YScalar) and node.value is None):
            return out
        m = self.mapping(node, "subcircuits")
        if m is None:
            return out
        for key, value in m.items():
            name = key.text
            what = f"subcircuit '{name}'"
            if get_type(name) is not None:
                self.error(key.loc, f"{what} has the name of a built-in component type")
                continue
            body = self.mapping(value, what)
            if body is None:
                continue
            for k, _ in body.items():
                if k.text not in SUBCIRCUIT_KEYS:
                    self.error(k.loc, _unknown_key(k, SUBCIRCUIT_KEYS, what))
            ports_node = body.get("ports")
            ports: list[str] = []
            locs: list[Loc] = []
            if ports_node is None:
                self.error(key.loc, f"{what} needs 'ports'")
            elif not isinstance(ports_node, YSeq):
                self.error(ports_node.loc, f"{what} ports must be a list of node names")
            else:
                for item in ports_node.items:
                    p = self.node_name(item, f"{what} port")
                    if p is None:
                        continue
                    if is_ground(p):
                        self.error(item.loc, f"{what}: a port cannot be ground ('{p}')")
                    elif p in ports:
                        self.error(item.loc, f"{what}: port '{p}' is listed twice")
                    else:
                        ports.append(p)
                        locs.append(item.loc)
            out[name] = (body, tuple(ports), tuple(locs))
        return out

    # -- whole file ------------------------------------------------------------------------

    def netlist(self, text: str) -> NetlistSpec:
        root = load_yaml(text, self.source)
        start = Loc(self.source, 1, 1)
        if not isinstance(root, YMap):
            raise NetlistError(root.loc, f"a netlist must be a mapping (name, frequency, components, ports, ...), not {node_kind(root)}")
        for key, _ in root.items():
            if key.text not in TOP_KEYS:
                self.error(key.loc, _unknown_key(key, TOP_KEYS, "the netlist"))
        name = ""
        description = ""
        name_node = root.get("name")
        if name_node is not None and not (isinstance(name_node, YScalar) and name_node.value is None):
            name = self.text(name_node, "name") or ""
        desc_node = root.get("description")
        if desc_node is not None and not (isinstance(desc_node, YScalar) and desc_node.value is None):
            description = self.text(desc_node, "description") or ""
        frequency = None
        freq_node = root.get("frequency")
        if freq_node is not None:
            frequency = self.frequency(freq_node)
        parameters = self.parameters(root.get("parameters"), "parameters")
        headers = self.subcircuit_headers(root.get("subcircuits"))
        declared = {
            n: (ports, frozenset(self._declared_params(body))) for n, (body, ports, _) in headers.items()
        }
        subcircuits: dict[str, SubcircuitSpec] = {}
        for sname, (body, ports, port_locs) in headers.items():
            what = f"subcircuit '{sname}'"
            sparams = self.parameters(body.get("parameters"), f"{what} parameters")
            comps = self.components(body.get("components"), what, declared, body.loc)
            self.check_ports_touched(ports, port_locs, what)
            sdesc = ""
            if body.get("description") is not None:
                sdesc = self.text(body.get("description"), f"{what} description") or ""  # type: ignore[arg-type]
            key_node = root.get("subcircuits")
            assert isinstance(key_node, YMap)
            k = key_node.key_node(sname)
            subcircuits[sname] = SubcircuitSpec(sname, k.loc if k else body.loc, ports, frozen_map(sparams), frozen_map(comps), port_locs, sdesc)
        components = self.components(root.get("components"), "the netlist", declared, start)
        ports = self.ports(root.get("ports"), start)
        self.check_ports_touched(tuple(p.node for p in ports), tuple(p.loc for p in ports), "the netlist")
        self.check_recursion(subcircuits)
        if frequency is not None:
            self.check_frequency_names(frequency, parameters)
        from pmrf_cli.specs.parse import parse_specs

        specs = parse_specs(self, root.get("specs"), [p.node for p in ports], parameters)
        self.sink.raise_if_any()
        return NetlistSpec(
            name=name,
            description=description,
            frequency=frequency,
            parameters=frozen_map(parameters),
            components=frozen_map(components),
            ports=tuple(ports),
            subcircuits=frozen_map(subcircuits),
            text=text,
            source=self.source,
            base_dir=self.base_dir,
            specs=specs,
        )

    @staticmethod
    def _declared_params(body: YMap) -> list[str]:
        node = body.get("parameters")
        return node.keys() if isinstance(node, YMap) else []

    def check_ports_touched(self, ports: tuple[str, ...], locs: tuple[Loc, ...], what: str) -> None:
        """Ports on nodes that no component of the scope names are errors."""
        for node, loc in zip(ports, locs):
            if node not in self.touched:
                self.error(loc, f"port node '{node}' is not connected to any component of {what}")

    def check_recursion(self, subcircuits: dict[str, SubcircuitSpec]) -> None:
        """A subcircuit that contains itself, directly or through others, is an error."""
        reported: set[frozenset[str]] = set()

        def visit(name: str, chain: list[str]) -> None:
            for comp in subcircuits[name].components.values():
                if comp.type not in subcircuits:
                    continue
                if comp.type in chain:
                    cycle = chain[chain.index(comp.type):] + [comp.type]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        self.error(comp.loc, f"subcircuit '{comp.type}' contains itself: {' -> '.join(cycle)}")
                    continue
                visit(comp.type, chain + [comp.type])

        for name in subcircuits:
            visit(name, [name])

    def check_frequency_names(self, frequency: FrequencySpec, parameters: dict[str, ParamSpec]) -> None:
        """The grid may use fixed (or derived-from-fixed) top-level parameters, never random ones."""
        exprs = list(frequency.values or ()) + [e for e in (frequency.start, frequency.stop, frequency.points) if e is not None]

        for expr in exprs:
            for ref in name_nodes(expr):
                if ref.name not in parameters:
                    self.error(ref.loc or frequency.loc, f"frequency: unknown name '{ref.name}' (frequency may use top-level parameters)")
                    continue
                hit = random_via(ref.name, parameters)
                if hit is not None:
                    via = "" if hit == ref.name else f" (through '{hit}')"
                    self.error(ref.loc or frequency.loc, f"frequency may use fixed parameters only; '{ref.name}' is random{via}")


def random_via(name: str, parameters: Mapping[str, ParamSpec], seen: frozenset[str] = frozenset()) -> str | None:
    """The random top-level parameter that `name` is or depends on (None: it is fixed)."""
    p = parameters.get(name)
    if p is None or name in seen:
        return None
    if p.is_random:
        return name
    for dep in sorted(free_names(p.nominal)):
        hit = random_via(dep, parameters, seen | {name})
        if hit is not None:
            return hit
    return None


def parse_netlist(text: str, source: str = "<string>", base_dir: Path | None = None) -> NetlistSpec:
    """Parse and validate netlist text; raise NetlistError or NetlistErrors (all positions named)."""
    parser = _Parser(source, Path.cwd() if base_dir is None else Path(base_dir))
    return parser.netlist(text)


def load_netlist(path_or_dash: str | Path) -> NetlistSpec:
    """Read a netlist file, or standard input for '-', and parse it."""
    if str(path_or_dash) == "-":
        return parse_netlist(sys.stdin.read(), "<stdin>", Path.cwd())
    path = Path(path_or_dash)
    source = str(path_or_dash)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NetlistError(Loc(source, 1, 1), "netlist file not found") from None
    except UnicodeDecodeError as exc:
        raise NetlistError(Loc(source, 1, 1), f"netlist is not UTF-8 text: {exc.reason}") from None
    except OSError as exc:
        raise NetlistError(Loc(source, 1, 1), f"cannot read netlist: {exc.strerror}") from None
    return parse_netlist(text, source, path.resolve().parent)


def parse_specs_text(text: str, source: str, ports: list[str], parameters: Mapping[str, ParamSpec]) -> tuple:
    """SpecDefs from YAML text holding a `specs:` mapping (or the mapping itself), read as the
    netlist's `specs` key is, against these ports and top-level parameters; errors name
    `source`'s lines."""
    from pmrf_cli.specs.parse import parse_specs

    root = load_yaml(text, source)
    node = root.get("specs") if isinstance(root, YMap) and "specs" in root else root
    parser = _Parser(source, Path.cwd())
    specs = parse_specs(parser, node, ports, parameters)
    parser.sink.raise_if_any()
    return specs


def parse_parameter_value(name: str, value_text: str, source: str) -> ParamSpec:
    """A parameter from a `--set NAME=VALUE` string, read like a YAML value."""
    node = load_yaml(value_text, source)
    parser = _Parser(source, Path.cwd())
    spec = parser.param(name, Loc(source, 1, 1), node)
    parser.sink.raise_if_any()
    assert spec is not None
    return spec


__all__ = ["parse_netlist", "load_netlist", "parse_parameter_value", "parse_specs_text", "is_ground", "random_via"]
