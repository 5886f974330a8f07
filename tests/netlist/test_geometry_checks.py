"""Geometry and materials that cannot exist, refused: relations between fields (coax dout > din,
stripline t < b, the thickness the microstrip and CPW formulas cover, z0e >= z0o, a wideband
dielectric's band and eps_inf), one positioned error at the field when the values are fixed, and
a per-sample check (what a sweep counts as non-physical) when they are drawn. Also: a port listed
twice, and the dielectric fields of the line types."""

from __future__ import annotations

import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pmrf_cli.netlist import nominal_values
from pmrf_cli.netlist.build import circuit_builder, domain_checks
from tests.netlist.conftest import errors, load, netlist


def column(text: str, field: str, line: int = 3) -> int:
    """1-based column of the value of `field:` on line `line` (default: the first component's)."""
    return text.splitlines()[line - 1].index(f" {field}: ") + len(field) + 4


COAX = "X: {type: coax, nodes: [a, b], din: 3 mm, dout: 1 mm, length: 0.1}"
BAD = [  # component, field named by the error, label
    (COAX, "dout", "X.dout > X.din"),
    ("X: {type: coax, nodes: [a, b], din: 1 mm, dout: 1 mm, length: 0.1}", "dout", "X.dout > X.din"),
    ("X: {type: stripline, nodes: [a, b], w: 1 mm, b: 2 mm, t: 2 mm, er: 4, length: 1 mm}", "t", "X.t < X.b"),
    ("X: {type: microstrip, nodes: [a, b], w: 3 mm, h: 0.1 mm, t: 0.2 mm, er: 4, length: 1 mm}", "t", "X.t < X.h"),
    ("X: {type: microstrip, nodes: [a, b], w: 60 um, h: 1 mm, t: 35 um, er: 4, length: 1 mm}", "t", "2 X.t < X.w"),
    ("X: {type: cpw, nodes: [a, b], w: 1 mm, s: 50 um, h: 1 mm, t: 35 um, er: 4, length: 1 mm}", "t",
     "1.25 X.t/pi (1 + ln(4 pi X.w/X.t)) < X.s"),
    ("X: {type: coupled_tline, nodes: [a, c, d, b], z0e: 30, z0o: 36, theta_e: 90, theta_o: 90, f0: 1 GHz}", "z0e",
     "X.z0e >= X.z0o"),
    ("X: {type: inductor_q, nodes: [a, b], L: 1 nH, Q: -5}", "Q", "X.Q > 0"),
    ("X: {type: capacitor_q, nodes: [a, b], C: 1 pF, Q: 0}", "Q", "X.Q > 0"),
    ("X: {type: microstrip, nodes: [a, b], w: 1 mm, h: 1 mm, er: 4, length: 1 mm, dielectric: djordjevic-svensson, "
     "f_low: 2 THz}", "f_low", "X.f_low < X.f_high"),
    ("X: {type: microstrip, nodes: [a, b], w: 1 mm, h: 1 mm, er: 1.2, tand: 0.1, length: 1 mm, "
     "dielectric: djordjevic-svensson}", "tand", "eps_inf(X.er, X.tand, X.f_er, X.f_low, X.f_high) >= 1"),
    ("X: {type: coupled_tline, nodes: [a, c, d, b], z0e: 70, z0o: 36, length: 10 mm, ere: 1.1, ero: 1.05, tand: 0.05,"
     " dielectric: djordjevic-svensson}", "tand", "eps_inf(X.ero, X.tand, X.f_er, X.f_low, X.f_high) >= 1"),
    ("X: {type: circulator, nodes: [a, b, c], loss: 0, isolation: 0}", "isolation", "X.loss + X.isolation > 0"),
]


@pytest.mark.parametrize("comp, field, label", BAD, ids=[label for _, _, label in BAD])
def test_fixed_values_are_refused_at_the_field(comp, field, label):
    ports = "[a, b, c]" if "circulator" in comp else "[a, b]"
    text = netlist(comp, ports)
    errs = errors(text)
    if "ere: 1.1" in comp:  # both modes fail the bound: one error each
        assert len(errs) == 2 and "X.ere," in errs[0]
        errs = errs[1:]
    assert len(errs) == 1, errs
    assert errs[0].startswith(f"t.yaml:3:{column(text, field)}: error: {label} fails ("), errs[0]


def test_the_message_shows_the_values_and_the_defaults_used():
    text = netlist("X: {type: microstrip, nodes: [a, b], w: 1 mm, h: 1 mm, er: 4, length: 1 mm, "
                   "dielectric: djordjevic-svensson, f_low: 2 THz}")
    assert errors(text)[0].endswith("X.f_low < X.f_high fails (f_low = 2e+12, f_high = 1e+12 (default))")


def test_the_geometry_a_model_needs_is_accepted():
    ok = [
        "X: {type: coax, nodes: [a, b], din: 0.91 mm, dout: 2.95 mm, length: 0.1}",
        "X: {type: stripline, nodes: [a, b], w: 1 mm, b: 2 mm, t: 35 um, er: 4, length: 1 mm}",
        "X: {type: microstrip, nodes: [a, b], w: 3 mm, h: 1.55 mm, t: 35 um, er: 4.4, length: 1 mm}",
        "X: {type: cpw, nodes: [a, b], w: 1.6 mm, s: 0.3 mm, h: 1.55 mm, t: 17 um, er: 4.5, length: 1 mm}",
        "X: {type: coupled_tline, nodes: [a, c, d, b], z0e: 50, z0o: 50, theta_e: 90, theta_o: 90, f0: 1 GHz}",
        "X: {type: microstrip, nodes: [a, b], w: 1 mm, h: 1 mm, er: 4.4, tand: 0.02, length: 1 mm, "
        "dielectric: djordjevic-svensson, f_er: 2 GHz, f_low: 10 kHz, f_high: 100 GHz}",
        "X: {type: circulator, nodes: [a, b, c], isolation: 20 dB}",
    ]
    for comp in ok:
        load(netlist(comp, "[a, b, c]" if "circulator" in comp else "[a, b]"))


def test_drawn_values_are_checked_per_sample_like_domains():
    # dout drawn around 2 mm with din = 1.5 mm: load accepts it, the per-sample check does not
    text = netlist("X: {type: coax, nodes: [a, b], din: 1.5 mm, dout: D, length: 0.1}",
                   parameters="D: {value: 2 mm, distribution: uniform, min: 1 mm, max: 3 mm}")
    flat = load(text)
    checks = domain_checks(flat)
    (label, loc, ok), = [c for c in checks if c[0] == "X.dout > X.din"]
    assert (loc.line, loc.col) == (5, column(text, "dout", 5))
    assert ok(nominal_values(flat)) and not ok({"D": 1.2e-3}) and ok({"D": 1.6e-3})
    # traced and vmapped over samples, as the sweep's kernel evaluates them
    draws = jnp.array([1.2e-3, 1.6e-3, 2.9e-3, 1.5e-3])
    got = jax.jit(jax.vmap(lambda d: jnp.stack([jnp.asarray(f({"D": d}), bool) for _, _, f in checks])))(draws)
    want = np.asarray(draws > 1.5e-3)
    assert np.array_equal(np.asarray(got)[:, [c[0] for c in checks].index("X.dout > X.din")], want)


def test_a_derived_parameter_is_fixed_and_a_set_value_counts():
    # dout computed from a fixed parameter: a fixed value, refused at load
    text = netlist("X: {type: coax, nodes: [a, b], din: 3 mm, dout: 2 * R, length: 0.1}", parameters="R: 1 mm")
    assert "X.dout > X.din fails (dout = 0.002, din = 0.003)" in errors(text)[0]
    # through a random parameter: not refused at load
    load(netlist("X: {type: coax, nodes: [a, b], din: 3 mm, dout: 2 * R, length: 0.1}",
                 parameters="R: {value: 1 mm, tolerance: 5%}"))


def test_relation_positions_name_the_field_in_a_subcircuit():
    text = textwrap.dedent("""\
        frequency: {start: 1 GHz, stop: 2 GHz, points: 3}
        subcircuits:
          cable:
            ports: [i, o]
            parameters: {d: 1 mm}
            components:
              X: {type: coax, nodes: [i, o], din: d, dout: 2 mm, length: 0.1}
        components:
          A: {type: cable, nodes: [a, b]}
          B: {type: cable, nodes: [b, c], d: 3 mm}
        ports: [a, c]
        """)
    (err,) = errors(text)
    assert err.startswith("t.yaml:7:52: error: B.X.dout > B.X.din fails (dout = 0.002, din = 0.003)"), err


# --- ports ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "ports, where",
    [("[a, a]", "t.yaml:4:12: error: port 'a' is listed twice (first at 4:9)"),
     ("\n  - a\n  - {node: b}\n  - {node: a, z0: 75}", "t.yaml:7:12: error: port 'a' is listed twice (first at 5:5)")],
)
def test_a_port_listed_twice_is_refused(ports, where):
    text = netlist("R: {type: resistor, nodes: [a, b], R: 50}", ports)
    assert errors(text) == [where]


# --- the dielectric fields ----------------------------------------------------------------------------
def test_dielectric_fields_build_the_wideband_models():
    from pmrf_cli import models

    text = netlist("""\
        X: {type: microstrip, nodes: [a, m], w: 1 mm, h: 0.8 mm, er: 4.4, tand: 0.02, length: 5 mm,
            dielectric: djordjevic-svensson, f_er: 2 GHz, f_low: 10 kHz, f_high: 100 GHz}
        Y: {type: coax, nodes: [m, n], din: 1 mm, dout: 3 mm, length: 5 mm, er: 2.1, dielectric: frequency-invariant}
        Z: {type: coupled_tline, nodes: [n, c, d, b, gnd], z0e: 70, z0o: 36, length: 10 mm, ere: 3.3, ero: 2.9,
            tand: 0.01, dielectric: djordjevic-svensson}
        W: {type: coupled_tline, nodes: [c, d, e, f], z0e: 70, z0o: 36, length: 10 mm, ere: 3.3, ero: 2.9}
        R: {type: resistor, nodes: [e, f], R: 50}
        """, "[a, b]")
    flat = load(text)
    circuit = circuit_builder(flat)(nominal_values(flat))
    x = circuit.component("X")
    assert x.dielectric == "djordjevic-svensson" and float(x.f_er) == 2e9 and float(x.f_low) == 1e4
    assert float(x.f_high) == 1e11
    assert circuit.component("Y").dielectric == "frequency-invariant"
    z = circuit.component("Z")
    assert isinstance(z, models.DielectricCoupledLine) and z.dielectric == "djordjevic-svensson" and float(z.tand) == 0.01
    assert isinstance(circuit.component("W"), models.CoupledLine)  # no dielectric given: the ideal pair


def test_dielectric_is_a_literal_choice_of_the_length_form():
    bad = netlist("X: {type: microstrip, nodes: [a, b], w: 1 mm, h: 1 mm, er: 4, length: 1 mm, dielectric: debye}")
    (err,) = errors(bad)
    assert "dielectric must be one of frequency-invariant, djordjevic-svensson, not 'debye'" in err
    theta = netlist("X: {type: coupled_tline, nodes: [a, c, d, b], z0e: 70, z0o: 36, theta_e: 90, theta_o: 90, "
                    "f0: 1 GHz, dielectric: djordjevic-svensson}")
    (err,) = errors(theta)
    assert "give one form of a coupled_tline, not both" in err


def test_eps_inf_bound_is_the_high_frequency_limit():
    # the check's closed form against the model's permittivity far above f_high
    from pmrf_cli.formulas import ds_constants
    from pmrf_cli.models.lines.dielectric import Wideband, djordjevic_svensson

    er, tand = 1.3, 0.1
    eps_inf, _ = ds_constants(er, tand, 1e9, 1e3, 1e12, np)
    far = djordjevic_svensson(er, tand, np.array([1e18]), Wideband(1e9, 1e3, 1e12))
    assert abs(far[0].real - eps_inf) < 1e-5 and eps_inf < 1
