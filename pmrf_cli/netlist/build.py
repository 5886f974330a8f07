"""Flat netlist + parameter values -> the engine's Equinox `Circuit`.

`circuit_builder(flat)` does the static work once (reading Touchstone files, choosing a factory
per component) and returns a pure function `values -> Circuit`. That function only evaluates
expressions with jax.numpy and constructs models, so it traces under jit, vmap and grad: a
sweep vmaps it over sampled parameter values, as the ParamRF seed vmaps a model constructor.

A component type's factory lives in `FACTORIES` (type name -> `Factory`), next to the physical
domain of each field and the relations between fields its model needs (a coax's dout > din), so
a new type is one entry here plus one `register` in `netlist.types`. `domain_checks` turns both
into per-sample checks (a sweep counts draws that fail them as non-physical); `fixed_check_errors`
refuses, at load, values that fail them without depending on any random parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from pmrf_cli.netlist.blocks import check_blocks, read_block_data  # noqa: F401  (re-exported)
from pmrf_cli.netlist.errors import Loc, NetlistError
from pmrf_cli.netlist.expressions import Expr, evaluate, free_names
from pmrf_cli.netlist.flatten import FlatComponent, FlatNetlist, FlatParam

# A domain is (lower bound, inclusive?) — values below it are not physical.
NONNEG = (0.0, True)
POSITIVE = (0.0, False)


@dataclass(frozen=True)
class Relation:
    """A relation between fields of one component that its model needs, checked like a domain.

    `ok(v, xp)` takes the fields' values by name (`v["dout"]`; numbers or arrays, `xp` numpy or
    jax.numpy) and is True where they are physical. `text` is the label with each field in
    braces (`"{dout} > {din}"`). The relation applies when every one of `fields` is written or has
    a value in `defaults` (the model's default of an optional field left out) and `when(component)`
    holds (a static condition, such as a chosen dielectric model), and one of them is written. An
    error names the position of field `at` if it is written, else of the first field written.
    """

    text: str
    fields: tuple[str, ...]
    ok: Callable
    at: str | None = None
    defaults: Mapping[str, float] = field(default_factory=dict)
    when: Callable[[FlatComponent], bool] | None = None


@dataclass(frozen=True)
class Factory:
    """How to build one component type: `make(fields, component, block) -> Model`, the physical
    domain of single fields and the `Relation`s between fields."""

    make: Callable
    domains: Mapping[str, tuple[float, bool]] = field(default_factory=dict)
    relations: tuple[Relation, ...] = ()


@dataclass(frozen=True)
class Check:
    """One physical check of a component: `ok(values, xp=None)` on parameter values, its label,
    the position an error names, the field expressions it reads (by field name) and the
    defaults it takes for optional fields left out."""

    label: str
    loc: Loc
    ok: Callable
    exprs: Mapping[str, Expr]
    defaults: Mapping[str, float] = field(default_factory=dict)


def _models():
    from pmrf_cli import models

    return models


def _tline(v, comp, block):
    m = _models()
    if "theta" in v:
        return m.TransmissionLine.electrical_length(v["z0"], v["theta"], v["f0"])
    # no `loss` field: the lossless model (real A, D and imaginary B, C: half the arithmetic)
    return m.TransmissionLine(v["z0"], v["length"], er=v.get("er", 1.0), loss=v.get("loss"))


FACTORIES: dict[str, Factory] = {
    "resistor": Factory(lambda v, c, b: _models().Resistor(v["R"]), {"R": NONNEG}),
    "inductor": Factory(lambda v, c, b: _models().Inductor(v["L"]), {"L": NONNEG}),
    "capacitor": Factory(lambda v, c, b: _models().Capacitor(v["C"]), {"C": NONNEG}),
    "tline": Factory(
        _tline, {"z0": POSITIVE, "length": NONNEG, "er": (1.0, True), "loss": NONNEG, "f0": POSITIVE}
    ),
    "transformer": Factory(lambda v, c, b: _models().Transformer(v["n"]), {"n": POSITIVE}),
    "touchstone": Factory(lambda v, c, b: b),
}


def register_factory(type_name: str, factory: Factory) -> None:
    """Add (or replace) the model factory of a netlist component type."""
    FACTORIES[type_name] = factory


def load_block(comp: FlatComponent):
    """The S-parameter block model of a `touchstone` component."""
    from pmrf_cli.models.sblock import SParameterBlock

    data = read_block_data(comp)
    return SParameterBlock(data.frequency, data.s, z0=data.z0)


def field_values(comp: FlatComponent, values: Mapping[str, object]) -> dict[str, object]:
    """Evaluate a component's fields from parameter values (jax-traceable)."""
    import jax.numpy as jnp

    return {k: evaluate(e, values, jnp) for k, e in comp.fields.items() if k != "file"}


def share_medium(media: dict, comp: FlatComponent, model):
    """`model`, holding the very arrays of an earlier line of the same type whose fields other
    than `length` are the same expressions: lines of one medium then share its evaluation
    (`circuit.stages` tells a medium by the identity of its arrays; under a trace, equal
    constants are distinct arrays)."""
    import jax

    if not hasattr(model, "chain_of"):
        return model
    try:
        tag = (comp.type, tuple(sorted((k, e) for k, e in comp.fields.items() if k != "length")))
        hash(tag)
    except TypeError:
        return model
    first = media.setdefault(tag, model)
    if first is model:
        return model
    mine, treedef = jax.tree_util.tree_flatten_with_path(model)
    theirs, their_def = jax.tree_util.tree_flatten_with_path(first)
    if treedef != their_def:
        return model
    leaves = [x if getattr(path[-1], "name", None) == "length" else y for (path, x), (_, y) in zip(mine, theirs)]
    return jax.tree_util.tree_unflatten(treedef, leaves)


def circuit_builder(flat: FlatNetlist) -> Callable[[Mapping[str, object]], object]:
    """Return `values -> Circuit` for this netlist (static work done here, once)."""
    import jax.numpy as jnp

    from pmrf_cli.circuit.circuit import Circuit

    plan = []
    for comp in flat.components:
        factory = FACTORIES.get(comp.type)
        if factory is None:
            raise NetlistError(comp.loc, f"{comp.path}: no model for component type {comp.type!r}")
        block = load_block(comp) if comp.type == "touchstone" else None
        plan.append((comp, factory, block))
    port_exprs = tuple(z for _, z in flat.ports)

    def build(values: Mapping[str, object]):
        parts = []
        media: dict = {}
        for comp, factory, block in plan:
            model = share_medium(media, comp, factory.make(field_values(comp, values), comp, block))
            parts.append((comp.path, model, comp.nodes))
        z0 = jnp.stack([jnp.asarray(evaluate(z, values, jnp), dtype=float) for z in port_exprs])
        return Circuit(parts, ports=flat.port_names, z0=z0)

    return build


def _field_loc(comp: FlatComponent, name: str) -> Loc:
    return comp.field_locs.get(name, comp.loc)


def _domain_check(comp: FlatComponent, name: str, lo: float, inclusive: bool) -> Check:
    expr = comp.fields[name]

    def ok(values, xp=None):
        x = evaluate(expr, values, xp)
        return x >= lo if inclusive else x > lo

    op = ">=" if inclusive else ">"
    return Check(f"{comp.path}.{name} {op} {lo:g}", _field_loc(comp, name), ok, {name: expr})


def _relation_check(comp: FlatComponent, rel: Relation) -> Check | None:
    if any(f not in comp.fields and f not in rel.defaults for f in rel.fields):
        return None
    if rel.when is not None and not rel.when(comp):
        return None
    exprs = {f: comp.fields[f] for f in rel.fields if f in comp.fields}
    if not exprs:
        return None  # the model's defaults alone: nothing the netlist can get wrong
    consts = {f: float(rel.defaults[f]) for f in rel.fields if f not in comp.fields}

    def ok(values, xp=None):
        if xp is None:
            import jax.numpy as xp
        v = {f: evaluate(e, values, xp) for f, e in exprs.items()}
        return rel.ok({**v, **consts}, xp)

    at = rel.at if rel.at in comp.fields else next(f for f in rel.fields if f in comp.fields)
    label = rel.text.format(**{f: f"{comp.path}.{f}" for f in rel.fields})
    return Check(label, _field_loc(comp, at), ok, exprs, consts)


def component_checks(components) -> list[Check]:
    """The physical checks of the components: field domains, then relations, component by component."""
    checks = []
    for comp in components:
        factory = FACTORIES.get(comp.type)
        if factory is None:
            continue
        checks += [_domain_check(comp, n, lo, inc) for n, (lo, inc) in factory.domains.items() if n in comp.fields]
        checks += [c for c in (_relation_check(comp, r) for r in factory.relations) if c is not None]
    return checks


def domain_checks(flat: FlatNetlist) -> list[tuple[str, object, Callable]]:
    """(label, loc, ok) for every field with a physical domain, every relation between fields a
    model needs, and port z0: `ok(values, xp=jnp)` is True where the values are physical
    (`xp=numpy` evaluates plain floats without JAX; the default is jax.numpy)."""
    checks = [(c.label, c.loc, c.ok) for c in component_checks(flat.components)]
    for spec, (node, z) in zip(flat.spec.ports, flat.ports):
        checks.append((f"port {node} z0 > 0", spec.loc, lambda values, xp=None, z=z: evaluate(z, values, xp) > 0))
    return checks


def random_dependent(params: Sequence[FlatParam]) -> frozenset[str]:
    """The paths of the parameters a sweep draws, and of those computed from them."""
    out: set[str] = set()
    changed = True
    while changed:
        changed = False
        for p in params:
            if p.path not in out and (p.is_random or p.depends_on & out):
                out.add(p.path)
                changed = True
    return frozenset(out)


def fixed_check_errors(components, params: Sequence[FlatParam], env: Mapping[str, float]) -> list[tuple[Loc, str]]:
    """(position, message) of every component check that fails with values that depend on no
    random parameter (constants, fixed and derived parameters, `--set` values), evaluated at
    `env` (every parameter's nominal): such a netlist cannot be simulated as written."""
    import numpy as np

    rnd = random_dependent(params)
    out = []
    with np.errstate(all="ignore"):
        for check in component_checks(components):
            if any(free_names(e) & rnd for e in check.exprs.values()):
                continue
            try:
                vals = {f: float(evaluate(e, env, np)) for f, e in check.exprs.items()}
                good = bool(check.ok(env, np))
            except NetlistError:
                continue  # an unknown name: reported where names are resolved
            if not all(np.isfinite(v) for v in vals.values()) or good:
                continue
            shown = ", ".join([f"{f} = {v:g}" for f, v in vals.items()]
                              + [f"{f} = {v:g} (default)" for f, v in check.defaults.items()])
            out.append((check.loc, f"{check.label} fails ({shown})"))
    return out


# the component library's factories (kept in their own module)
from pmrf_cli.netlist import library_factories  # noqa: E402,F401
