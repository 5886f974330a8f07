"""The engine against closed forms, scikit-rf and an independent numpy nodal oracle (issue 2)."""

from __future__ import annotations


import numpy as np
import pytest
import skrf as rf

import pmrf_cli as prf
from pmrf_cli import conversions as cv
from pmrf_cli.circuit import Cascade, Circuit
from pmrf_cli.models import Capacitor, Inductor, Resistor, SParameterBlock, TransmissionLine, Transformer

SOLVERS = ("auto", "mna", "sparse", "dense")


@pytest.mark.parametrize("solver", SOLVERS)
def test_lc_ladder(solver, build, oracle, check, band, band_sk):
    s = build.ladder5(solver=solver).s(band)
    check.close(s, oracle.sk_ladder5(band_sk).s, atol=1e-9, what=f"ladder5 {solver}")
    check.reciprocal(s)
    check.lossless(s, atol=1e-12)


@pytest.mark.parametrize("solver", SOLVERS)
def test_wilkinson(solver, build, oracle, check, band, band_sk):
    s = np.asarray(build.wilkinson(solver=solver).s(band))
    check.close(s, oracle.np_wilkinson(band.f), atol=1e-9, what=f"wilkinson {solver}")
    check.reciprocal(s)
    check.passive(s)
    f0 = build.wilkinson(solver=solver).s(prf.Frequency.from_values([build.WILK_F0]))[0]
    r = -1j / np.sqrt(2)
    check.close(f0, np.array([[0, r, r], [r, 0, 0], [r, 0, 0]]), atol=1e-12, what="Wilkinson at f0")


def test_wilkinson_matches_skrf(build, oracle, check, band, band_sk):
    check.close(build.wilkinson().s(band), oracle.sk_wilkinson(band_sk).s, atol=1e-9, what="wilkinson vs skrf")


@pytest.mark.parametrize("cross", [False, True])
@pytest.mark.parametrize("solver", ["auto", "sparse", "dense"])
def test_coupled_resonator_bandpass(cross, solver, build, oracle, check, band, band_sk):
    s = np.asarray(build.bpf(cross=cross, solver=solver).s(band))
    check.close(s, oracle.np_bpf(band.f, cross=cross), atol=1e-9, what="bpf vs numpy nodal")
    check.close(s, oracle.sk_bpf(band_sk, cross=cross).s, atol=1e-9, what="bpf vs skrf")
    check.reciprocal(s)
    check.lossless(s, atol=1e-11)


@pytest.mark.parametrize("solver", ["auto", "sparse", "dense"])
def test_ideal_transformer_match(solver, check, band):
    c = Circuit([("T", Transformer(2.0), ("a", "gnd", "b", "gnd"))], ports=["a", "b"], z0=[50.0, 200.0], solver=solver)
    s = np.asarray(c.s(band))
    check.close(np.abs(s[:, 0, 0]), np.zeros(band.npoints), atol=1e-12)
    check.close(np.abs(s[:, 1, 0]), np.ones(band.npoints), atol=1e-12)
    check.lossless(s)


def test_sparameter_block_inside_a_circuit(oracle, check, band, band_sk):
    rng = np.random.default_rng(3)
    fd = np.linspace(0, 4e9, 41)
    a = rng.normal(size=(41, 2, 2)) + 1j * rng.normal(size=(41, 2, 2))
    sd = 0.45 * (a + np.swapaxes(a, 1, 2)) / 2  # reciprocal, small enough to be passive-ish
    z0 = np.array([50.0, 35.0])
    block = rf.Network(frequency=rf.Frequency.from_f(fd, unit="Hz"), s=sd, z0=z0).interpolate(band_sk)
    m = oracle.media(band_sk)
    ref = m.shunt_capacitor(1e-12) ** block ** m.inductor(3e-9)
    for solver in ("auto", "sparse", "dense"):
        c = Circuit(
            [("C", Capacitor(1e-12), ("a", "gnd")), ("B", SParameterBlock(fd, sd, z0=z0), ("a", "b")),
             ("L", Inductor(3e-9), ("b", "c"))],
            ports=["a", "c"], solver=solver,
        )
        check.close(c.s(band), ref.s, atol=1e-9, what=f"block {solver}")


@pytest.mark.parametrize("solver", ["auto", "sparse", "dense"])
def test_lossy_lines_and_mixed_port_impedances(solver, oracle, check, band, band_sk):
    m = oracle.media(band_sk, zc=65.0, z0_port=50.0, er=2.3, loss_db=4.0)
    ref = m.line(0.07, "m") ** oracle.media(band_sk).shunt_capacitor(0.5e-12) ** m.line(0.02, "m")
    ref.renormalize([50.0, 75.0])
    c = Circuit(
        [("T1", TransmissionLine(65.0, 0.07, er=2.3, loss=4.0), ("a", "b")),
         ("C", Capacitor(0.5e-12), ("b", "gnd")),
         ("T2", TransmissionLine(65.0, 0.02, er=2.3, loss=4.0), ("b", "c"))],
        ports=["a", "c"], z0=[50.0, 75.0], solver=solver,
    )
    s = c.s(band)
    check.close(s, ref.s, atol=1e-9, what="lossy lines, 50/75 ports")
    check.reciprocal(s)
    check.passive(s)


def test_three_port_with_different_port_impedances(build, check, band):
    z0 = np.array([50.0, 75.0, 25.0])
    s = build.wilkinson(z0=z0).s(band)
    check.close(s, cv.renormalize_s(build.wilkinson().s(band), 50.0, z0), atol=1e-12)


@pytest.mark.parametrize("solver", ["auto", "sparse", "dense"])
def test_half_wave_line_exactly(solver, check):
    f0 = 1e9
    freq = prf.Frequency.from_values([0.5e9, f0, 2 * f0])  # 90, 180, 360 degrees
    c = Circuit([("T", TransmissionLine.electrical_length(80.0, 180.0, f0), ("a", "b"))], ports=["a", "b"], solver=solver)
    s = np.asarray(c.s(freq))
    check.close(s[1], np.array([[0, -1], [-1, 0]]), atol=1e-12, what="half wave")
    check.close(s[2], np.array([[0, 1], [1, 0]]), atol=1e-12, what="full wave")


@pytest.mark.parametrize("solver", ["auto", "sparse", "dense"])
def test_zero_ohm_resistor_and_dc(solver, check):
    freq = prf.Frequency.from_values([0.0, 1e6, 1e9])
    short = Circuit([("R", Resistor(0.0), ("a", "b")), ("L", Inductor(1e-9), ("b", "c"))], ports=["a", "c"], solver=solver)
    s = np.asarray(short.s(freq))
    check.close(s[0], np.array([[0, 1], [1, 0]]), atol=1e-12, what="0 ohm + L at DC: a through")
    blocked = Circuit([("C", Capacitor(1e-12), ("a", "b")), ("L", Inductor(1e-9), ("b", "gnd")),
                       ("R", Resistor(50.0), ("b", "c"))], ports=["a", "c"], solver=solver)
    s = np.asarray(blocked.s(freq))
    assert np.all(np.isfinite(s))
    check.close(s[0], np.array([[1, 0], [0, 0]]), atol=1e-12, what="series C open, shunt L short at DC")


def test_deep_stop_band_keeps_relative_precision(build, oracle):
    freq = prf.Frequency(20, 60, 9, "GHz")
    fast = np.asarray(build.ladder5().s(freq))[:, 1, 0]
    mna = np.asarray(build.ladder5(solver="mna").s(freq))[:, 1, 0]
    ref = oracle.sk_ladder5(oracle.skfreq(freq)).s[:, 1, 0]
    assert np.abs(ref).max() < 1e-6
    np.testing.assert_allclose(fast, mna, rtol=1e-9)
    np.testing.assert_allclose(fast, ref, rtol=1e-9)


def test_with_params_is_functional(build, band):
    c = Capacitor(1e-12)
    d = c.with_params(C=2e-12)
    assert float(c.C) == 1e-12 and float(d.C) == 2e-12
    lad = build.ladder5()
    lad2 = lad.with_params(**{"L3.L": 10e-9})
    assert float(lad.component("L3").L) == 15.92e-9 and float(lad2.component("L3").L) == 10e-9
    assert not np.allclose(lad.s(band), lad2.s(band))
    with pytest.raises(AttributeError):
        c.with_params(X=1.0)


def test_nested_circuit_equals_flat(check, band):
    inner = Circuit([("L", Inductor(2e-9), ("a", "b")), ("C", Capacitor(1e-12), ("b", "gnd"))], ports=["a", "b"])
    nested = Circuit([("X1", inner, ("p", "m")), ("X2", inner, ("m", "q")), ("R", Resistor(20.0), ("m", "gnd"))],
                     ports=["p", "q"], solver="mna")
    flat = Circuit(
        [("L1", Inductor(2e-9), ("p", "b1")), ("C1", Capacitor(1e-12), ("b1", "gnd")), ("X", Resistor(0.0), ("b1", "m")),
         ("L2", Inductor(2e-9), ("m", "b2")), ("C2", Capacitor(1e-12), ("b2", "gnd")), ("Y", Resistor(0.0), ("b2", "q")),
         ("R", Resistor(20.0), ("m", "gnd"))],
        ports=["p", "q"],
    )
    check.close(nested.s(band), flat.s(band), atol=1e-12)


def test_cascade_operator(oracle, check, band, band_sk):
    m = oracle.media(band_sk)
    c = Inductor(3e-9) ** Capacitor(2e-12) ** TransmissionLine(60.0, 0.03, er=2.0)
    assert isinstance(c, Cascade) and len(c.models) == 3
    ref = m.inductor(3e-9) ** m.capacitor(2e-12) ** oracle.media(band_sk, zc=60.0, er=2.0).line(0.03, "m")
    check.close(c.s(band), ref.s, atol=1e-9)
