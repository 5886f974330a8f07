"""The component library's netlist types: parsing, units, node counts, defaults, static choices,
connectivity, physical domains, and the JSON Schema entries."""

from __future__ import annotations

import json

import jax
import numpy as np
import pytest
import yaml

from pmrf_cli import models
from pmrf_cli.netlist import (
    get_type,
    nominal_values,
    schema_text,
    type_names,
    validate_against_schema,
)
from pmrf_cli.netlist.build import circuit_builder, domain_checks
from tests.netlist.conftest import errors, load, netlist
from pmrf_cli.netlist.library_types import LIBRARY_TYPES, QMODE

CU = 5.8e7


def one_error(text: str) -> str:
    errs = errors(text)
    assert len(errs) == 1, errs
    return errs[0]


def built(text: str, name: str = "X"):
    flat = load(text)
    return flat, circuit_builder(flat)(nominal_values(flat)).component(name)


def same_model(a, b) -> bool:
    """Same class, same static fields (tree structure) and the same values, to the last bit."""
    la, ta = jax.tree_util.tree_flatten(a)
    lb, tb = jax.tree_util.tree_flatten(b)
    return type(a) is type(b) and ta == tb and all(np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(la, lb))


# --- each type: the netlist component and the model it must build --------------------------------
CASES = {
    "coax": (
        "X: {type: coax, nodes: [a, b], din: 0.91 mm, dout: 2.95 mm, er: 2.1, tand: 2e-4, sigma: 3e7 S/m, "
        "length: 150 mm, rough: 0.5 um}",
        models.Coax(0.91e-3, 2.95e-3, 0.15, er=2.1, tand=2e-4, sigma=3e7, rough=0.5e-6),
    ),
    "coax defaults": (
        "X: {type: coax, nodes: [a, b], din: 1 mm, dout: 3 mm, length: 0.1}",
        models.Coax(1e-3, 3e-3, 0.1),
    ),
    "microstrip": (
        "X: {type: microstrip, nodes: [a, b], w: 1.5 mm, h: 0.8 mm, t: 35 um, er: 4.4, tand: 0.02, sigma: 5.8e7, "
        "length: 10 mm, rough: 1 um}",
        models.Microstrip(1.5e-3, 0.8e-3, 4.4, 10e-3, t=35e-6, tand=0.02, sigma=CU, rough=1e-6),
    ),
    "microstrip defaults": (
        "X: {type: microstrip, nodes: [a, b], w: 1.5 mm, h: 0.8 mm, er: 4.4, length: 10 mm}",
        models.Microstrip(1.5e-3, 0.8e-3, 4.4, 10e-3),
    ),
    "stripline": (
        "X: {type: stripline, nodes: [a, b], w: 1 mm, b: 2 mm, t: 18 um, er: 3, tand: 0.002, sigma: 4e7, "
        "length: 20 mm}",
        models.Stripline(1e-3, 2e-3, 3.0, 20e-3, t=18e-6, tand=0.002, sigma=4e7),
    ),
    "cpw": (
        "X: {type: cpw, nodes: [a, b], w: 1 mm, s: 0.2 mm, h: 0.5 mm, t: 35 um, er: 3.55, tand: 0.003, "
        "length: 12 mm, backside: true}",
        models.CPW(1e-3, 0.2e-3, 0.5e-3, 3.55, 12e-3, t=35e-6, tand=0.003, backside=True),
    ),
    "cpw backside false": (
        "X: {type: cpw, nodes: [a, b], w: 1 mm, s: 0.2 mm, h: 0.5 mm, er: 3.55, length: 12 mm, backside: false}",
        models.CPW(1e-3, 0.2e-3, 0.5e-3, 3.55, 12e-3, backside=False),
    ),
    "cpw defaults": (
        "X: {type: cpw, nodes: [a, b], w: 1 mm, s: 0.2 mm, h: 0.5 mm, er: 3.55, length: 12 mm}",
        models.CPW(1e-3, 0.2e-3, 0.5e-3, 3.55, 12e-3),
    ),
    "rlgc units": (
        "X: {type: rlgc, nodes: [a, b], R: 8 ohm/m, L: 420 nH/m, G: 1 mS/m, C: 105 pF/m, length: 6 mm}",
        models.RLGCLine(8.0, 420e-9, 1e-3, 105e-12, 6e-3),
    ),
    "rlgc plain": (
        "X: {type: rlgc, nodes: [a, b], R: 8, L: 4.2e-7, G: 0, C: 1.05e-10, length: 0.006}",
        models.RLGCLine(8.0, 420e-9, 0.0, 105e-12, 6e-3),
    ),
    "coupled theta": (
        "X: {type: coupled_tline, nodes: [a, c, d, b], z0e: 70 ohm, z0o: 36, theta_e: 90 deg, theta_o: 85, f0: 2 GHz}",
        models.CoupledLine(70.0, 36.0, 90.0, 85.0, 2e9),
    ),
    "coupled length": (
        "X: {type: coupled_tline, nodes: [a, c, d, b, gnd], z0e: 70, z0o: 36, length: 20 mm, ere: 3.3, ero: 2.9}",
        models.CoupledLine.physical(70.0, 36.0, 20e-3, 3.3, 2.9),
    ),
    "attenuator": ("X: {type: attenuator, nodes: [a, b], dB: 6 dB}", models.Attenuator(6.0)),
    "isolator": ("X: {type: isolator, nodes: [a, b], loss: 0.5 dB, isolation: 20}", models.Isolator(0.5, 20.0)),
    "isolator defaults": ("X: {type: isolator, nodes: [a, b]}", models.Isolator()),
    "circulator": (
        "X: {type: circulator, nodes: [a, b, c], isolation: 30 dB}\nRc: {type: resistor, nodes: [c, gnd], R: 50}",
        models.Circulator(isolation=30.0),
    ),
    "vccs": (
        "X: {type: vccs, nodes: [a, gnd, b, gnd], gm: 60 mS, tau: 6 ps}",
        models.VCCS(0.06, 6e-12),
    ),
    "vccs defaults": ("X: {type: vccs, nodes: [a, b], gm: 0.02}", models.VCCS(0.02)),
    "inductor_q": (
        "X: {type: inductor_q, nodes: [a, b], L: 8 nH, Q: 35, fq: 2 GHz, qmode: sqrt}",
        models.InductorQ(8e-9, 35.0, fq=2e9, qmode="sqrt"),
    ),
    "inductor_q defaults": ("X: {type: inductor_q, nodes: [a, b], L: 8 nH, Q: 35}", models.InductorQ(8e-9, 35.0)),
    "capacitor_q": (
        "X: {type: capacitor_q, nodes: [a, b], C: 1 pF, Q: 80, qmode: constant}",
        models.CapacitorQ(1e-12, 80.0, qmode="constant"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_type_builds_its_model(case):
    comp, expected = CASES[case]
    text = netlist(comp)
    _, model = built(text)
    assert same_model(model, expected), (model, expected)
    assert validate_against_schema(yaml.safe_load(text)) == []


def test_every_library_type_is_registered_and_has_a_case():
    assert set(LIBRARY_TYPES) <= set(type_names())
    covered = {CASES[c][0].split("type: ")[1].split(",")[0] for c in CASES}
    assert covered == set(LIBRARY_TYPES)


def test_qmode_choices_are_the_models():
    from pmrf_cli.models.lossy_lumped import QMODES

    assert QMODE.choices == QMODES


def test_a_parameter_drives_a_field_and_sweeps_trace():
    text = netlist("X: {type: microstrip, nodes: [a, b], w: W, h: 0.8 mm, er: 4.4, length: 10 mm}").replace(
        "components:", "parameters: {W: {value: 1.5 mm, tolerance: 10%}}\ncomponents:"
    )
    flat = load(text)
    build = circuit_builder(flat)
    batch = jax.vmap(lambda w: build({"W": w}).component("X").w)(np.array([1e-3, 2e-3]))
    assert np.allclose(batch, [1e-3, 2e-3])


# --- units ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "comp, word",
    [
        ("X: {type: microstrip, nodes: [a, b], w: 5 nH, h: 0.8 mm, er: 4.4, length: 10 mm}", "w: unit mismatch"),
        ("X: {type: coax, nodes: [a, b], din: 1 mm, dout: 3 mm, length: 0.1, sigma: 5 S}", "sigma: unit mismatch"),
        ("X: {type: rlgc, nodes: [a, b], R: 8, L: 420 nH, G: 0, C: 1e-10, length: 0.006}", "L: unit mismatch"),
        ("X: {type: rlgc, nodes: [a, b], R: 8 ohm, L: 4e-7, G: 0, C: 1e-10, length: 0.006}", "R: unit mismatch"),
        ("X: {type: attenuator, nodes: [a, b], dB: 3 ohm}", "dB: unit mismatch"),
        ("X: {type: vccs, nodes: [a, b], gm: 50 mS, tau: 5 pF}", "tau: unit mismatch"),
        ("X: {type: inductor_q, nodes: [a, b], L: 8 nH, Q: 35, fq: 2 GH}", "fq: unit mismatch"),
        ("X: {type: coupled_tline, nodes: [a, c, d, b], z0e: 70 H, z0o: 36, theta_e: 90, theta_o: 90, f0: 2 GHz}",
         "z0e: unit mismatch"),
    ],
)
def test_unit_errors(comp, word):
    err = one_error(netlist(comp))
    assert word in err, err
    assert err.startswith("t.yaml:3:"), err


# --- node counts ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "type_name, counts",
    [
        ("coax", (2, 4)), ("microstrip", (2, 4)), ("stripline", (2, 4)), ("cpw", (2, 4)), ("rlgc", (2, 4)),
        ("coupled_tline", (4, 5)), ("attenuator", (2, 3, 4)), ("isolator", (2, 3, 4)),
        ("circulator", (3, 4, 6)), ("vccs", (2, 3, 4)), ("inductor_q", (2,)), ("capacitor_q", (2,)),
    ],
)
def test_node_counts(type_name, counts):
    assert get_type(type_name).allowed_node_counts() == counts


@pytest.mark.parametrize(
    "comp, message",
    [
        ("X: {type: microstrip, nodes: [a, b, c], w: 1 mm, h: 1 mm, er: 4, length: 1 mm}", "takes 2 or 4 nodes, got 3"),
        ("X: {type: coupled_tline, nodes: [a, b], z0e: 70, z0o: 36, theta_e: 90, theta_o: 90, f0: 2 GHz}",
         "takes 4 or 5 nodes, got 2"),
        ("X: {type: circulator, nodes: [a, b]}", "takes 3 or 4 or 6 nodes, got 2"),
        ("X: {type: vccs, nodes: [a, b, c, d, e], gm: 1}", "takes 2 or 3 or 4 nodes, got 5"),
        ("X: {type: capacitor_q, nodes: [a, b, c], C: 1 pF, Q: 50}", "takes 2 nodes, got 3"),
    ],
)
def test_wrong_node_count(comp, message):
    assert message in one_error(netlist(comp))


# --- fields: required, forms, unknown, choices ---------------------------------------------------
@pytest.mark.parametrize(
    "comp, message",
    [
        ("X: {type: microstrip, nodes: [a, b], h: 1 mm, er: 4, length: 1 mm}", "a microstrip needs 'w'"),
        ("X: {type: cpw, nodes: [a, b], w: 1 mm, gap: 1 mm, h: 1 mm, er: 4, length: 1 mm}", "has no field 'gap'"),
        ("X: {type: coupled_tline, nodes: [a, c, d, b], z0e: 70, z0o: 36, theta_e: 90, theta_o: 90, f0: 2 GHz, "
         "length: 1 mm}", "give one form"),
        ("X: {type: coupled_tline, nodes: [a, c, d, b], z0e: 70, z0o: 36, length: 1 mm, ere: 3}", "needs 'ero'"),
        ("X: {type: coupled_tline, nodes: [a, c, d, b], z0e: 70, z0o: 36}", "needs"),
        ("X: {type: attenuator, nodes: [a, b]}", "needs 'dB'"),
        ("X: {type: cpw, nodes: [a, b], w: 1 mm, s: 1 mm, h: 1 mm, er: 4, length: 1 mm, backside: maybe}",
         "backside must be one of false, true, not 'maybe'"),
        ("X: {type: cpw, nodes: [a, b], w: 1 mm, s: 1 mm, h: 1 mm, er: 4, length: 1 mm, backside: 1}",
         "backside must be one of false, true, not '1'"),
        ("X: {type: inductor_q, nodes: [a, b], L: 1 nH, Q: 30, qmode: linear}", "qmode must be one of constant, sqrt"),
        ("X: {type: inductor_q, nodes: [a, b], L: 1 nH, Q: 30, qmode: [sqrt]}", "qmode must be one of constant, sqrt"),
        ("X: {type: isolator, nodes: [a, b], loss: true}", "loss must be a number"),
    ],
)
def test_field_errors(comp, message):
    errs = errors(netlist(comp))
    assert any(message in e for e in errs), errs


def test_a_choice_is_not_taken_from_a_parameter():
    text = netlist("X: {type: capacitor_q, nodes: [a, b], C: 1 pF, Q: 30, qmode: M}").replace(
        "components:", "parameters: {M: 1}\ncomponents:"
    )
    assert "qmode must be one of constant, sqrt, not 'M'" in one_error(text)


def test_yaml_booleans_and_quoted_words_are_choices():
    base = "X: {type: cpw, nodes: [a, b], w: 1 mm, s: 0.2 mm, h: 0.5 mm, er: 3.55, length: 12 mm, backside: %s}"
    for word, expected in (("yes", True), ("True", True), ("'true'", True), ("off", False), ('"false"', False)):
        _, model = built(netlist(base % word))
        assert model.backside is expected, word


# --- connectivity ---------------------------------------------------------------------------------
def test_vccs_joins_nothing():
    # the output side (d, x) has no path of its own: the VCCS must not lend it the input's
    text = netlist(
        """\
        R1: {type: resistor, nodes: [a, gnd], R: 50}
        G: {type: vccs, nodes: [a, gnd, d, gnd], gm: 0.05}
        R2: {type: resistor, nodes: [d, x], R: 50}
        C2: {type: capacitor, nodes: [x, d], C: 1 pF}
        """,
        "[a]",
    )
    err = one_error(text)
    assert "nodes d, x have no conducting path" in err


def test_vccs_input_alone_is_floating():
    text = netlist(
        """\
        G: {type: vccs, nodes: [g, b], gm: 0.05}
        R: {type: resistor, nodes: [b, a], R: 50}
        R3: {type: resistor, nodes: [g, h], R: 50}
        R4: {type: resistor, nodes: [h, g], R: 50}
        """
    )
    assert "nodes g, h have no conducting path" in one_error(text)


def test_vccs_with_anchored_sides_is_fine():
    flat = load(netlist("G: {type: vccs, nodes: [a, gnd, b, gnd], gm: 0.05}\nR: {type: resistor, nodes: [b, gnd], R: 50}"))
    assert flat.warnings == ()


def test_pair_placed_line_does_not_join_its_ends():
    # [p1+, p1-, p2+, p2-]: the far pair's common mode is undetermined with only a load across it
    text = netlist(
        """\
        X: {type: microstrip, nodes: [a, gnd, y, z], w: 1 mm, h: 1 mm, er: 4, length: 10 mm}
        R: {type: resistor, nodes: [y, z], R: 50}
        """,
        "[a]",
    )
    assert "nodes y, z have no conducting path" in one_error(text)
    # ... and anchoring one side of the pair (here to ground) is enough
    load(text.replace("R: {type: resistor, nodes: [y, z], R: 50}", "R: {type: resistor, nodes: [y, z], R: 50}\n"
                      "  Rz: {type: resistor, nodes: [z, gnd], R: 50}"))


def test_grounded_line_and_common_reference_forms_connect():
    load(netlist("X: {type: attenuator, nodes: [a, b, gnd], dB: 3}"))
    load(netlist("X: {type: coax, nodes: [a, b], din: 1 mm, dout: 3 mm, length: 0.1}"))
    flat = load(netlist("X: {type: coupled_tline, nodes: [a, c, d, b], z0e: 70, z0o: 36, length: 1 mm, ere: 3, ero: 3}"))
    assert sorted(w.message for w in flat.warnings) == ["node 'c' is connected to only one terminal",
                                                        "node 'd' is connected to only one terminal"]


# --- domains --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "comp, label",
    [
        ("X: {type: microstrip, nodes: [a, b], w: 1 mm, h: 1 mm, er: 0.5, length: 1 mm}", "X.er >= 1"),
        ("X: {type: microstrip, nodes: [a, b], w: 0, h: 1 mm, er: 4, length: 1 mm}", "X.w > 0"),
        ("X: {type: coax, nodes: [a, b], din: 1 mm, dout: 3 mm, length: -1}", "X.length >= 0"),
        ("X: {type: stripline, nodes: [a, b], w: 1 mm, b: 2 mm, er: 4, length: 1 mm, tand: -0.1}", "X.tand >= 0"),
        ("X: {type: cpw, nodes: [a, b], w: 1 mm, s: 0.2 mm, h: 1 mm, er: 4, length: 1 mm, sigma: 0}", "X.sigma > 0"),
        ("X: {type: rlgc, nodes: [a, b], R: 0, L: 1e-7, G: 0, C: 0, length: 1}", "X.C > 0"),
        ("X: {type: coupled_tline, nodes: [a, c, d, b], z0e: 70, z0o: 0, theta_e: 90, theta_o: 90, f0: 1 GHz}",
         "X.z0o > 0"),
        ("X: {type: attenuator, nodes: [a, b], dB: -3}", "X.dB >= 0"),
        ("X: {type: isolator, nodes: [a, b], isolation: -1}", "X.isolation >= 0"),
        ("X: {type: vccs, nodes: [a, b], gm: 1, tau: -1 ps}", "X.tau >= 0"),
        ("X: {type: inductor_q, nodes: [a, b], L: 1 nH, Q: 0}", "X.Q > 0"),
        ("X: {type: capacitor_q, nodes: [a, b], C: 1 pF, Q: 10, fq: 0}", "X.fq > 0"),
    ],
)
def test_unphysical_values_fail_their_domain(comp, label):
    # fixed values: refused at load, at the field
    err = one_error(netlist(comp))
    assert label in err and err.startswith("t.yaml:3:"), err
    # through a random parameter: the per-sample check (what a sweep counts) names the same domain
    name = label.split(".")[1].split(" ")[0]
    value = yaml.safe_load(netlist(comp))["components"]["X"][name]
    text = netlist(comp.replace(f"{name}: {value}", f"{name}: V"))
    text = text.replace("components:", f"parameters:\n  V: {{value: {value!r}, distribution: uniform, min: -1, max: 1}}\ncomponents:")
    flat = load(text)
    values = nominal_values(flat)
    failing = [lab for lab, _, ok in domain_checks(flat) if not bool(ok(values))]
    assert failing == [label]


def test_negative_gm_is_allowed():
    flat = load(netlist("X: {type: vccs, nodes: [a, b], gm: -0.05}"))
    values = nominal_values(flat)
    assert all(bool(ok(values)) for _, _, ok in domain_checks(flat))


# --- schema ---------------------------------------------------------------------------------------
def _schema_entry(name):
    schema = json.loads(schema_text())
    for entry in schema["$defs"]["component"]["allOf"]:
        if entry["if"]["properties"]["type"]["const"] == name:
            return entry["then"]
    raise KeyError(name)


@pytest.mark.parametrize("name", LIBRARY_TYPES)
def test_schema_entry_matches_the_registry(name):
    then = _schema_entry(name)
    ctype = get_type(name)
    assert set(then["properties"]) == {"type", "nodes"} | set(ctype.fields)
    grouped = set().union(*(g.fields for g in ctype.groups)) if ctype.groups else set()
    required = {f for f, s in ctype.fields.items() if s.required and f not in grouped}
    assert set(then["required"]) == {"type", "nodes"} | required
    assert name in json.loads(schema_text())["properties"]["subcircuits"]["propertyNames"]["not"]["enum"]


@pytest.mark.parametrize(
    "comp, fragment",
    [
        ("X: {type: microstrip, nodes: [a, b, c], w: 1 mm, h: 1 mm, er: 4, length: 1 mm}", "components/X"),
        ("X: {type: microstrip, nodes: [a, b], h: 1 mm, er: 4, length: 1 mm}", "'w' is a required property"),
        ("X: {type: cpw, nodes: [a, b], w: 1 mm, s: 1 mm, h: 1 mm, er: 4, length: 1 mm, backside: 'yes'}",
         "is not of type 'boolean'"),
        ("X: {type: inductor_q, nodes: [a, b], L: 1 nH, Q: 30, qmode: linear}", "is not one of"),
        ("X: {type: coupled_tline, nodes: [a, c, d, b], z0e: 70, z0o: 36, theta_e: 90, theta_o: 90, f0: 2 GHz, "
         "length: 1 mm}", "components/X"),
        ("X: {type: coupled_tline, nodes: [a, c, d, b], z0e: 70, z0o: 36, length: 1 mm, ere: 3}", "components/X"),
        ("X: {type: circulator, nodes: [a, b, c, d, e]}", "components/X"),
        ("X: {type: vccs, nodes: [a, b], gm: 1, gain: 2}", "'gain' was unexpected"),
    ],
)
def test_schema_rejects(comp, fragment):
    problems = validate_against_schema(yaml.safe_load(netlist(comp)))
    assert problems
    assert any(fragment in p for p in problems), problems


def test_schema_subcircuit_cannot_take_a_library_type_name():
    data = yaml.safe_load(netlist("X: {type: attenuator, nodes: [a, b], dB: 3}"))
    data["subcircuits"] = {"vccs": {"ports": ["p"], "components": {"R": {"type": "resistor", "nodes": ["p", "gnd"], "R": 1}}}}
    assert validate_against_schema(data)
