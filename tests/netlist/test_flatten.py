"""Flattening: scopes, subcircuit instances, parameter order, connectivity and the grid."""

import textwrap
from pathlib import Path

import numpy as np
import pytest

from pmrf_cli.netlist import (
    Binary,
    Bound,
    Name,
    NetlistError,
    NetlistErrors,
    Num,
    apply_overrides,
    flatten,
    nominal_values,
    parse_netlist,
)

FREQ = "frequency: {start: 10 MHz, stop: 3 GHz, points: 11}\n"


def flat(text, base_dir=Path(".")):
    return flatten(parse_netlist(textwrap.dedent(text), "t.yaml", base_dir))


def errors(text):
    with pytest.raises((NetlistError, NetlistErrors)) as info:
        flat(text)
    return [str(e) for e in info.value.errors]


def one_error(text):
    errs = errors(text)
    assert len(errs) == 1, errs
    return errs[0]


def test_parameters_are_ordered_by_dependency():
    f = flat(FREQ + """\
parameters:
  A: "2 * B"
  B: "C + 1"
  C: 3
components:
  R1: {type: resistor, nodes: [a, gnd], R: A}
ports: [a]
""")
    assert [p.path for p in f.params] == ["C", "B", "A"]
    assert nominal_values(f) == {"C": 3.0, "B": 4.0, "A": 8.0}
    assert f.components[0].fields["R"] == Name("A")


def test_cyclic_parameters():
    e = one_error(FREQ + """\
parameters:
  A: "B + 1"
  B: "2 * A"
components:
  R1: {type: resistor, nodes: [a, gnd], R: A}
ports: [a]
""")
    assert e == "t.yaml:3:3: error: cyclic parameters: A -> B -> A"
    e = one_error(FREQ + "parameters:\n  A: A + 1\ncomponents:\n  R1: {type: resistor, nodes: [a, gnd], R: A}\nports: [a]\n")
    assert "cyclic parameters: A -> A" in e


def test_cycle_through_a_distribution_bound():
    e = one_error(FREQ + """\
parameters:
  A: {value: 1, distribution: uniform, min: B, max: 2}
  B: A
components:
  R1: {type: resistor, nodes: [a, gnd], R: A}
ports: [a]
""")
    assert "cyclic parameters: A -> B -> A" in e


def test_unknown_name_is_reported_at_the_name():
    e = one_error(FREQ + 'parameters:\n  A: "2 * Bogus"\ncomponents:\n  R1: {type: resistor, nodes: [a, gnd], R: A}\nports: [a]\n')
    assert e == "t.yaml:3:11: error: unknown name 'Bogus' (not a parameter)"
    e = one_error(FREQ + "components:\n  R1: {type: resistor, nodes: [a, gnd], R: Rx}\nports: [a]\n")
    assert e.startswith("t.yaml:3:") and "unknown name 'Rx'" in e


RES = FREQ + """\
parameters:
  Lres: 2 nH
  C: 1 pF
subcircuits:
  resonator:
    ports: [a]
    parameters: {L: Lres, C: {value: 12.7 pF, tolerance: 5%}}
    components:
      Lr: {type: inductor,  nodes: [a, gnd], L: L}
      Cr: {type: capacitor, nodes: [a, mid], C: C}
      Rs: {type: resistor,  nodes: [mid, gnd], R: 0.1}
components:
  X1: {type: resonator, nodes: [n1]}
  X2: {type: resonator, nodes: [n2], C: 10 pF}
  X3: {type: resonator, nodes: [n2], C: "C * 2"}
  X4: {type: resonator, nodes: [n1], C: {value: C, distribution: normal, std: 1%}}
  Ck: {type: capacitor, nodes: [n1, n2], C: C}
ports: [n1, n2]
"""


def test_subcircuit_instances():
    f = flat(RES)
    paths = [p.path for p in f.params]
    assert paths[:2] == ["Lres", "C"]
    assert set(paths) == {"Lres", "C"} | {f"X{i}.{n}" for i in range(1, 5) for n in ("L", "C")}
    by = {p.path: p for p in f.params}
    # a subcircuit parameter with a distribution is separate per instance
    assert by["X1.C"].is_random and by["X1.C"].distribution.min == Bound(Num(0.95), True)
    # defaults look up the placing scope for names the subcircuit does not declare
    assert by["X1.L"].nominal == Name("Lres")
    # overrides replace the parameter whole and are evaluated where the instance is written
    assert not by["X2.C"].is_random and by["X2.C"].nominal == Num(1e-11)
    assert by["X3.C"].nominal == Binary("*", Name("C"), Num(2.0))
    assert by["X4.C"].is_random and by["X4.C"].nominal == Name("C")
    comps = {c.path: c for c in f.components}
    assert comps["X1.Lr"].nodes == ("n1", "gnd")
    assert comps["X1.Cr"].nodes == ("n1", "X1.mid") and comps["X2.Cr"].nodes == ("n2", "X2.mid")
    assert comps["X1.Cr"].fields["C"] == Name("X1.C")
    assert comps["Ck"].fields["C"] == Name("C")
    values = nominal_values(f)
    assert values["X1.C"] == pytest.approx(12.7e-12) and values["X3.C"] == pytest.approx(2e-12)
    assert values["X1.L"] == 2e-9
    assert f.warnings == ()


def test_own_parameters_shadow_outer_ones():
    f = flat(FREQ + """\
parameters:
  C: 1 pF
subcircuits:
  cap:
    ports: [a]
    parameters: {C: 5 pF, D: "C * 2"}
    components:
      C1: {type: capacitor, nodes: [a, gnd], C: D}
components:
  X1: {type: cap, nodes: [n]}
ports: [n]
""")
    assert nominal_values(f)["X1.D"] == pytest.approx(10e-12)


def test_nested_subcircuits_and_dynamic_scope():
    f = flat(FREQ + """\
parameters:
  K: 3
subcircuits:
  inner:
    ports: [p]
    parameters: {C: {value: "K * 1p", tolerance: 1%}}
    components:
      Ci: {type: capacitor, nodes: [p, gnd], C: C}
  outer:
    ports: [x, y]
    parameters: {K: 5}
    components:
      X3: {type: inner, nodes: [x]}
      L1: {type: inductor, nodes: [x, y], L: 1 nH}
      X4: {type: inner, nodes: [y], C: "K * 2p"}
components:
  X1: {type: outer, nodes: [a, b]}
  X2: {type: inner, nodes: [b]}
ports: [a, b]
""")
    values = nominal_values(f)
    # inner looks up K in the scope of the instance that placed it (outer's K = 5)
    assert values["X1.X3.C"] == pytest.approx(5e-12)
    assert values["X1.X4.C"] == pytest.approx(10e-12)
    assert values["X2.C"] == pytest.approx(3e-12)
    assert {p.path for p in f.params} == {"K", "X1.K", "X1.X3.C", "X1.X4.C", "X2.C"}
    assert {c.path for c in f.components} == {"X1.X3.Ci", "X1.L1", "X1.X4.Ci", "X2.Ci"}
    assert next(c for c in f.components if c.path == "X1.X3.Ci").fields["C"] == Name("X1.X3.C")


def test_subcircuit_unknown_name_reported_in_subcircuit():
    e = errors(FREQ + """\
subcircuits:
  s:
    ports: [a]
    components:
      R: {type: resistor, nodes: [a, gnd], R: Rmissing}
components:
  X1: {type: s, nodes: [n]}
  X2: {type: s, nodes: [n]}
ports: [n]
""")
    assert e == ["t.yaml:6:47: error: unknown name 'Rmissing' (not a parameter)"]


def test_ground_zero_maps_to_gnd():
    f = flat(FREQ + "components:\n  R1: {type: resistor, nodes: [1, 0], R: 50}\nports: [1]\n")
    assert f.components[0].nodes == ("1", "gnd")
    assert f.port_names == ("1",)


def test_floating_island_is_an_error_naming_nodes():
    e = one_error(FREQ + """\
components:
  R1: {type: resistor, nodes: [in, gnd], R: 50}
  R2: {type: resistor, nodes: [x, y], R: 50}
  C3: {type: capacitor, nodes: [y, z], C: 1 pF}
ports: [in]
""")
    assert e == "t.yaml:4:3: error: nodes x, y, z have no conducting path to ground or a port (a floating island)"


def test_transformer_coupling_does_not_conduct():
    text = FREQ + """\
components:
  T1: {type: transformer, nodes: [in, gnd, s1, s2], n: 2}
  R1: {type: resistor, nodes: [s1, s2], R: 50}
ports: [in]
"""
    assert "nodes s1, s2 have no conducting path" in one_error(text)
    f = flat(text.replace("ports: [in]", "ports: [in, s1]"))
    assert f.port_names == ("in", "s1")


def test_ground_referenced_tline_and_touchstone_connect_to_ground(tmp_path):
    (tmp_path / "b.s2p").write_text("# GHz S MA R 50\n")
    text = FREQ + """\
components:
  R0: {type: resistor, nodes: [in, a], R: 50}
  T1: {type: tline, nodes: [a, b], z0: 50, theta: 90, f0: 1 GHz}
  R1: {type: resistor, nodes: [b, c], R: 50}
  A1: {type: touchstone, nodes: [c, d], file: b.s2p}
  R2: {type: resistor, nodes: [d, e], R: 50}
  R3: {type: resistor, nodes: [e, gnd], R: 50}
ports: [in]
"""
    f = flat(text, tmp_path)
    assert len(f.components) == 6
    # a 4-node (differential) tline is not referenced to ground
    # and each end's pair needs its own path (the line fixes no common mode between its ends)
    errs = errors(FREQ + "components:\n  R0: {type: resistor, nodes: [in, gnd], R: 50}\n  T1: {type: tline, nodes: [p, q, r, s], z0: 50, length: 1 m}\n  R1: {type: resistor, nodes: [r, s], R: 1}\nports: [in]\n")
    assert len(errs) == 2
    assert any("nodes p, q have no conducting path" in e for e in errs)
    assert any("nodes r, s have no conducting path" in e for e in errs)


def test_dangling_node_warning():
    f = flat(FREQ + """\
components:
  R1: {type: resistor, nodes: [in, gnd], R: 50}
  R2: {type: resistor, nodes: [in, stub], R: 50}
ports: [in]
""")
    assert [str(w) for w in f.warnings] == ["t.yaml:4:3: warning: node 'stub' is connected to only one terminal"]


def test_port_counts_as_a_terminal():
    f = flat(FREQ + "components:\n  R1: {type: resistor, nodes: [in, gnd], R: 50}\nports: [in]\n")
    assert f.warnings == ()


def test_frequency_grids():
    base = "components:\n  R1: {type: resistor, nodes: [a, gnd], R: 50}\nports: [a]\n"
    f = flat("frequency: {start: 1 GHz, stop: 2 GHz, points: 3}\n" + base)
    np.testing.assert_array_equal(f.frequency_hz, [1e9, 1.5e9, 2e9])
    assert f.frequency_hz.dtype == np.float64
    f = flat("frequency: {start: 1 MHz, stop: 1 GHz, points: 4, scale: log}\n" + base)
    np.testing.assert_allclose(f.frequency_hz, [1e6, 1e7, 1e8, 1e9])
    f = flat("frequency: {values: [1 GHz, 2 GHz]}\n" + base)
    np.testing.assert_array_equal(f.frequency_hz, [1e9, 2e9])
    f = flat("frequency: {start: 1 GHz, stop: 1 GHz, points: 1}\n" + base)
    np.testing.assert_array_equal(f.frequency_hz, [1e9])
    f = flat("parameters:\n  F0: 1 GHz\nfrequency: {start: F0, stop: 2 * F0, points: 2}\n" + base)
    np.testing.assert_array_equal(f.frequency_hz, [1e9, 2e9])
    assert flat(base).frequency_hz is None


@pytest.mark.parametrize(
    "freq, at, message",
    [
        ("{start: 2 GHz, stop: 1 GHz, points: 3}", "1 GHz", "frequency stop (1e+09 Hz) is below start (2e+09 Hz)"),
        ("{start: 1 GHz, stop: 2 GHz, points: 0}", "0}", "frequency points must be a whole number >= 1, not 0"),
        ("{start: 1 GHz, stop: 2 GHz, points: 2.5}", "2.5", "frequency points must be a whole number >= 1, not 2.5"),
        ("{start: 1 GHz, stop: 2 GHz, points: 1}", "1}", "a single frequency point needs start == stop"),
        ("{start: 0, stop: 2 GHz, points: 3, scale: log}", "0,", "a log frequency grid needs start > 0"),
        ("{start: -1, stop: 2 GHz, points: 3}", "-1", "frequency start must not be negative"),
        ("{values: [1 GHz, 1 GHz]}", "[", "frequency values must be strictly increasing"),
        ("{values: [-1, 1 GHz]}", "[", "frequency values must not be negative"),
    ],
)
def test_bad_frequency_grids(freq, at, message):
    line = f"frequency: {freq}"
    text = f"{line}\ncomponents:\n  R1: {{type: resistor, nodes: [a, gnd], R: 50}}\nports: [a]\n"
    assert one_error(text) == f"t.yaml:1:{line.index(at) + 1}: error: {message}"


def test_distribution_bounds_checked_at_nominal():
    e = one_error(FREQ + "parameters:\n  A: {value: 1, distribution: uniform, min: 2, max: 1}\ncomponents:\n  R1: {type: resistor, nodes: [a, gnd], R: A}\nports: [a]\n")
    assert "min (2) is above max (1)" in e


def test_non_finite_nominal():
    e = one_error(FREQ + "parameters:\n  A: 1 / 0\ncomponents:\n  R1: {type: resistor, nodes: [a, gnd], R: A}\nports: [a]\n")
    assert e == "t.yaml:3:3: error: parameter 'A' evaluates to inf at its nominal"


def test_apply_overrides():
    spec = parse_netlist(RES, "t.yaml", Path("."))
    new = apply_overrides(spec, {"C": "2 pF", "Lres": "{value: 3 nH, tolerance: 10%}"})
    assert new.parameters["C"].nominal == Num(2e-12)
    assert new.parameters["Lres"].is_random
    assert spec.parameters["C"].nominal == Num(1e-12)
    values = nominal_values(flatten(new))
    assert values["X3.C"] == pytest.approx(4e-12) and values["X1.L"] == pytest.approx(3e-9)
    assert apply_overrides(spec, {"C": "5e-12"}).parameters["C"].nominal == Num(5e-12)
    with pytest.raises(NetlistErrors) as info:
        apply_overrides(spec, {"Nope": "1"})
    assert str(info.value).startswith("--set Nope:1:1: error: no parameter 'Nope' to set")
    with pytest.raises(NetlistErrors) as info:
        apply_overrides(spec, {"C": "5 m"})
    assert "ambiguous" in str(info.value)


def test_example_netlists_flatten():
    root = Path(__file__).parents[2] / "examples"
    from pmrf_cli.netlist import load_netlist

    for path in sorted(root.glob("*.yaml")):
        f = flatten(load_netlist(path))
        assert f.frequency_hz is not None and f.frequency_hz[0] >= 1e7 and f.frequency_hz[-1] <= 3e9
        assert f.warnings == ()
