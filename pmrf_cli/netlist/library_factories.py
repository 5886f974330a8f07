"""Model factories of the component library's netlist types (see `netlist.build.FACTORIES`).

Each factory passes the fields that were written (netlist names mapped to the model's: a CPW's
`s` is its `gap`) as keyword arguments, so a field left out takes the model's default. Static
choices (`backside`, `qmode`) are read from the component's parsed field (a constant: the index
of the chosen word) rather than from the traced values, so they stay Python values under jit/vmap.

Domains are the physical ranges of the fields, checked per sample (`build.domain_checks`).
"""

from __future__ import annotations

from pmrf_cli.netlist.build import NONNEG, POSITIVE, Factory, register_factory
from pmrf_cli.netlist.expressions import Num
from pmrf_cli.netlist.library_types import BOOLEAN, QMODE

AT_LEAST_ONE = (1.0, True)


def _models():
    from pmrf_cli import models

    return models


def choice(comp, name: str, kind) -> str | None:
    """The word chosen for static field `name` of `comp`, or None if it was not written."""
    expr = comp.fields.get(name)
    if expr is None:
        return None
    assert isinstance(expr, Num), f"{comp.path}.{name} must be a literal choice"
    return kind.choices[int(expr.value)]


def _kwargs(v, static=(), rename=None) -> dict:
    rename = rename or {}
    return {rename.get(k, k): x for k, x in v.items() if k not in static}


def _line(model_name: str, rename=None):
    def make(v, comp, block):
        return getattr(_models(), model_name)(**_kwargs(v, rename=rename))

    return make


def _cpw(v, comp, block):
    kw = _kwargs(v, static=("backside",), rename={"s": "gap"})
    side = choice(comp, "backside", BOOLEAN)
    if side is not None:
        kw["backside"] = side == "true"
    return _models().CPW(**kw)


def _coupled(v, comp, block):
    m = _models()
    if "theta_e" in v:
        return m.CoupledLine(v["z0e"], v["z0o"], v["theta_e"], v["theta_o"], v["f0"])
    return m.CoupledLine.physical(v["z0e"], v["z0o"], v["length"], v["ere"], v["ero"])


def _finite_q(model_name: str):
    def make(v, comp, block):
        kw = _kwargs(v, static=("qmode",))
        mode = choice(comp, "qmode", QMODE)
        if mode is not None:
            kw["qmode"] = mode
        return getattr(_models(), model_name)(**kw)

    return make


_MATERIAL = {"tand": NONNEG, "sigma": POSITIVE, "rough": NONNEG, "length": NONNEG}
_SUBSTRATE = {"er": AT_LEAST_ONE, "t": NONNEG, **_MATERIAL}
_LEVELS = {"loss": NONNEG, "isolation": NONNEG}
_Q = {"Q": POSITIVE, "fq": POSITIVE}

register_factory("coax", Factory(_line("Coax"), {"din": POSITIVE, "dout": POSITIVE, "er": AT_LEAST_ONE, **_MATERIAL}))
register_factory("microstrip", Factory(_line("Microstrip"), {"w": POSITIVE, "h": POSITIVE, **_SUBSTRATE}))
register_factory("stripline", Factory(_line("Stripline"), {"w": POSITIVE, "b": POSITIVE, **_SUBSTRATE}))
register_factory("cpw", Factory(_cpw, {"w": POSITIVE, "s": POSITIVE, "h": POSITIVE, **_SUBSTRATE}))
register_factory(
    "rlgc", Factory(_line("RLGCLine"), {"R": NONNEG, "L": NONNEG, "G": NONNEG, "C": POSITIVE, "length": NONNEG})
)
register_factory(
    "coupled_tline",
    Factory(
        _coupled,
        {"z0e": POSITIVE, "z0o": POSITIVE, "theta_e": NONNEG, "theta_o": NONNEG, "f0": POSITIVE,
         "length": NONNEG, "ere": AT_LEAST_ONE, "ero": AT_LEAST_ONE},
    ),
)
register_factory("attenuator", Factory(lambda v, c, b: _models().Attenuator(v["dB"]), {"dB": NONNEG}))
register_factory("isolator", Factory(lambda v, c, b: _models().Isolator(**v), _LEVELS))
register_factory("circulator", Factory(lambda v, c, b: _models().Circulator(**v), _LEVELS))
register_factory("vccs", Factory(lambda v, c, b: _models().VCCS(**v), {"tau": NONNEG}))
register_factory("inductor_q", Factory(_finite_q("InductorQ"), {"L": NONNEG, **_Q}))
register_factory("capacitor_q", Factory(_finite_q("CapacitorQ"), {"C": NONNEG, **_Q}))
