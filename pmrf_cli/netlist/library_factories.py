"""Model factories of the component library's netlist types (see `netlist.build.FACTORIES`).

Each factory passes the fields that were written (netlist names mapped to the model's: a CPW's
`s` is its `gap`) as keyword arguments, so a field left out takes the model's default. Static
choices (`backside`, `qmode`, `dielectric`) are read from the component's parsed field (a
constant: the index of the chosen word) rather than from the traced values, so they stay Python
values under jit/vmap.

Domains are the physical ranges of the fields and relations what the models need between them
(a coax's dout > din, a stripline's t < b, the thickness the microstrip and CPW formulas cover, a
Djordjevic-Svensson dielectric whose eps_inf stays >= 1), checked per sample and, for values
that depend on no random parameter, at load (`build.domain_checks`, `build.fixed_check_errors`).
"""

from __future__ import annotations

from pmrf_cli.formulas import cpw_thickness_widening, ds_constants
from pmrf_cli.netlist.build import NONNEG, POSITIVE, Factory, Relation, register_factory
from pmrf_cli.netlist.expressions import Num
from pmrf_cli.netlist.library_types import BOOLEAN, DIELECTRIC, QMODE

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


def _with_dielectric(kw: dict, comp) -> dict:
    """`kw` with the chosen dielectric model (a static choice), if one was written."""
    model = choice(comp, "dielectric", DIELECTRIC)
    return kw if model is None else {**kw, "dielectric": model}


def _line(model_name: str, rename=None):
    def make(v, comp, block):
        kw = _with_dielectric(_kwargs(v, static=("dielectric",), rename=rename), comp)
        return getattr(_models(), model_name)(**kw)

    return make


def _cpw(v, comp, block):
    kw = _with_dielectric(_kwargs(v, static=("backside", "dielectric"), rename={"s": "gap"}), comp)
    side = choice(comp, "backside", BOOLEAN)
    if side is not None:
        kw["backside"] = side == "true"
    return _models().CPW(**kw)


_LOSSY_COUPLED = ("tand", "dielectric", "f_er", "f_low", "f_high")


def _coupled(v, comp, block):
    m = _models()
    if "theta_e" in v:
        return m.CoupledLine(v["z0e"], v["z0o"], v["theta_e"], v["theta_o"], v["f0"])
    if any(k in comp.fields for k in _LOSSY_COUPLED):
        return m.DielectricCoupledLine(**_with_dielectric(_kwargs(v, static=("dielectric",)), comp))
    return m.CoupledLine.physical(v["z0e"], v["z0o"], v["length"], v["ere"], v["ero"])


def _finite_q(model_name: str):
    def make(v, comp, block):
        kw = _kwargs(v, static=("qmode",))
        mode = choice(comp, "qmode", QMODE)
        if mode is not None:
            kw["qmode"] = mode
        return getattr(_models(), model_name)(**kw)

    return make


_WIDEBAND = {"f_er": POSITIVE, "f_low": POSITIVE, "f_high": POSITIVE}
_MATERIAL = {"tand": NONNEG, "sigma": POSITIVE, "rough": NONNEG, "length": NONNEG, **_WIDEBAND}
_SUBSTRATE = {"er": AT_LEAST_ONE, "t": NONNEG, **_MATERIAL}
_LEVELS = {"loss": NONNEG, "isolation": NONNEG}
_Q = {"Q": POSITIVE, "fq": POSITIVE}


def _is_wideband(comp) -> bool:
    return choice(comp, "dielectric", DIELECTRIC) == "djordjevic-svensson"


def _wideband_relations(ers: tuple[str, ...] = ("er",), er_default: float | None = None) -> tuple[Relation, ...]:
    """A Djordjevic-Svensson dielectric's band f_low < f_high, and for each permittivity field in
    `ers` eps_inf = er (1 + tand Re k / Im k) >= 1 (the value Re eps(f) falls towards)."""
    band = {"f_er": 1e9, "f_low": 1e3, "f_high": 1e12}
    defaults = {**band, "tand": 0.0, **({} if er_default is None else {ers[0]: er_default})}

    def eps_ok(er: str):
        return lambda v, xp: ds_constants(v[er], v["tand"], v["f_er"], v["f_low"], v["f_high"], xp)[0] >= 1

    return (
        Relation("{f_low} < {f_high}", ("f_low", "f_high"), lambda v, xp: v["f_low"] < v["f_high"],
                 defaults=band, when=_is_wideband),
        *(Relation(f"eps_inf({{{er}}}, {{tand}}, {{f_er}}, {{f_low}}, {{f_high}}) >= 1", (er, "tand", *band),
                   eps_ok(er), at="tand", defaults=defaults, when=_is_wideband) for er in ers),
    )


_MICROSTRIP = (
    Relation("{t} < {h}", ("t", "h"), lambda v, xp: v["t"] < v["h"]),
    Relation("2 {t} < {w}", ("t", "w"), lambda v, xp: 2 * v["t"] < v["w"]),
)
_CPW = (
    Relation("1.25 {t}/pi (1 + ln(4 pi {w}/{t})) < {s}", ("t", "w", "s"),
             lambda v, xp: cpw_thickness_widening(v["w"], v["t"], xp) < v["s"]),
)

register_factory(
    "coax",
    Factory(_line("Coax"), {"din": POSITIVE, "dout": POSITIVE, "er": AT_LEAST_ONE, **_MATERIAL},
            (Relation("{dout} > {din}", ("dout", "din"), lambda v, xp: v["dout"] > v["din"]),
             *_wideband_relations(er_default=1.0))),
)
register_factory(
    "microstrip",
    Factory(_line("Microstrip"), {"w": POSITIVE, "h": POSITIVE, **_SUBSTRATE}, _MICROSTRIP + _wideband_relations()),
)
register_factory(
    "stripline",
    Factory(_line("Stripline"), {"w": POSITIVE, "b": POSITIVE, **_SUBSTRATE},
            (Relation("{t} < {b}", ("t", "b"), lambda v, xp: v["t"] < v["b"]), *_wideband_relations())),
)
register_factory("cpw", Factory(_cpw, {"w": POSITIVE, "s": POSITIVE, "h": POSITIVE, **_SUBSTRATE},
                                _CPW + _wideband_relations()))
register_factory(
    "rlgc", Factory(_line("RLGCLine"), {"R": NONNEG, "L": NONNEG, "G": NONNEG, "C": POSITIVE, "length": NONNEG})
)
register_factory(
    "coupled_tline",
    Factory(
        _coupled,
        {"z0e": POSITIVE, "z0o": POSITIVE, "theta_e": NONNEG, "theta_o": NONNEG, "f0": POSITIVE,
         "length": NONNEG, "ere": AT_LEAST_ONE, "ero": AT_LEAST_ONE, "tand": NONNEG, **_WIDEBAND},
        # equal impedances are the uncoupled limit (two separate lines), still a physical pair
        (Relation("{z0e} >= {z0o}", ("z0e", "z0o"), lambda v, xp: v["z0e"] >= v["z0o"]),
         *_wideband_relations(("ere", "ero"))),
    ),
)
register_factory("attenuator", Factory(lambda v, c, b: _models().Attenuator(v["dB"]), {"dB": NONNEG}))
register_factory("isolator", Factory(lambda v, c, b: _models().Isolator(**v), _LEVELS))
# loss = isolation = 0 dB is S = P + P^2 (P the cyclic shift): non-passive, and I + S is singular
_CIRCULATOR = (Relation("{loss} + {isolation} > 0", ("loss", "isolation"),
                        lambda v, xp: v["loss"] + v["isolation"] > 0, at="isolation",
                        defaults={"loss": 0.0, "isolation": float("inf")}),)
register_factory("circulator", Factory(lambda v, c, b: _models().Circulator(**v), _LEVELS, _CIRCULATOR))
register_factory("vccs", Factory(lambda v, c, b: _models().VCCS(**v), {"tau": NONNEG}))
register_factory("inductor_q", Factory(_finite_q("InductorQ"), {"L": NONNEG, **_Q}))
register_factory("capacitor_q", Factory(_finite_q("CapacitorQ"), {"C": NONNEG, **_Q}))
