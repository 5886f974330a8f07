"""`netlist.writeback`: new values replace only their own text; everything else is kept."""

from __future__ import annotations

import pytest

from pmrf_cli.netlist import NetlistError, flatten, parse_netlist
from pmrf_cli.netlist.flatten import nominal_values
from pmrf_cli.netlist.units import PARAMETER, parse_value
from pmrf_cli.netlist.writeback import format_like, shared_locs, value_locs, write_back

NETLIST = """\
# header comment: kept
name: wb
frequency: {start: 1 GHz, stop: 2 GHz, points: 3}
parameters:
  Lnom: 7.96 nH          # a comment after a value
  L1: {value: Lnom, tolerance: 5%}
  C2: {value: "6.37 pF", distribution: normal, std: 2%, min: 6 pF, max: 6.7 pF}
  C3: {value: 6.8pF, distribution: choice, values: [5.6 pF, 6.8 pF, 8.2 pF]}
  R0: 50                 # plain number
  Ct: 'Cpad/2'
  Cpad: 1.2e-12
  G:
    value: 2 meg
    distribution: lognormal
    std: 10%
subcircuits:
  pad:
    ports: [a]
    parameters: {C: 0.3 pF}
    components:
      Cp: {type: capacitor, nodes: [a, gnd], C: C}
  shared:
    ports: [a]
    parameters: {C: 0.1 pF}
    components:
      Cs: {type: capacitor, nodes: [a, gnd], C: C}
  nest:
    ports: [a]
    components:
      Xi: {type: pad, nodes: [a], C: 0.7 pF}
components:
  L1: {type: inductor, nodes: [in, out], L: L1}
  C2: {type: capacitor, nodes: [out, gnd], C: C2}
  C3: {type: capacitor, nodes: [out, gnd], C: C3}
  C4: {type: capacitor, nodes: [in, gnd], C: Ct}
  R1: {type: resistor, nodes: [out, gnd], R: R0 * G / 1meg}
  Xp1: {type: pad, nodes: [in], C: 0.25 pF}   # an override
  Xp2: {type: pad, nodes: [out]}
  Xs1: {type: shared, nodes: [in]}
  Xs2: {type: shared, nodes: [out]}
  Xn: {type: nest, nodes: [out]}
ports: [in, out]
specs:
  loss: {measure: dB(S21), band: [1 GHz, 2 GHz], min: -3}   # untouched
  match: {measure: dB(S11), at: 1.5 GHz, max: -10}
"""

NEW = {"Lnom": 8.123456789e-9, "C2": 6.1e-12, "C3": 7.25e-12, "R0": 49.5, "Cpad": 1.5e-12, "G": 2.5e6,
       "Xp1.C": 0.41e-12, "Xp2.C": 0.35e-12, "Xn.Xi.C": 0.75e-12}
EXPECTED = (
    NETLIST.replace("Lnom: 7.96 nH", "Lnom: 8.123456789 nH")
    .replace('"6.37 pF"', '"6.1 pF"')
    .replace("value: 6.8pF", "value: 7.25pF")
    .replace("R0: 50 ", "R0: 49.5 ")
    .replace("Cpad: 1.2e-12", "Cpad: 1.5e-12")
    .replace("value: 2 meg", "value: 2.5 meg")
    .replace("C: 0.25 pF}", "C: 0.41 pF}")
    .replace("parameters: {C: 0.3 pF}", "parameters: {C: 0.35 pF}")
    .replace("C: 0.7 pF}", "C: 0.75 pF}")
)


def _flat(text):
    return flatten(parse_netlist(text, "wb.yaml"))


def test_only_the_values_change():
    spec = parse_netlist(NETLIST, "wb.yaml")
    out = write_back(NETLIST, value_locs(spec), NEW)
    assert out == EXPECTED
    flat, before = _flat(out), _flat(NETLIST)
    values = nominal_values(flat)
    for path, v in NEW.items():
        assert values[path] == v  # read back bit for bit
    # distributions, derived parameters and components are the same
    assert [(p.path, p.distribution) for p in flat.params] == [(p.path, p.distribution) for p in before.params]
    assert values["L1"] == NEW["Lnom"] and values["Ct"] == NEW["Cpad"] / 2


def test_line_endings_bom_and_untouched_text_kept():
    text = "\ufeff" + NETLIST.replace("\n", "\r\n")
    spec = parse_netlist(text, "wb.yaml")
    out = write_back(text, value_locs(spec), {"Lnom": 8e-9, "Xp1.C": 0.5e-12})
    assert out == "\ufeff" + NETLIST.replace("Lnom: 7.96 nH", "Lnom: 8 nH").replace(
        "C: 0.25 pF}", "C: 0.5 pF}").replace("\n", "\r\n")


def test_paths_and_shared_definitions():
    spec = parse_netlist(NETLIST, "wb.yaml")
    locs = value_locs(spec)
    assert {"Lnom", "L1", "C2", "Xp1.C", "Xp2.C", "Xs1.C", "Xs2.C", "Xn.Xi.C"} <= set(locs)
    assert set(locs) == {p.path for p in _flat(NETLIST).params}
    assert locs["Xp1.C"].line == 37 and locs["Xp2.C"].line == 19
    assert shared_locs(locs, ["Xs1.C", "Xp2.C", "Lnom"]) == {"Xs1.C": ["Xs2.C"]}
    with pytest.raises(NetlistError, match="same place"):
        write_back(NETLIST, locs, {"Xs1.C": 1e-12, "Xs2.C": 2e-12})


def test_anchored_and_block_values_are_refused():
    text = NETLIST.replace("Lnom: 7.96 nH", "Lnom: &l 7.96 nH").replace("R0: 50                 # plain number", "R0: |\n    50")
    spec = parse_netlist(text, "wb.yaml")
    with pytest.raises(NetlistError, match="anchor"):
        write_back(text, value_locs(spec), {"Lnom": 8e-9})
    with pytest.raises(NetlistError, match="block scalar"):
        write_back(text, value_locs(spec), {"R0": 51.0})


@pytest.mark.parametrize(
    "value, original, expected",
    [
        (7.9123456789e-9, "8 nH", "7.9123456789 nH"),
        (7.9123456789e-9, "8nH", "7.9123456789nH"),
        (8e-9, "7.96 nH", "8 nH"),
        (7.96e-10, "7.96 nH", "0.796 nH"),
        (7.1234e-9, "7960 pH", "7123.4 pH"),
        (3.3e-12, "2 nH", "3.3 pH"),  # far from the old prefix: an engineering one
        (6.3712e-12, "6.37e-12", "6.3712e-12"),
        (49.87, "50 ohm", "49.87 ohm"),
        (2.5e3, "50 \u03a9", "2500 \u03a9"),
        (2.5e4, "50 \u03a9", "25 k\u03a9"),
        (245.5, "1 mm", "245.5"),
        (1.5e6, "1 meg", "1.5 meg"),
        (3.3e-6, "3 \u00b5H", "3.3 \u00b5H"),
        (4.9e-3, "5 mm", "4.9 mm"),
        (2e-3, "1k", "0.002"),  # never a lone `m` in a parameter's value
        (-3.25, "1", "-3.25"),
        (3e-9, "2*1.5nH", "3e-09"),
    ],
)
def test_format_like(value, original, expected):
    assert format_like(value, original) == expected
    assert parse_value(expected, PARAMETER) == value


def test_format_reads_back_exactly():
    import random

    rng = random.Random(3)
    for _ in range(300):
        v = rng.uniform(0.1, 10) * 10.0 ** rng.randint(-15, 12)
        for original in ("1 nH", "1 pF", "1 ohm", "1", "1k", "1 meg", "1 mm"):
            assert parse_value(format_like(v, original), PARAMETER) == v
