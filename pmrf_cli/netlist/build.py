"""Flat netlist + parameter values -> the engine's Equinox `Circuit`.

`circuit_builder(flat)` does the static work once (reading Touchstone files, choosing a factory
per component) and returns a pure function `values -> Circuit`. That function only evaluates
expressions with jax.numpy and constructs models, so it traces under jit, vmap and grad: a
sweep vmaps it over sampled parameter values, as the ParamRF seed vmaps a model constructor.

A component type's factory lives in `FACTORIES` (type name -> `Factory`), next to the physical
domain of each field, so a new type is one entry here plus one `register` in `netlist.types`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from pmrf_cli.netlist.blocks import check_blocks, read_block_data  # noqa: F401  (re-exported)
from pmrf_cli.netlist.errors import NetlistError
from pmrf_cli.netlist.expressions import evaluate
from pmrf_cli.netlist.flatten import FlatComponent, FlatNetlist

# A domain is (lower bound, inclusive?) — values below it are not physical.
NONNEG = (0.0, True)
POSITIVE = (0.0, False)


@dataclass(frozen=True)
class Factory:
    """How to build one component type: `make(fields, component, block) -> Model`."""

    make: Callable
    domains: Mapping[str, tuple[float, bool]] = field(default_factory=dict)


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


def domain_checks(flat: FlatNetlist) -> list[tuple[str, object, Callable]]:
    """(label, loc, ok) for every field with a physical domain, and port z0: `ok(values, xp=jnp)`
    is True where the values are physical (`xp=numpy` evaluates plain floats without JAX;
    the default is jax.numpy)."""
    checks = []
    for comp in flat.components:
        factory = FACTORIES.get(comp.type)
        if factory is None:
            continue
        for name, (lo, inclusive) in factory.domains.items():
            if name not in comp.fields:
                continue
            expr = comp.fields[name]
            op = ">=" if inclusive else ">"

            def ok(values, xp=None, expr=expr, lo=lo, inclusive=inclusive):
                x = evaluate(expr, values, xp)
                return x >= lo if inclusive else x > lo

            checks.append((f"{comp.path}.{name} {op} {lo:g}", comp.loc, ok))
    for spec, (node, z) in zip(flat.spec.ports, flat.ports):
        checks.append((f"port {node} z0 > 0", spec.loc, lambda values, xp=None, z=z: evaluate(z, values, xp) > 0))
    return checks


# the component library's factories (kept in their own module)
from pmrf_cli.netlist import library_factories  # noqa: E402,F401
