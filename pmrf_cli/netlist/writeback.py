"""Write new nominal values into a netlist's text, changing nothing else.

The parser records where every parameter's value was written (`ParamSpec.value_loc`, line and
column of the YAML scalar). `write_back` finds each scalar's exact source span by composing the
same text with YAML's safe loader, and replaces that span only: comments, order, layout,
tolerances and any other key stay byte-identical. A value is written with an SI prefix in the
unit its original text used (`8 nH` -> `7.9123456789 nH`), with the fewest digits that read back
as the identical float64.

Used by `pmrf fit` (and meant for `pmrf optimize` and `pmrf centre`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Mapping

import yaml

from .errors import Loc, NetlistError
from .spec import NetlistSpec
from .units import PREFIXES, all_units, match_literal

#: Engineering prefixes offered for a new value (one per power of 1000).
_ENGINEERING = {-15: "f", -12: "p", -9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T"}
#: A kept prefix reads well while the number before it stays in this range.
_KEEP_RANGE = (0.1, 1e4)


@dataclass(frozen=True)
class ScalarSpan:
    """Where a YAML scalar's text lies in the source: `text[start:end]` is its content (inside
    the quotes of a quoted scalar); `value` is the content as YAML read it (a string)."""

    start: int
    end: int
    value: str
    style: str | None
    anchored: bool = False


def value_locs(spec: NetlistSpec) -> dict[str, Loc]:
    """Every parameter path (`L1`, `X1.C`, `X1.X3.C`) -> where its value is written.

    A subcircuit parameter that an instance does not override is written once, in the
    subcircuit, for every instance: its path shares the location with the other instances'.
    """
    out: dict[str, Loc] = {}
    for name, p in spec.parameters.items():
        if p.value_loc is not None:
            out[name] = p.value_loc

    def walk(components, prefix: str) -> None:
        for comp in components.values():
            sub = spec.subcircuits.get(comp.type)
            if sub is None:
                continue
            path = prefix + comp.name
            for pname, param in sub.parameters.items():
                written = comp.overrides.get(pname, param)
                if written.value_loc is not None:
                    out[f"{path}.{pname}"] = written.value_loc
            walk(sub.components, path + ".")

    walk(spec.components, "")
    return out


def shared_locs(locs: Mapping[str, Loc], paths) -> dict[str, list[str]]:
    """For each of `paths`, the other paths whose value is written at the same place
    (instances of one subcircuit without an override; YAML aliases). Empty lists omitted."""
    by_loc: dict[Loc, list[str]] = {}
    for path, loc in locs.items():
        by_loc.setdefault(loc, []).append(path)
    out = {}
    for path in paths:
        others = [p for p in by_loc.get(locs.get(path), []) if p != path]
        if others:
            out[path] = others
    return out


def scalar_spans(text: str) -> dict[tuple[int, int], ScalarSpan]:
    """Every scalar of the YAML `text`, by its 1-based (line, column) as `Loc` gives them."""
    spans: dict[tuple[int, int], ScalarSpan] = {}
    seen: set[int] = set()
    # a node with an anchor or tag starts at it (`&x 8nH`); its scalar token starts at the value
    token_start = {
        tok.end_mark.index: tok.start_mark.index
        for tok in yaml.scan(text, Loader=yaml.SafeLoader)
        if isinstance(tok, yaml.ScalarToken)
    }

    def visit(node: yaml.Node) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            end = node.end_mark.index
            start = token_start.get(end, node.start_mark.index)
            anchored = "&" in text[node.start_mark.index:start]
            if node.style in ("'", '"'):
                start, end = start + 1, end - 1
            key = (node.start_mark.line + 1, node.start_mark.column + 1)
            spans[key] = ScalarSpan(start, end, str(node.value), node.style, anchored)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                visit(item)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                visit(k)
                visit(v)

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        visit(root)
    return spans


def written_texts(text: str, locs: Mapping[str, Loc]) -> dict[str, str]:
    """The text each path's value is written as (quotes removed); paths not found are left out."""
    spans = scalar_spans(text)
    out = {}
    for path, loc in locs.items():
        span = spans.get((loc.line, loc.col))
        if span is not None:
            out[path] = span.value
    return out


def write_back(text: str, positions: Mapping[str, Loc], new_values: Mapping[str, float]) -> str:
    """`text` with the value of each path in `new_values` (at `positions[path]`) replaced by the
    new value, written like the old one; every other character is kept.

    Raises NetlistError where a value cannot be written back: no scalar at its position, a
    block scalar, or one place given two different values.
    """
    spans = scalar_spans(text)
    edits: dict[int, tuple[int, str, str]] = {}
    for path, value in new_values.items():
        loc = positions[path]
        span = spans.get((loc.line, loc.col))
        if span is None:
            raise NetlistError(loc, f"cannot write back '{path}': no value is written here")
        if span.style not in (None, "", "'", '"'):
            raise NetlistError(loc, f"cannot write back '{path}': its value is a block scalar (| or >)")
        if span.anchored:
            raise NetlistError(loc, f"cannot write back '{path}': its value has a YAML anchor, so other places may share it")
        new = format_like(float(value), span.value)
        if span.style == "'":
            new = new.replace("'", "''")
        previous = edits.get(span.start)
        if previous is not None and previous[1] != new:
            raise NetlistError(loc, f"cannot write back '{path}': '{previous[2]}' is written at the same place")
        edits[span.start] = (span.end, new, path)
    out = text
    for start in sorted(edits, reverse=True):
        end, new, _ = edits[start]
        out = out[:start] + new + out[end:]
    return out


def split_suffix(suffix: str) -> tuple[str, str]:
    """(prefix, unit) of a parameter value's suffix: `nH` -> (n, H), `ohm` -> ('', ohm),
    `k` -> (k, ''), `meg` -> (meg, '')."""
    units = all_units()
    if suffix == "" or suffix in units:
        return "", suffix
    for prefix, _ in PREFIXES:
        rest = suffix[len(prefix):]
        if suffix.startswith(prefix) and (rest == "" or rest in units):
            return prefix, rest
    return "", suffix


def _exponent(prefix: str) -> int:
    return dict(PREFIXES).get(prefix, 0)


def _choose_prefix(value: float, prefix: str, unit: str) -> str | None:
    """The prefix to write `value` with: the original one while it reads well, else the
    engineering one; None for a plain number (exponent notation)."""
    if value == 0.0 or (prefix and _KEEP_RANGE[0] <= abs(value) / 10.0 ** _exponent(prefix) < _KEEP_RANGE[1]):
        return prefix
    if not prefix and not unit:
        return None
    if not prefix and _KEEP_RANGE[0] <= abs(value) < _KEEP_RANGE[1]:
        return ""
    exp3 = 3 * int(Decimal(repr(abs(value))).adjusted() // 3)
    exp3 = min(max(exp3, -15), 12)
    new = _ENGINEERING[exp3]
    if new == "M" and prefix == "meg":
        new = "meg"
    if new == "u" and prefix in ("\u00b5", "\u03bc"):
        new = prefix
    if new == "m" and not unit:
        return None  # a lone `m` is ambiguous in a parameter's value
    return new


def shortest_digits(value: float, exponent: int, digits: int | None = None) -> str:
    """The shortest decimal `d` (no exponent notation) with float(d * 10**exponent) == value;
    with `digits`, `d` rounded to that many significant digits instead."""
    exact = Decimal(repr(value)).scaleb(-exponent)
    if digits is not None:
        return _plain(Context(prec=digits, rounding=ROUND_HALF_EVEN).plus(exact))
    for prec in range(1, 18):
        d = Context(prec=prec, rounding=ROUND_HALF_EVEN).plus(exact)
        text = _plain(d)
        if float(Decimal(text).scaleb(exponent)) == value:  # as `units.scaled` reads it back
            return text
    return _plain(exact)


def _plain(d: Decimal) -> str:
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_like(value: float, original: str, digits: int | None = None) -> str:
    """`value` written in the style of `original` (a parameter's value as written): its unit and
    spacing, its prefix while it reads well. Exact (reads back as the same float64) unless
    `digits` (significant digits) is given. An original that is not a literal (a constant
    expression) gives a plain number."""
    m = match_literal(original)
    if m is None:
        return repr(value) if digits is None else f"{value:.{digits}g}"
    number, suffix, offset = m
    lead = len(original) - len(original.lstrip())
    sep = original[lead + len(number):offset] if suffix else ""
    prefix, unit = split_suffix(suffix)
    chosen = _choose_prefix(value, prefix, unit)
    if chosen is None or chosen + unit == "m":  # a lone `m` is ambiguous in a parameter's value
        return repr(value) if digits is None else f"{value:.{digits}g}"
    mantissa = shortest_digits(value, _exponent(chosen), digits)
    tail = chosen + unit
    return mantissa + (sep + tail if tail else "")


__all__ = [
    "ScalarSpan", "format_like", "scalar_spans", "shared_locs", "shortest_digits", "split_suffix",
    "value_locs", "write_back", "written_texts",
]
