"""Resolve scopes and subcircuits into one flat list of parameters and components."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from .errors import ErrorSink, Loc, NetlistError, NetlistErrors, NetlistWarning
from .expressions import Expr, Name, evaluate, free_names, name_nodes, rename
from .parse import is_ground, parse_parameter_value
from .spec import Bound, ComponentSpec, DistSpec, FrequencySpec, NetlistSpec, ParamSpec, frozen_map
from .types import GROUND, get_type

GROUND_NODE = "gnd"


@dataclass(frozen=True)
class FlatParam:
    """A parameter with a unique path (`L1`, `X1.C`, `X1.X3.C`); its expressions name paths."""

    path: str
    loc: Loc
    nominal: Expr
    distribution: DistSpec | None = None

    @property
    def is_random(self) -> bool:
        """Whether a sweep draws this parameter."""
        return self.distribution is not None

    @property
    def depends_on(self) -> frozenset[str]:
        """The paths this parameter's nominal and distribution name."""
        return frozenset(_param_names(self.nominal, self.distribution))


@dataclass(frozen=True)
class FlatComponent:
    """A built-in component with flattened nodes (`gnd`, `n1`, `X1.n1`) and fields over parameter paths.

    Field values are in SI base units, except `theta` (degrees) and `loss` (dB/m).
    """

    path: str
    type: str
    nodes: tuple[str, ...]
    fields: Mapping[str, Expr]
    file: Path | None
    loc: Loc
    file_ports: int | None = None
    field_locs: Mapping[str, Loc] = dataclasses.field(default_factory=frozen_map, compare=False)


@dataclass(frozen=True)
class FlatNetlist:
    """The whole circuit, flat: parameters in dependency order, components, ports, grid."""

    spec: NetlistSpec
    params: tuple[FlatParam, ...]
    components: tuple[FlatComponent, ...]
    ports: tuple[tuple[str, Expr], ...]
    port_names: tuple[str, ...]
    frequency_hz: np.ndarray | None
    warnings: tuple[NetlistWarning, ...] = ()

    @property
    def random_params(self) -> tuple[FlatParam, ...]:
        """The parameters a sweep draws."""
        return tuple(p for p in self.params if p.is_random)

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every non-ground node, in order of first use."""
        seen: dict[str, None] = {}
        for c in self.components:
            for n in c.nodes:
                if n != GROUND_NODE:
                    seen.setdefault(n, None)
        return tuple(seen)


def _param_names(nominal: Expr, dist: DistSpec | None) -> set[str]:
    names = free_names(nominal)
    for expr in _dist_exprs(dist):
        names |= free_names(expr)
    return names


def _dist_exprs(dist: DistSpec | None) -> list[Expr]:
    if dist is None:
        return []
    out = [b.expr for b in (dist.std, dist.min, dist.max) if b is not None]
    return out + list(dist.values)


def _rename_dist(dist: DistSpec | None, fn: Callable[[Name], str]) -> DistSpec | None:
    if dist is None:
        return None

    def rb(b: Bound | None) -> Bound | None:
        return None if b is None else Bound(rename(b.expr, fn), b.relative)

    return dataclasses.replace(
        dist, std=rb(dist.std), min=rb(dist.min), max=rb(dist.max), values=tuple(rename(v, fn) for v in dist.values)
    )


@dataclass(frozen=True)
class _Scope:
    """Names visible at one level: own parameters first, then the placing scope's."""

    names: Mapping[str, str]
    parent: "_Scope | None" = None

    def lookup(self, name: str) -> str | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None


class _Flattener:
    def __init__(self, spec: NetlistSpec) -> None:
        self.spec = spec
        self.sink = ErrorSink()
        self.params: dict[str, FlatParam] = {}
        self.components: dict[str, FlatComponent] = {}
        self.internal_nodes: dict[str, str] = {}
        self.top_nodes = {n for c in spec.components.values() for n in c.nodes}

    def resolver(self, scope: _Scope) -> Callable[[Name], str]:
        def resolve(name: Name) -> str:
            path = scope.lookup(name.name)
            if path is None:
                self.sink.add(name.loc or Loc(self.spec.source, 1, 1), f"unknown name '{name.name}' (not a parameter)")
                return name.name
            return path

        return resolve

    def add_param(self, path: str, param: ParamSpec, scope: _Scope) -> None:
        if path in self.params:
            self.sink.add(param.loc, f"parameter path '{path}' is used twice")
            return
        fn = self.resolver(scope)
        self.params[path] = FlatParam(path, param.loc, rename(param.nominal, fn), _rename_dist(param.distribution, fn))

    def place(self, comp: ComponentSpec, prefix: str, scope: _Scope, node_of: Callable[[str], str]) -> None:
        path = prefix + comp.name
        nodes = tuple(node_of(n) for n in comp.nodes)
        sub = self.spec.subcircuits.get(comp.type)
        if sub is None:
            if path in self.components:
                self.sink.add(comp.loc, f"component path '{path}' is used twice")
                return
            fn = self.resolver(scope)
            fields = {k: rename(v.expr, fn) for k, v in comp.fields.items()}
            locs = frozen_map({k: v.loc for k, v in comp.fields.items()})
            self.components[path] = FlatComponent(path, comp.type, nodes, frozen_map(fields), comp.file, comp.loc,
                                                  comp.file_ports, locs)
            return
        inner = _Scope({n: f"{path}.{n}" for n in sub.parameters}, scope)
        for pname, param in sub.parameters.items():
            if pname in comp.overrides:
                self.add_param(f"{path}.{pname}", comp.overrides[pname], scope)
            else:
                self.add_param(f"{path}.{pname}", param, inner)
        port_map = dict(zip(sub.ports, nodes))

        def inner_node(n: str) -> str:
            if is_ground(n):
                return GROUND_NODE
            if n in port_map:
                return port_map[n]
            flat = f"{path}.{n}"
            owner = self.internal_nodes.setdefault(flat, path)
            if owner != path or flat in self.top_nodes:
                self.sink.add(comp.loc, f"internal node '{n}' of '{path}' clashes with another node named '{flat}'")
            return flat

        for child in sub.components.values():
            self.place(child, path + ".", inner, inner_node)

    def run(self) -> tuple[list[FlatParam], list[FlatComponent]]:
        top = _Scope({n: n for n in self.spec.parameters})
        for name, param in self.spec.parameters.items():
            self.add_param(name, param, top)

        def top_node(n: str) -> str:
            return GROUND_NODE if is_ground(n) else n

        for comp in self.spec.components.values():
            self.place(comp, "", top, top_node)
        ordered = self.order()
        return ordered, list(self.components.values())

    def order(self) -> list[FlatParam]:
        """Parameters in dependency order; a cycle is an error naming it."""
        done: dict[str, None] = {}
        state: dict[str, int] = {}
        reported: set[frozenset[str]] = set()

        def visit(path: str, stack: list[str]) -> None:
            if state.get(path) == 2:
                return
            if state.get(path) == 1:
                cycle = stack[stack.index(path):] + [path]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    self.sink.add(self.params[path].loc, f"cyclic parameters: {' -> '.join(cycle)}")
                return
            state[path] = 1
            p = self.params[path]
            deps = [n.name for e in [p.nominal, *_dist_exprs(p.distribution)] for n in name_nodes(e)]
            for dep in deps:
                if dep in self.params:
                    visit(dep, stack + [path])
            state[path] = 2
            done[path] = None

        for path in self.params:
            visit(path, [])
        return [self.params[p] for p in done]


def _evaluate_nominals(params: tuple[FlatParam, ...] | list[FlatParam]) -> dict[str, float]:
    env: dict[str, float] = {}
    with np.errstate(all="ignore"):
        for p in params:
            env[p.path] = float(evaluate(p.nominal, env, np))
    return env


def nominal_values(flat: FlatNetlist) -> dict[str, float]:
    """Every parameter at its nominal value, by path."""
    return _evaluate_nominals(flat.params)


def _check_nominals(params: list[FlatParam], sink: ErrorSink) -> dict[str, float]:
    env = _evaluate_nominals(params)
    with np.errstate(all="ignore"):
        for p in params:
            value = env[p.path]
            if not np.isfinite(value):
                sink.add(p.loc, f"parameter '{p.path}' evaluates to {value} at its nominal")
                continue
            d = p.distribution
            if d is None:
                continue
            at = d.loc or p.loc

            def bound(b: Bound | None) -> float | None:
                if b is None:
                    return None
                v = float(evaluate(b.expr, env, np))
                return v * value if b.relative and d.kind != "lognormal" else v

            std, lo, hi = bound(d.std), bound(d.min), bound(d.max)
            if std is not None and not std >= 0:
                sink.add(at, f"parameter '{p.path}': std is negative ({std:g}) at the nominal")
            if lo is not None and hi is not None and not lo <= hi:
                sink.add(at, f"parameter '{p.path}': min ({lo:g}) is above max ({hi:g}) at the nominal")
            if d.kind == "lognormal" and not value > 0:
                sink.add(at, f"parameter '{p.path}': a lognormal parameter needs a positive value, not {value:g}")
    return env


def _check_field_nominals(components: list[FlatComponent], env: Mapping[str, float], sink: ErrorSink) -> None:
    """A component field that is not finite at the nominal (`R: 1/0`) is an error at the component."""
    with np.errstate(all="ignore"):
        for comp in components:
            for key, expr in comp.fields.items():
                if key == "file":
                    continue
                try:
                    value = float(evaluate(expr, env, np))
                except NetlistError:
                    continue  # an unknown name: reported where names are resolved
                if not np.isfinite(value):
                    sink.add(comp.loc, f"component '{comp.path}' {key} evaluates to {value} at the nominal")


def _check_fixed_physics(components: list[FlatComponent], params: list[FlatParam], env: Mapping[str, float],
                         sink: ErrorSink) -> None:
    """A field domain or relation between fields (`build.domain_checks`) that fails with values
    no draw can change (`dout: 1 mm, din: 3 mm`) is an error at the field."""
    from .build import fixed_check_errors  # build imports this module

    for loc, message in fixed_check_errors(components, params, env):
        sink.add(loc, message)


def frequency_grid(freq: FrequencySpec, env: Mapping[str, float]) -> np.ndarray:
    """The grid in Hz (float64), checked: points >= 1 and whole, start <= stop, and so on."""
    sink = ErrorSink()
    loc = freq.loc

    def val(expr: Expr, key: str) -> float | None:
        try:
            with np.errstate(all="ignore"):
                v = float(evaluate(expr, env, np))
        except NetlistError as exc:
            sink.add(exc.loc, exc.message)
            return None
        if not np.isfinite(v):
            sink.add(freq.locs.get(key, loc), f"frequency {key} is not finite")
            return None
        return v

    if freq.values is not None:
        vals = [val(e, "values") for e in freq.values]
        sink.raise_if_any()
        arr = np.asarray(vals, dtype=np.float64)
        at = freq.locs.get("values", loc)
        if np.any(arr < 0):
            sink.add(at, "frequency values must not be negative")
        if np.any(np.diff(arr) <= 0):
            sink.add(at, "frequency values must be strictly increasing")
        sink.raise_if_any()
        return arr
    assert freq.start is not None and freq.stop is not None and freq.points is not None
    start, stop, points = val(freq.start, "start"), val(freq.stop, "stop"), val(freq.points, "points")
    sink.raise_if_any()
    assert start is not None and stop is not None and points is not None
    ploc = freq.locs.get("points", loc)
    if points != int(points) or points < 1:
        sink.add(ploc, f"frequency points must be a whole number >= 1, not {points:g}")
    if start < 0:
        sink.add(freq.locs.get("start", loc), "frequency start must not be negative")
    if start > stop:
        sink.add(freq.locs.get("stop", loc), f"frequency stop ({stop:g} Hz) is below start ({start:g} Hz)")
    if freq.scale == "log" and not start > 0:
        sink.add(freq.locs.get("start", loc), "a log frequency grid needs start > 0")
    if points == 1 and start != stop:
        sink.add(ploc, "a single frequency point needs start == stop")
    if points >= 2 and start == stop:
        sink.add(ploc, f"{int(points)} points between equal start and stop: give points: 1")
    sink.raise_if_any()
    n = int(points)
    if n == 1:
        return np.asarray([start], dtype=np.float64)
    try:
        if freq.scale == "log":
            return np.geomspace(start, stop, n, dtype=np.float64)
        return np.linspace(start, stop, n, dtype=np.float64)
    except MemoryError:
        raise NetlistError(ploc, f"frequency grid of {n} points does not fit in memory") from None


def _connectivity(components: list[FlatComponent], ports: list[tuple[str, Loc]], sink: ErrorSink) -> list[NetlistWarning]:
    """Floating islands are errors; nodes touched by one terminal only are warnings."""
    parent: dict[str, str] = {GROUND_NODE: GROUND_NODE}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    count: dict[str, int] = {}
    first_loc: dict[str, Loc] = {}
    for comp in components:
        ctype = get_type(comp.type)
        for n in comp.nodes:
            find(n)
            count[n] = count.get(n, 0) + 1
            first_loc.setdefault(n, comp.loc)
        groups = ctype.conduction(len(comp.nodes), comp.file_ports) if ctype is not None else (tuple(range(len(comp.nodes))),)
        for group in groups:
            members = [GROUND_NODE if i == GROUND else comp.nodes[i] for i in group]
            for m in members[1:]:
                union(members[0], m)
    for node, loc in ports:
        count[node] = count.get(node, 0) + 1
        first_loc.setdefault(node, loc)
    anchored = {find(GROUND_NODE)} | {find(node) for node, _ in ports}
    islands: dict[str, list[str]] = {}
    for node in count:
        if node == GROUND_NODE:
            continue
        root = find(node)
        if root not in anchored:
            islands.setdefault(root, []).append(node)
    for nodes in islands.values():
        sink.add(first_loc[nodes[0]], f"nodes {', '.join(nodes)} have no conducting path to ground or a port (a floating island)")
    warnings = []
    for node, c in count.items():
        if node != GROUND_NODE and c == 1:
            warnings.append(NetlistWarning(first_loc[node], f"node '{node}' is connected to only one terminal"))
    return warnings


def flatten(spec: NetlistSpec) -> FlatNetlist:
    """Resolve names, subcircuits and nodes; check cycles, connectivity and the grid."""
    f = _Flattener(spec)
    params, components = f.run()
    sink = f.sink
    port_list = [(p.node if not is_ground(p.node) else GROUND_NODE, p.loc) for p in spec.ports]
    warnings = _connectivity(components, port_list, sink)
    ports = tuple((p.node, p.z0) for p in spec.ports)
    frequency_hz = None
    if not sink.errors:
        env = _check_nominals(params, sink)
        if not sink.errors:
            _check_field_nominals(components, env, sink)
        if not sink.errors:
            _check_fixed_physics(components, params, env, sink)
        for p in spec.ports:
            try:
                z0 = float(evaluate(p.z0, env, np))
            except NetlistError as exc:
                sink.extend(exc)
                continue
            if not (np.isfinite(z0) and z0 > 0):
                sink.add(p.loc, f"port z0 must be positive, not {z0:g}")
        if spec.frequency is not None and not sink.errors:
            try:
                frequency_hz = frequency_grid(spec.frequency, env)
            except (NetlistError, NetlistErrors) as exc:
                sink.extend(exc)
    sink.raise_if_any()
    return FlatNetlist(
        spec=spec,
        params=tuple(params),
        components=tuple(components),
        ports=ports,
        port_names=tuple(p.node for p in spec.ports),
        frequency_hz=frequency_hz,
        warnings=tuple(warnings),
    )


def apply_overrides(spec: NetlistSpec, overrides: Mapping[str, str]) -> NetlistSpec:
    """Replace top-level parameters from `--set NAME=VALUE` strings (each read like a YAML value)."""
    sink = ErrorSink()
    params = dict(spec.parameters)
    for name, text in overrides.items():
        source = f"--set {name}"
        if name not in params:
            known = ", ".join(params) or "none"
            sink.add(Loc(source, 1, 1), f"no parameter '{name}' to set (parameters: {known})")
            continue
        try:
            params[name] = parse_parameter_value(name, text, source)
        except (NetlistError, NetlistErrors) as exc:
            sink.extend(exc)
    sink.raise_if_any()
    return dataclasses.replace(spec, parameters=frozen_map(params))
