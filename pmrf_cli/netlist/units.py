"""Values with SI prefixes and units, checked against the kind of field they are written in."""

from __future__ import annotations

import re
from decimal import Decimal
from dataclasses import dataclass


class UnitError(ValueError):
    """A value's prefix or unit is wrong for its field; `offset` is where the suffix starts."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class FieldKind:
    """What a field holds: its unit spellings (none for a plain number).

    `any_unit` marks a parameter's own value: any known unit is accepted and not checked,
    and a lone `m` is ambiguous. `is_file` marks a path string rather than a value. `choices`
    marks a static choice among words (`qmode: sqrt`; YAML true/false read as "true"/"false"),
    written literally, never through a parameter; the field holds the chosen word's index.
    """

    name: str
    units: tuple[str, ...] = ()
    any_unit: bool = False
    is_file: bool = False
    choices: tuple[str, ...] = ()

    @property
    def unit(self) -> str:
        """The canonical unit spelling, or '' for a plain number."""
        return self.units[0] if self.units else ""

    def describe(self) -> str:
        """How error messages name what this kind expects."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.units:
            return f"{self.units[0]} ({self.name})"
        return "a plain number"


_KINDS: dict[str, FieldKind] = {}


def define_kind(name: str, units: tuple[str, ...] = (), *, any_unit: bool = False, is_file: bool = False,
                choices: tuple[str, ...] = ()) -> FieldKind:
    """Register a field kind (new component types may declare their own) and return it."""
    kind = FieldKind(name, tuple(units), any_unit, is_file, tuple(choices))
    existing = _KINDS.get(name)
    if existing is not None and existing != kind:
        raise ValueError(f"field kind {name!r} is already defined differently")
    _KINDS[name] = kind
    return kind


def get_kind(name: str) -> FieldKind:
    """The registered kind called `name`."""
    return _KINDS[name]


INDUCTANCE = define_kind("inductance", ("H",))
CAPACITANCE = define_kind("capacitance", ("F",))
RESISTANCE = define_kind("resistance", ("ohm", "Ohm", "\u03a9", "\u2126"))
LENGTH = define_kind("length", ("m",))
FREQUENCY = define_kind("frequency", ("Hz",))
CONDUCTANCE = define_kind("conductance", ("S",))
ANGLE = define_kind("angle", ("deg", "\u00b0"))
LOSS = define_kind("loss", ("dB/m",))
ATTENUATION = define_kind("attenuation", ("dB",))
TIME = define_kind("time", ("s",))
CONDUCTIVITY = define_kind("conductivity", ("S/m",))
PLAIN = define_kind("plain")
PARAMETER = define_kind("parameter", any_unit=True)
FILE = define_kind("file", is_file=True)

#: SI prefixes, case-sensitive; `meg` is tried before `m`.
PREFIXES: tuple[tuple[str, int], ...] = (
    ("meg", 6),
    ("f", -15),
    ("p", -12),
    ("n", -9),
    ("u", -6),
    ("\u00b5", -6),
    ("\u03bc", -6),
    ("m", -3),
    ("k", 3),
    ("M", 6),
    ("G", 9),
    ("T", 12),
)

NUMBER_PATTERN = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
SUFFIX_PATTERN = "(?:[A-Za-z\u00b5\u03bc\u03a9\u2126\u00b0]+(?:/m)?|%)"
_LITERAL = re.compile(rf"\s*({NUMBER_PATTERN})(\s*)({SUFFIX_PATTERN}?)\s*")


def all_units() -> frozenset[str]:
    """Every unit spelling of every registered kind."""
    return frozenset(u for kind in _KINDS.values() for u in kind.units)


def _accepts(kind: FieldKind, unit: str) -> bool:
    return unit in kind.units or (kind.any_unit and unit in all_units())


def _mismatch(kind: FieldKind, got: str) -> UnitError:
    return UnitError(f"unit mismatch: expected {kind.describe()}, got '{got}'")


def suffix_scale(suffix: str, kind: FieldKind) -> float:
    """The factor a prefix/unit suffix applies, checking the unit against `kind`."""
    return 10.0 ** suffix_exponent(suffix, kind)


def scaled(number: str, suffix: str, kind: FieldKind) -> float:
    """`number` (as written) times its suffix's factor, rounded once (`1.5n` is exactly 1.5e-9)."""
    return float(Decimal(number).scaleb(suffix_exponent(suffix, kind)))


def suffix_exponent(suffix: str, kind: FieldKind) -> int:
    """The power of ten a prefix/unit suffix applies, checking the unit against `kind`.

    A suffix that is exactly one of the field's units has no prefix (`m` is metres in a
    length field, 1e-3 elsewhere); in a parameter's own value a lone `m` is an error.
    """
    if suffix == "":
        return 0
    if kind.any_unit and suffix == "m":
        raise UnitError(
            "a lone 'm' is ambiguous in a parameter value: write 'mm' for millimetres, "
            "'e-3' for milli, or give the length in the length field itself"
        )
    if suffix in kind.units or (kind.any_unit and suffix in all_units()):
        return 0
    if suffix == "%":
        raise UnitError("a percentage is not allowed here")
    known = all_units()
    for prefix, exponent in PREFIXES:
        if suffix.startswith(prefix):
            rest = suffix[len(prefix):]
            if rest == "" or _accepts(kind, rest):
                return exponent
            if rest in known:
                raise _mismatch(kind, suffix)
    if suffix in known:
        raise _mismatch(kind, suffix)
    raise UnitError(f"unknown unit or prefix '{suffix}'")


def match_literal(text: str) -> tuple[str, str, int] | None:
    """Split `text` into (number text, suffix, suffix offset) if it is a number with an optional suffix."""
    m = _LITERAL.fullmatch(text)
    if m is None:
        return None
    return m.group(1), m.group(3), m.start(3)


def is_literal(text: str) -> bool:
    """Whether `text` has the form of a number with an optional prefix/unit (not an expression)."""
    return match_literal(text) is not None


def parse_value(text: str, kind: FieldKind) -> float:
    """The SI value of a literal such as `6.37 pF`, `1 meg` or `5e8` in a field of `kind`."""
    m = match_literal(text)
    if m is None:
        raise UnitError(f"'{text.strip()}' is not a number")
    number, suffix, offset = m
    try:
        return scaled(number, suffix, kind)
    except UnitError as exc:
        raise UnitError(exc.message, offset) from None


def parse_percent(text: str) -> float | None:
    """The fraction for a percentage such as `5%` or `2.5 %`; None if `text` is not one."""
    m = match_literal(text)
    if m is None or m[1] != "%":
        return None
    return float(Decimal(m[0]).scaleb(-2))
