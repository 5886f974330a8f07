"""Ports that end inside their component (`circuit.terminate`): which are folded, and that the
folded component (`Terminated`) gives the circuit's S, its derivatives, and finite values where
a port is decoupled. Solver agreement on whole circuits is in test_solver (coupled band-pass,
open, shorted and loaded stubs)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pmrf_cli as prf
from pmrf_cli.circuit import Circuit
from pmrf_cli.circuit.terminate import Ending, find_endings
from pmrf_cli.models import Capacitor, Inductor, Resistor, SParameterBlock, TransmissionLine
from pmrf_cli.models.lines.coupled import CoupledLine, DielectricCoupledLine, descriptor_to_s
from pmrf_cli.models.wrappers import Terminated

FREQ = prf.Frequency(0, 4, 41, "GHz")


def _endings(components, ports):
    c = Circuit(components, ports=ports)
    return {c.names[i]: ends for i, ends in find_endings(c.topology(), c.components).items()}


def test_which_ports_end_in_their_component():
    line = TransmissionLine.electrical_length(50.0, 90.0, 1e9)
    pair = CoupledLine(70.0, 40.0, 90.0, 90.0, 1e9)
    ends = _endings(
        [
            ("K", pair, ("in", "oa", "ob", "m")),  # oa: open; ob: R || C to ground
            ("R", Resistor(20.0), ("ob", "gnd")),
            ("C", Capacitor(1e-12), ("gnd", "ob")),
            ("S1", line, ("m", "gnd")),  # shorted stub
            ("S2", line, ("m", "tip")),  # open stub
            ("S3", line, ("m", "x")),  # x is shared with a series part: not an end
            ("L", Inductor(1e-9), ("x", "out")),
            ("T", line, ("out", "out2")),  # out2 is a port: never folded
            ("F", line, ("out", "q", "r")),  # ports referenced to node r (not ground): kept
        ],
        ["in", "out2"],
    )
    assert ends["K"] == (Ending(1), Ending(2, loads=(1, 2)))
    assert ends["S1"] == (Ending(1, short=True),)
    assert ends["S2"] == (Ending(1),)
    assert set(ends) == {"K", "S1", "S2"}


def test_a_component_whose_every_port_ends_is_left_alone():
    line = TransmissionLine.electrical_length(50.0, 90.0, 1e9)
    ends = _endings(
        [("A", line, ("p", "q")), ("B", line, ("u", "v")), ("R", Resistor(5.0), ("u", "gnd"))], ["p", "q"]
    )
    assert ends == {}


def test_coupled_pair_s_from_modes_matches_its_descriptor():
    for pair in (CoupledLine(70.0, 40.0, 90.0, 93.0, 2e9), DielectricCoupledLine(65.0, 42.0, 0.02, 3.1, 2.6, tand=0.02),
                 CoupledLine(70.0, 40.0, 90.0, 93.0, 2e9, z0=75.0)):
        ref = descriptor_to_s(pair.stamp(FREQ), pair.port_z0().astype(float))
        np.testing.assert_allclose(pair.s(FREQ), ref, rtol=0, atol=1e-13)


def test_terminated_folds_loads_like_the_nodal_solver():
    """A 3-port block with port 2 shorted and port 3 in R || C, against the nodal solution."""
    rng = np.random.default_rng(3)
    s = rng.normal(size=(FREQ.npoints, 3, 3)) + 1j * rng.normal(size=(FREQ.npoints, 3, 3))
    s = 0.3 * (s + np.swapaxes(s, 1, 2))
    block = SParameterBlock(FREQ.f, s, z0=[50.0, 30.0, 75.0])
    loads = (Resistor(40.0), Capacitor(2e-12))
    folded = Terminated(block, loads=((), loads), kept=(0,), ends=(1, 2), shorted=(True, False))
    nodal = Circuit(
        [("B", block, ("a", "gnd", "c")), ("R", loads[0], ("c", "gnd")), ("C", loads[1], ("c", "gnd"))],
        ports=["a"], z0=50.0, solver="mna",
    )
    assert folded.nports == 1
    np.testing.assert_allclose(folded.s(FREQ), nodal.s(FREQ), rtol=0, atol=1e-13)


def test_a_decoupled_end_adds_nothing():
    """A series capacitor as a 2-port with its far end open: at 0 Hz S22 = 1, so 1 - G S22 = 0
    (the port is cut off); the open end's S is then 1, finite, not 0/0."""
    cap = Capacitor(1e-12)
    folded = Terminated(cap, loads=((),), kept=(0,), ends=(1,), shorted=(False,))
    s = np.asarray(folded.s(FREQ))
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s[:, 0, 0], 1.0, atol=1e-15)


def test_one_port_shunt_chain_is_the_shunt_admittance():
    """`Model.shunt_chain` of a one-port from its reflection G: the shunt ABCD [[1, 0], [Y, 1]]
    with Y = (1 - G) / (z (1 + G)), scaled by z (1 + G): finite for an open and a short."""
    f = FREQ.f[1:]
    for g in (1.0, -1.0, 0.3 - 0.2j):
        block = SParameterBlock(f, np.full((f.size, 1, 1), g), z0=50.0)
        parts = block.shunt_chain(f)
        h = 50.0 * (1 + g)
        for entry, want in ((parts.a, h), (parts.d, h), (parts.mu, h), (parts.nu, h), (parts.c, 1 - g)):
            np.testing.assert_allclose(np.broadcast_to(entry.to_complex(f.shape), f.shape), want, atol=1e-13)
        assert parts.b.re is None and parts.b.im is None


def test_gradients_through_folded_ends_match_the_nodal_solver():
    f = prf.Frequency(1, 3, 21, "GHz")

    def s21(ze, solver):
        comps = [
            ("K1", CoupledLine(ze, 40.0, 90.0, 92.0, 2e9), ("in", "a", "b", "m")),
            ("K2", CoupledLine(ze, 40.0, 90.0, 92.0, 2e9), ("m", "c", "d", "out")),
            ("C", Capacitor(0.05e-12), ("d", "gnd")),
        ]
        return jnp.sum(jnp.abs(Circuit(comps, ports=["in", "out"], solver=solver).s(f)[:, 1, 0]) ** 2)

    assert Circuit(
        [("K", CoupledLine(70.0, 40.0, 90.0, 92.0, 2e9), ("in", "a", "b", "out"))], ports=["in", "out"]
    ).is_ladder()
    g_auto = jax.grad(s21)(70.0, "auto")
    g_dense = jax.grad(s21)(70.0, "dense")
    assert np.isfinite(g_auto)
    assert g_auto == pytest.approx(float(g_dense), rel=1e-9)
