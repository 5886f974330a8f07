"""Parsing and validation of whole netlists (NETLIST.md), with file:line:col in every error."""

import io
import textwrap
from pathlib import Path

import pytest

from pmrf_cli.netlist import (
    Binary,
    Bound,
    Loc,
    Name,
    NetlistError,
    NetlistErrors,
    Num,
    load_netlist,
    parse_netlist,
)

HEAD = """\
frequency: {start: 10 MHz, stop: 3 GHz, points: 11}
"""


def parse(text, base_dir=Path(".")):
    return parse_netlist(textwrap.dedent(text), "t.yaml", base_dir)


def errors(text, base_dir=Path(".")):
    with pytest.raises((NetlistError, NetlistErrors)) as info:
        parse(text, base_dir)
    return [str(e) for e in info.value.errors]


def col(line, sub):
    """The 1-based column of `sub` in `line`."""
    return line.index(sub) + 1


def one_error(text, base_dir=Path(".")):
    errs = errors(text, base_dir)
    assert len(errs) == 1, errs
    return errs[0]


SIMPLE = """\
frequency: {start: 10 MHz, stop: 3 GHz, points: 11}
components:
  R1: {type: resistor, nodes: [in, out], R: 50 ohm}
ports: [in, out]
"""


def test_complete_example_loads():
    spec = load_netlist(Path(__file__).parents[2] / "examples" / "lpf.yaml")
    assert spec.name == "lpf5"
    assert spec.description.startswith("5th-order")
    assert list(spec.parameters) == ["Lnom", "L1", "C2", "L3"]
    assert spec.parameters["Lnom"].nominal == Num(7.96e-9)
    l1 = spec.parameters["L1"]
    assert l1.nominal == Name("Lnom")
    assert l1.distribution.kind == "uniform"
    assert l1.distribution.min == Bound(Num(0.95), True)
    assert l1.distribution.max == Bound(Num(1.05), True)
    c2 = spec.parameters["C2"].distribution
    assert c2.kind == "normal" and c2.std == Bound(Num(0.02), True)
    assert spec.parameters["L3"].nominal == Binary("*", Num(2.0), Name("Lnom"))
    assert spec.parameters["L3"].is_derived
    assert [c.type for c in spec.components.values()] == ["inductor", "capacitor", "inductor", "capacitor", "inductor"]
    assert spec.components["C2"].nodes == ("n1", "gnd")
    assert [p.node for p in spec.ports] == ["in", "out"]
    assert spec.ports[0].z0 == Num(50.0)
    assert spec.frequency.start == Num(1e7) and spec.frequency.points == Num(1001.0)


def test_minimal_netlist():
    spec = parse(SIMPLE)
    assert spec.components["R1"].fields["R"].expr == Num(50.0)
    assert spec.source == "t.yaml" and "R1" in spec.text


def test_frequency_is_optional_in_the_file():
    spec = parse(SIMPLE.split("\n", 1)[1])
    assert spec.frequency is None


def test_int_node_names_and_ground_zero():
    spec = parse("""\
        components:
          R1: {type: resistor, nodes: [1, 0], R: 50}
          R2: {type: resistor, nodes: [1, 2], R: 50}
        ports: [1, 2]
        """)
    assert spec.components["R1"].nodes == ("1", "0")
    assert spec.ports[0].node == "1"


def test_unknown_top_level_key():
    e = one_error(SIMPLE + "component: {}\n")
    assert e.startswith("t.yaml:5:1: error: unknown key 'component' in the netlist")


def test_not_a_mapping():
    assert one_error("- a\n- b\n").startswith("t.yaml:1:1: error: a netlist must be a mapping")
    assert "a netlist must be a mapping" in one_error("just text\n")


def test_empty_file():
    assert one_error("") == "t.yaml:1:1: error: empty netlist: nothing but comments or blank lines"


def test_missing_components_and_ports():
    errs = errors(HEAD)
    assert "t.yaml:1:1: error: the netlist needs 'components'" in errs
    assert "t.yaml:1:1: error: the netlist needs 'ports'" in errs


def test_unknown_type():
    line = "  R1: {type: resistr, nodes: [a, gnd], R: 1}"
    e = one_error(HEAD + f"components:\n{line}\nports: [a]\n")
    assert e.startswith(f"t.yaml:3:{col(line, 'resistr')}: error: component 'R1': unknown component type 'resistr'")


def test_missing_required_field():
    e = one_error(HEAD + "components:\n  R1: {type: resistor, nodes: [a, gnd]}\nports: [a]\n")
    assert e == "t.yaml:3:3: error: component 'R1': a resistor needs 'R'"


def test_field_the_type_does_not_have():
    line = "  R1: {type: resistor, nodes: [a, gnd], R: 1, C: 2}"
    e = one_error(HEAD + f"components:\n{line}\nports: [a]\n")
    assert e == f"t.yaml:3:{col(line, 'C:')}: error: component 'R1': a resistor has no field 'C' (fields: R)"


def test_unknown_key_in_component_missing_type_nodes():
    errs = errors(HEAD + "components:\n  R1: {nodes: [a, gnd], R: 1}\n  R2: {type: resistor, R: 1}\nports: [a]\n")
    assert "t.yaml:3:3: error: component 'R1' needs 'type'" in errs
    assert "t.yaml:4:3: error: component 'R2' needs 'nodes'" in errs


def test_unit_mismatch():
    line = "  C1: {type: capacitor, nodes: [a, gnd], C: 5 nH}"
    e = one_error(HEAD + f"components:\n{line}\nports: [a]\n")
    assert e == f"t.yaml:3:{col(line, 'nH')}: error: component 'C1' C: unit mismatch: expected F (capacitance), got 'nH'"


def test_unit_mismatch_in_quoted_expression():
    line = '  C1: {type: capacitor, nodes: [a, gnd], C: "2*5nH"}'
    e = one_error(HEAD + f"components:\n{line}\nports: [a]\n")
    assert e.startswith(f"t.yaml:3:{col(line, 'nH')}: error: component 'C1' C: unit mismatch")


def test_lone_m_in_parameter():
    e = one_error(HEAD + "parameters:\n  W: 5 m\n" + SIMPLE.split("\n", 1)[1])
    assert e.startswith("t.yaml:3:8: error: parameter 'W': a lone 'm' is ambiguous")


def test_lone_m_in_length_field_is_metres():
    spec = parse(HEAD + "components:\n  T1: {type: tline, nodes: [a, b], z0: 50, length: 1 m}\n  T2: {type: tline, nodes: [b, c], z0: 50, length: 1m}\nports: [a, c]\n")
    assert spec.components["T1"].fields["length"].expr == Num(1.0)
    assert spec.components["T2"].fields["length"].expr == Num(1.0)


def test_lone_m_in_other_field_is_milli():
    spec = parse(HEAD + "components:\n  R1: {type: resistor, nodes: [a, gnd], R: 1 m}\nports: [a]\n")
    assert spec.components["R1"].fields["R"].expr == Num(1e-3)


def test_unicode_prefix_and_ohm():
    spec = parse(HEAD + """\
components:
  R1: {type: resistor, nodes: [a, b], R: 1 k\u03a9}
  R2: {type: resistor, nodes: [b, gnd], R: 2 \u2126}
  L1: {type: inductor, nodes: [a, gnd], L: 1 \u00b5H}
  L2: {type: inductor, nodes: [b, gnd], L: 1 \u03bcH}
  R3: {type: resistor, nodes: [a, gnd], R: 1 meg}
ports: [a]
""")
    f = {n: c.fields for n, c in spec.components.items()}
    assert f["R1"]["R"].expr == Num(1e3) and f["R2"]["R"].expr == Num(2.0)
    assert f["L1"]["L"].expr == Num(1e-6) and f["L2"]["L"].expr == Num(1e-6)
    assert f["R3"]["R"].expr == Num(1e6)


def test_non_numeric_values():
    errs = errors(HEAD + "components:\n  R1: {type: resistor, nodes: [a, gnd], R: yes}\n  R2: {type: resistor, nodes: [a, gnd], R: [1]}\n  R3: {type: resistor, nodes: [a, gnd], R: .inf}\n  R4: {type: resistor, nodes: [a, gnd], R: }\nports: [a]\n")
    c = col("  R1: {type: resistor, nodes: [a, gnd], R: yes}", "yes")
    assert f"t.yaml:3:{c}: error: component 'R1' R must be a number or an expression, not 'yes'" in errs
    assert f"t.yaml:4:{c}: error: component 'R2' R must be a value, not a list" in errs
    assert f"t.yaml:5:{c}: error: component 'R3' R must be a finite number, not .inf" in errs
    assert any(e.startswith("t.yaml:6:") and "not empty" in e for e in errs)


def test_wrong_node_counts():
    line = "  R1: {type: resistor, nodes: [a, b, gnd], R: 1}"
    e = one_error(HEAD + f"components:\n{line}\nports: [a, b]\n")
    assert e == f"t.yaml:3:{col(line, '[a')}: error: component 'R1': a resistor takes 2 nodes, got 3"
    e = one_error(HEAD + "components:\n  T1: {type: tline, nodes: [a, b, c], z0: 50, theta: 90, f0: 1 GHz}\nports: [a]\n")
    assert "a tline takes 2 or 4 nodes, got 3" in e
    e = one_error(HEAD + "components:\n  T1: {type: transformer, nodes: [a, gnd, b], n: 2}\nports: [a]\n")
    assert "a transformer takes 4 nodes, got 3" in e


def test_port_on_node_no_component_touches():
    e = one_error(SIMPLE.replace("ports: [in, out]", "ports: [in, out, nowhere]"))
    assert e == "t.yaml:4:18: error: port node 'nowhere' is not connected to any component of the netlist"


def test_port_forms_and_z0():
    spec = parse(SIMPLE.replace("ports: [in, out]", "ports: [{node: in, z0: 75 ohm}, out]"))
    assert spec.ports[0].z0 == Num(75.0) and spec.ports[1].z0 == Num(50.0)
    e = one_error(SIMPLE.replace("ports: [in, out]", "ports: [{node: in, zo: 75}, out]"))
    assert e.startswith("t.yaml:4:20: error: unknown key 'zo' in a port")
    e = one_error(SIMPLE.replace("ports: [in, out]", "ports: [{node: in, z0: 5 nH}, out]"))
    assert "port z0: unit mismatch: expected ohm" in e
    assert "a port cannot be on ground" in one_error(SIMPLE.replace("ports: [in, out]", "ports: [in, gnd]"))
    assert "ports must name at least one node" in one_error(SIMPLE.replace("ports: [in, out]", "ports: []"))
    assert "port z0 must be positive" in one_error(SIMPLE.replace("ports: [in, out]", "ports: [{node: in, z0: 0}]"))


def test_tline_forms():
    base = HEAD + "components:\n  T1: {type: tline, nodes: [a, b], z0: 50, %s}\nports: [a, b]\n"
    spec = parse(base % "length: 10 mm")
    fields = spec.components["T1"].fields
    assert fields["length"].expr == Num(0.01) and fields["er"].expr == Num(1.0) and fields["loss"].expr == Num(0.0)
    spec = parse(base % "theta: 90 deg, f0: 1 GHz")
    assert set(spec.components["T1"].fields) == {"z0", "theta", "f0"}
    assert "not both" in one_error(base % "length: 10 mm, theta: 90, f0: 1 GHz")
    assert "not both" in one_error(base % "theta: 90, f0: 1 GHz, loss: 1 dB/m")
    assert "not both" in one_error(base % "theta: 90, f0: 1 GHz, er: 2")
    assert "given by theta needs 'f0'" in one_error(base % "theta: 90")
    assert "given by length needs 'length'" in one_error(base % "er: 2")
    e = one_error(HEAD + "components:\n  T1: {type: tline, nodes: [a, b], length: 1 m}\nports: [a, b]\n")
    assert e == "t.yaml:3:3: error: component 'T1': a tline needs 'z0'"
    e = one_error(HEAD + "components:\n  T1: {type: tline, nodes: [a, b], z0: 50}\nports: [a, b]\n")
    assert "a tline needs" in e
    e = one_error(base % "length: 1 m, loss: 2 dB")
    assert "unit mismatch: expected dB/m" in e


def test_touchstone_file_found_and_port_count(tmp_path):
    (tmp_path / "amp.s2p").write_text("# GHz S MA R 50\n1 0 0 1 0 1 0 0 0\n")
    text = HEAD + "components:\n  A1: {type: touchstone, nodes: [a, b], file: amp.s2p}\nports: [a, b]\n"
    spec = parse(text, tmp_path)
    comp = spec.components["A1"]
    assert comp.file == tmp_path / "amp.s2p" and comp.file_ports == 2 and comp.fields == {}
    spec = parse(text.replace("[a, b]", "[a, b, gnd]", 1), tmp_path)
    assert spec.components["A1"].nodes == ("a", "b", "gnd")
    e = one_error(text.replace("[a, b]", "[a]", 1).replace("ports: [a, b]", "ports: [a]"), tmp_path)
    assert "a touchstone takes 2 or 3 nodes, got 1" in e


def test_touchstone_file_missing(tmp_path):
    line = "  A1: {type: touchstone, nodes: [a, b], file: data/none.s2p}"
    e = one_error(HEAD + f"components:\n{line}\nports: [a, b]\n", tmp_path)
    resolved = (tmp_path / "data" / "none.s2p").resolve()
    assert e == f"t.yaml:3:{col(line, 'data/')}: error: component 'A1': Touchstone file not found: {resolved}"


def test_touchstone_v2_port_count(tmp_path):
    (tmp_path / "blk.ts").write_text("[Version] 2.0\n# GHz S MA R 50\n[Number of Ports] 3\n")
    spec = parse(HEAD + "components:\n  A1: {type: touchstone, nodes: [a, b, c], file: blk.ts}\nports: [a, b, c]\n", tmp_path)
    assert spec.components["A1"].file_ports == 3


def test_touchstone_relative_to_netlist_folder(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "amp.s2p").write_text("# GHz S MA R 50\n")
    net = tmp_path / "sub" / "n.yaml"
    net.write_text("components:\n  A1: {type: touchstone, nodes: [a, b], file: amp.s2p}\nports: [a, b]\n")
    monkeypatch.chdir(tmp_path)
    spec = load_netlist("sub/n.yaml")
    assert spec.components["A1"].file.resolve() == (tmp_path / "sub" / "amp.s2p").resolve()
    assert spec.source == "sub/n.yaml"


def test_stdin_resolves_against_working_folder(tmp_path, monkeypatch):
    (tmp_path / "amp.s2p").write_text("# GHz S MA R 50\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("components:\n  A1: {type: touchstone, nodes: [a, b], file: amp.s2p}\nports: [a, b]\n"))
    spec = load_netlist("-")
    assert spec.source == "<stdin>" and spec.components["A1"].file.resolve() == (tmp_path / "amp.s2p").resolve()


def test_stdin_errors_name_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("bogus: 1\n"))
    with pytest.raises(NetlistErrors) as info:
        load_netlist("-")
    assert str(info.value.errors[0]).startswith("<stdin>:1:1: error: unknown key 'bogus'")


def test_missing_netlist_file(tmp_path):
    with pytest.raises(NetlistError) as info:
        load_netlist(str(tmp_path / "nope.yaml"))
    assert str(info.value).endswith(":1:1: error: netlist file not found")


# -- parameters --------------------------------------------------------------------------------


def _with_params(block):
    return HEAD + "parameters:\n" + textwrap.indent(textwrap.dedent(block).rstrip("\n") + "\n", "  ") + SIMPLE.split("\n", 1)[1]


def params(block):
    return parse(_with_params(block)).parameters


def param_error(block):
    return one_error(_with_params(block))


def test_parameter_forms():
    p = params("""\
        R0: 50 ohm
        L3: "2 * Lnom"
        Lnom: 7.96 nH
        C2: {value: 6.37 pF, tolerance: 5%}
        C3: {value: 6.37 pF, distribution: uniform, min: 6 pF, max: 6.7 pF}
        C4: {value: 6.37 pF, distribution: normal, std: 2%}
        C4b: {value: 6.37 pF, distribution: normal, std: 0.1 pF}
        C5: {value: 6.37 pF, distribution: normal, std: 2%, min: 6 pF, max: 6.7 pF}
        C6: {value: 6.37 pF, distribution: lognormal, std: 2%}
        C7: {value: 6.8 pF, distribution: choice, values: [5.6 pF, 6.8 pF, 8.2 pF]}
        C8: {value: 1 pF, tolerance: 0.1 pF}
        C9: {value: 1 pF}
        """)
    assert p["R0"].nominal == Num(50.0) and p["R0"].is_fixed
    assert p["L3"].is_derived and not p["L3"].is_random
    assert p["C2"].distribution.min == Bound(Num(0.95), True)
    c3 = p["C3"].distribution
    assert c3.kind == "uniform" and c3.min == Bound(Num(6e-12)) and c3.max == Bound(Num(6.7e-12))
    assert p["C4"].distribution.std == Bound(Num(0.02), True)
    assert p["C4b"].distribution.std == Bound(Num(1e-13), False)
    c5 = p["C5"].distribution
    assert c5.kind == "normal" and c5.min == Bound(Num(6e-12)) and c5.max == Bound(Num(6.7e-12))
    c6 = p["C6"].distribution
    assert c6.kind == "lognormal" and c6.std == Bound(Num(0.02), False)
    assert p["C7"].distribution.values == (Num(5.6e-12), Num(6.8e-12), Num(8.2e-12))
    c8 = p["C8"].distribution
    assert c8.min == Bound(Binary("-", Num(1e-12), Num(1e-13))) and c8.max == Bound(Binary("+", Num(1e-12), Num(1e-13)))
    assert p["C9"].distribution is None and p["C9"].is_fixed


def test_distribution_keys_that_do_not_fit():
    assert "'std' does not apply to a uniform distribution" in param_error("C: {value: 1, distribution: uniform, min: 0, max: 2, std: 1%}")
    assert "a uniform distribution needs 'max'" in param_error("C: {value: 1, distribution: uniform, min: 0}")
    assert "a normal distribution needs 'std'" in param_error("C: {value: 1, distribution: normal}")
    assert "a choice distribution needs 'values'" in param_error("C: {value: 1, distribution: choice}")
    assert "'min' does not apply to a lognormal" in param_error("C: {value: 1, distribution: lognormal, std: 1%, min: 0}")
    assert "'values' does not apply to a normal" in param_error("C: {value: 1, distribution: normal, std: 1%, values: [1]}")
    assert "unknown distribution 'gauss'" in param_error("C: {value: 1, distribution: gauss, std: 1%}")
    assert "'std' needs a 'distribution'" in param_error("C: {value: 1, std: 1%}")
    assert "cannot be used with distribution: normal" in param_error("C: {value: 1, tolerance: 5%, distribution: normal}")
    assert "'min' cannot be combined with 'tolerance'" in param_error("C: {value: 1, tolerance: 5%, min: 0}")
    assert "needs 'value'" in param_error("C: {tolerance: 5%}")
    assert "'values' must be a non-empty list" in param_error("C: {value: 1, distribution: choice, values: []}")
    assert "std' cannot be negative" in param_error("C: {value: 1, distribution: normal, std: -1}")
    assert "unit mismatch: expected a plain number" in param_error("C: {value: 1 pF, distribution: lognormal, std: 0.1 pF}")
    assert params("C: {value: 1 pF, distribution: lognormal, std: 0.02}")["C"].distribution.std == Bound(Num(0.02))


def test_unknown_key_in_parameter():
    e = param_error("C: {value: 1, tol: 5%}")
    assert e.startswith("t.yaml:3:17: error: unknown key 'tol' in parameter 'C'")


def test_bad_parameter_names():
    assert "not a valid name" in param_error("2x: 1")
    assert "reserved" in param_error("pi: 3")
    assert "reserved" in param_error("sqrt: 3")


def test_percent_only_where_allowed():
    assert "percentage is not allowed" in param_error("C: 5%")
    e = one_error(HEAD + "components:\n  R1: {type: resistor, nodes: [a, gnd], R: 5%}\nports: [a]\n")
    assert "percentage is not allowed" in e


# -- frequency ---------------------------------------------------------------------------------


def freq_error(freq, extra=""):
    return errors(f"frequency: {freq}\n{extra}" + SIMPLE.split("\n", 1)[1])


def test_frequency_forms():
    spec = parse("frequency: {values: [1 GHz, 2 GHz, 2.5e9]}\n" + SIMPLE.split("\n", 1)[1])
    assert spec.frequency.values == (Num(1e9), Num(2e9), Num(2.5e9))
    spec = parse("frequency: {start: 1 MHz, stop: 1 GHz, points: 31, scale: log}\n" + SIMPLE.split("\n", 1)[1])
    assert spec.frequency.scale == "log"


def test_frequency_key_errors():
    assert any("unknown key 'step' in frequency" in e for e in freq_error("{start: 1, stop: 2, points: 2, step: 1}"))
    assert any("give either 'values' or start/stop/points" in e for e in freq_error("{start: 1, values: [1]}"))
    assert any("frequency needs 'points'" in e for e in freq_error("{start: 1, stop: 2}"))
    assert any("scale must be 'linear' or 'log'" in e for e in freq_error("{start: 1, stop: 2, points: 2, scale: lin}"))
    assert any("unit mismatch: expected Hz" in e for e in freq_error("{start: 1 pF, stop: 2, points: 2}"))
    assert any("frequency must be a mapping" in e for e in freq_error("[1, 2]"))


def test_frequency_uses_only_fixed_parameters():
    errs = freq_error("{start: F0, stop: 3 GHz, points: 3}", "parameters:\n  F0: {value: 1 GHz, tolerance: 1%}\n")
    assert errs == ["t.yaml:1:20: error: frequency may use fixed parameters only; 'F0' is random"]
    errs = freq_error("{start: F1, stop: 3 GHz, points: 3}", "parameters:\n  F0: {value: 1 GHz, tolerance: 1%}\n  F1: F0\n")
    assert errs == ["t.yaml:1:20: error: frequency may use fixed parameters only; 'F1' is random (through 'F0')"]
    spec = parse("frequency: {start: F1, stop: 3 GHz, points: 3}\nparameters:\n  F0: 1 GHz\n  F1: F0 / 2\n" + SIMPLE.split("\n", 1)[1])
    assert spec.frequency.start == Name("F1")
    assert "frequency: unknown name 'Fx'" in freq_error("{start: Fx, stop: 3 GHz, points: 3}")[0]


# -- subcircuits ------------------------------------------------------------------------------

SUB = """\
frequency: {start: 10 MHz, stop: 3 GHz, points: 11}
subcircuits:
  resonator:
    ports: [a]
    parameters: {L: 2 nH, C: {value: 12.7 pF, tolerance: 5%}}
    components:
      Lr: {type: inductor,  nodes: [a, gnd], L: L}
      Cr: {type: capacitor, nodes: [a, gnd], C: C}
components:
  X1: {type: resonator, nodes: [n1]}
  X2: {type: resonator, nodes: [n2], C: 10 pF}
  C12: {type: capacitor, nodes: [n1, n2], C: 1 pF}
ports: [n1, n2]
"""


def test_subcircuit_parses():
    spec = parse(SUB)
    sub = spec.subcircuits["resonator"]
    assert sub.ports == ("a",) and list(sub.parameters) == ["L", "C"]
    assert spec.components["X2"].overrides["C"].nominal == Num(1e-11)
    assert spec.components["X2"].overrides["C"].distribution is None
    assert spec.components["X1"].overrides == {}


def test_override_of_undeclared_parameter():
    e = one_error(SUB.replace("C: 10 pF", "Q: 10"))
    assert e.startswith("t.yaml:11:38: error: component 'X2': subcircuit 'resonator' has no parameter 'Q' to override")


def test_instance_node_count():
    e = one_error(SUB.replace("nodes: [n1]}", "nodes: [n1, n3]}"))
    assert "subcircuit 'resonator' has 1 port(s) (a), got 2 node(s)" in e


def test_subcircuit_contains_itself_directly():
    text = SUB.replace("      Cr: {type: capacitor, nodes: [a, gnd], C: C}", "      Cr: {type: capacitor, nodes: [a, gnd], C: C}\n      Xs: {type: resonator, nodes: [a]}")
    e = one_error(text)
    assert e == "t.yaml:9:7: error: subcircuit 'resonator' contains itself: resonator -> resonator"


def test_subcircuit_contains_itself_indirectly():
    text = """\
subcircuits:
  a:
    ports: [p]
    components:
      X: {type: b, nodes: [p]}
  b:
    ports: [p]
    components:
      Y: {type: a, nodes: [p]}
      R: {type: resistor, nodes: [p, gnd], R: 1}
components:
  X1: {type: a, nodes: [n]}
ports: [n]
"""
    e = one_error(text)
    assert "contains itself: a -> b -> a" in e or "contains itself: b -> a -> b" in e
    assert e.startswith("t.yaml:")


def test_subcircuit_key_errors():
    errs = errors(SUB.replace("    ports: [a]\n", "    ports: [a]\n    nodes: [a]\n"))
    assert any("unknown key 'nodes' in subcircuit 'resonator'" in e for e in errs)
    errs = errors(SUB.replace("    ports: [a]\n", "    ports: [a, b]\n"))
    assert any("port node 'b' is not connected to any component of subcircuit 'resonator'" in e for e in errs)
    errs = errors(SUB.replace("  resonator:\n", "  resistor:\n").replace("type: resonator", "type: resistor"))
    assert any("has the name of a built-in component type" in e for e in errs)


def test_several_errors_collected():
    errs = errors(HEAD + "bogus: 1\ncomponents:\n  R1: {type: foo, nodes: [a, gnd]}\n  C1: {type: capacitor, nodes: [a, gnd], C: 1 nH}\nports: [a]\n")
    assert len(errs) == 3
    assert errs[0].startswith("t.yaml:2:1: error: unknown key 'bogus'")
