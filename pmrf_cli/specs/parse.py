"""The netlist's `specs:` key -> SpecDefs, every error positioned (SPECS.md, "In the netlist")."""

from __future__ import annotations

from typing import Mapping, Sequence

from pmrf_cli.netlist import units
from pmrf_cli.netlist.errors import Loc, NetlistError
from pmrf_cli.netlist.expressions import IDENTIFIER, Expr, Num, name_nodes
from pmrf_cli.netlist.parse import random_via
from pmrf_cli.netlist.yaml_loader import YNode, YScalar, YSeq, node_kind
from pmrf_cli.specs.measure import measure_names, measure_unit, parse_measure
from pmrf_cli.specs.spec import SpecDef

SPEC_KEYS = ("measure", "band", "at", "min", "max")

#: The field kind a limit is read in, by the measure's unit.
LIMIT_KINDS = {"dB": units.ATTENUATION, "deg": units.ANGLE, "s": units.TIME, "": units.PLAIN}


def parse_specs(parser, node: YNode | None, ports: Sequence[str], parameters: Mapping) -> tuple[SpecDef, ...]:
    """Read `specs:` with the netlist parser `parser` (its `error`, `mapping` and `value`);
    `ports` are the port nodes in order, `parameters` the top-level ParamSpecs."""
    if node is None or (isinstance(node, YScalar) and node.value is None):
        return ()
    m = parser.mapping(node, "specs")
    if m is None:
        return ()
    out = []
    for key, body in m.items():
        spec = _one(parser, key, body, ports, parameters)
        if spec is not None:
            out.append(spec)
    return tuple(out)


def _one(parser, key: YScalar, body: YNode, ports: Sequence[str], parameters: Mapping) -> SpecDef | None:
    name = key.text
    what = f"spec '{name}'"
    if not IDENTIFIER.fullmatch(name):
        parser.error(key.loc, f"spec name '{name}' is not a word (letters, digits and _, not starting with a digit)")
        return None
    b = parser.mapping(body, what)
    if b is None:
        return None
    ok = True
    m_node = b.get("measure")
    cut = (isinstance(m_node, YScalar) and isinstance(m_node.value, str) and not m_node.quoted
           and m_node.value.count("(") > m_node.value.count(")"))
    for k, _ in b.items():
        if cut and ")" in k.text:
            continue  # the rest of a measure cut at a comma: the measure's error explains it
        if k.text not in SPEC_KEYS:
            parser.error(k.loc, f"unknown key '{k.text}' in {what} (allowed: {', '.join(SPEC_KEYS)})")
            ok = False
    locs = {k.text: v.loc for k, v in b.items()}
    measure_node = b.get("measure")
    if measure_node is None:
        parser.error(key.loc, f"{what} needs 'measure' (e.g. dB(S21))")
        return None
    if not (isinstance(measure_node, YScalar) and isinstance(measure_node.value, str)):
        parser.error(measure_node.loc, f"{what}: measure must be text such as dB(S21), not {node_kind(measure_node)}")
        return None
    try:
        measure = parse_measure(measure_node.value, measure_node.content_loc, ports)
        unit = measure_unit(measure, measure_node.content_loc)
    except NetlistError as exc:
        text = measure_node.value
        hint = ""
        if text.count("(") > text.count(")") and not measure_node.quoted:
            hint = " (in a {flow: mapping} a comma ends the value: quote a measure such as \"dB(S(out,in))\")"
        parser.error(exc.loc, f"{what}: {exc.message}{hint}")
        return None
    unit = "" if unit is None else unit
    for ref in measure_names(measure):
        ok &= _fixed_name(parser, ref.name, ref.loc or measure_node.loc, parameters, what)
    band_node, at_node = b.get("band"), b.get("at")
    if (band_node is None) == (at_node is None):
        parser.error(key.loc, f"{what} needs exactly one of 'band: [start, stop]' and 'at: f'")
        return None
    band = at = None
    if band_node is not None:
        if not isinstance(band_node, YSeq) or len(band_node.items) != 2:
            parser.error(band_node.loc, f"{what}: band must be [start, stop]")
            return None
        start = parser.value(band_node.items[0], units.FREQUENCY, f"{what} band start")
        stop = parser.value(band_node.items[1], units.FREQUENCY, f"{what} band stop")
        if start is None or stop is None:
            return None
        if isinstance(start, Num) and isinstance(stop, Num) and start.value > stop.value:
            parser.error(band_node.loc, f"{what}: band start is above its stop")
            ok = False
        band = (start, stop)
        ok &= all(_fixed_names(parser, e, band_node.loc, parameters, what) for e in band)
    else:
        at = parser.value(at_node, units.FREQUENCY, f"{what} at")
        if at is None:
            return None
        ok &= _fixed_names(parser, at, at_node.loc, parameters, what)
    kind = LIMIT_KINDS[unit]
    limits = {}
    for bound in ("min", "max"):
        n = b.get(bound)
        if n is None:
            limits[bound] = None
            continue
        v = parser.value(n, kind, f"{what} {bound} (in {unit or 'plain numbers'}, the unit of {measure_node.value})")
        if v is None:
            return None
        ok &= _fixed_names(parser, v, n.loc, parameters, what)
        limits[bound] = v
    if limits["min"] is None and limits["max"] is None:
        parser.error(key.loc, f"{what} needs 'min', 'max' or both")
        return None
    lo, hi = limits["min"], limits["max"]
    if isinstance(lo, Num) and isinstance(hi, Num) and lo.value > hi.value:
        parser.error(locs["min"], f"{what}: min ({lo.value:g}) is above max ({hi.value:g})")
        return None
    if not ok:
        return None
    return SpecDef(name, key.loc, measure_node.value, measure, unit, band, at, lo, hi, locs)


def _fixed_names(parser, expr: Expr, loc: Loc, parameters: Mapping, what: str) -> bool:
    return all(_fixed_name(parser, ref.name, ref.loc or loc, parameters, what) for ref in name_nodes(expr))


def _fixed_name(parser, name: str, loc: Loc, parameters: Mapping, what: str) -> bool:
    """A spec may use fixed top-level parameters (or ones derived from fixed ones) only."""
    if name not in parameters:
        parser.error(loc, f"{what}: unknown name '{name}' (a spec may use top-level parameters)")
        return False
    hit = random_via(name, parameters)
    if hit is not None:
        via = "" if hit == name else f" (through '{hit}')"
        parser.error(loc, f"{what} may use fixed parameters only; '{name}' is random{via}")
        return False
    return True
