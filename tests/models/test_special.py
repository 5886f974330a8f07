"""Attenuator, isolator, circulator and VCCS: S-parameters, stamps in circuits, passivity,
(non-)reciprocity, gradients."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pmrf_cli.circuit.circuit import Circuit
from pmrf_cli.conversions import y2s
from pmrf_cli.models import VCCS, Attenuator, Circulator, Isolator, Resistor

F = np.linspace(0.1e9, 40e9, 50)


def assert_passive(s, reciprocal: bool):
    s = np.asarray(s)
    assert np.all(np.isfinite(s))
    p = np.eye(s.shape[-1]) - np.conj(np.swapaxes(s, -1, -2)) @ s
    assert np.min(np.linalg.eigvalsh(p)) >= -1e-12
    if reciprocal:
        assert np.max(np.abs(s - np.swapaxes(s, -1, -2))) < 1e-15


def test_attenuator():
    s = Attenuator(6.0).s(F)
    k = 10 ** (-6 / 20)
    assert np.allclose(s, np.array([[0, k], [k, 0]]), atol=1e-15, rtol=0)
    for db in np.random.default_rng(1).uniform(0, 40, 4):
        assert_passive(Attenuator(db, z0=[30.0, 75.0]).s(F), reciprocal=True)
    # two attenuators in a circuit add up
    c = Circuit([("A", Attenuator(3.0), ["p1", "m"]), ("B", Attenuator(7.0), ["m", "p2"])], ports=["p1", "p2"])
    for solver in ("auto", "sparse"):
        s = c if solver == "auto" else Circuit([("A", Attenuator(3.0), ["p1", "m"]), ("B", Attenuator(7.0), ["m", "p2"])],
                                               ports=["p1", "p2"], solver="sparse")
        assert np.allclose(s.s(F)[:, 1, 0], 10 ** (-10 / 20), atol=1e-14, rtol=0)


def test_isolator():
    s = Isolator().s(F)
    assert np.allclose(s[:, 1, 0], 1) and np.allclose(s[:, 0, 1], 0) and np.allclose(s[:, 0, 0], 0)
    s = Isolator(loss=0.5, isolation=25.0).s(F)
    assert np.allclose(s[:, 1, 0], 10 ** (-0.5 / 20)) and np.allclose(s[:, 0, 1], 10 ** (-25 / 20))
    rng = np.random.default_rng(2)
    for loss, iso in zip(rng.uniform(0, 3, 3), rng.uniform(10, 40, 3)):
        assert_passive(Isolator(loss, iso).s(F), reciprocal=False)
    # a mismatched load behind an isolator is invisible at its input
    c = Circuit([("I", Isolator(), ["p1", "o"]), ("R", Resistor(200.0), ["o", "gnd"])], ports=["p1"], solver="sparse")
    assert np.max(np.abs(c.s(F))) < 1e-14


def test_circulator():
    s = Circulator().s(F)[0]
    assert np.allclose(s, np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]]))
    s = Circulator(loss=0.3, isolation=20.0).s(F)[0]
    fwd, rev = 10 ** (-0.3 / 20), 10 ** (-1.0)
    assert np.allclose(s, np.array([[0, rev, fwd], [fwd, 0, rev], [rev, fwd, 0]]))
    assert_passive(Circulator().s(F), reciprocal=False)
    rng = np.random.default_rng(3)
    for loss, iso in zip(rng.uniform(1, 3, 3), rng.uniform(20, 40, 3)):  # 10^(-loss/20) + 10^(-iso/20) < 1
        assert_passive(Circulator(loss, iso).s(F), reciprocal=False)
    # the documented bound: passive iff the two transmissions add up to at most 1
    s = np.asarray(Circulator(-20 * np.log10(0.95), -20 * np.log10(0.0501)).s(F))
    assert np.min(np.linalg.eigvalsh(np.eye(3) - np.conj(np.swapaxes(s, -1, -2)) @ s)) < 0
    # port 3 in a matched load: an isolator
    c = Circuit([("C", Circulator(), ["p1", "p2", "n3"]), ("R", Resistor(50.0), ["n3", "gnd"])], ports=["p1", "p2"])
    assert np.max(np.abs(c.s(F) - Isolator().s(F))) < 1e-14


@pytest.mark.parametrize("model", [Attenuator(4.0, z0=[25.0, 60.0]), Isolator(1.0, 30.0), Circulator(0.5, 22.0),
                                   VCCS(0.05, 2e-12)])
def test_stamp_agrees_with_s(model):
    ports = [f"p{i}" for i in range(model.nports)]
    c = Circuit([("X", model, ports)], ports=ports, z0=model.port_z0(), solver="sparse")
    assert np.max(np.abs(c.s(F) - model.s(F))) < 1e-13


def test_vccs_s_and_admittance():
    gm, tau = 0.04, 3e-12
    v = VCCS(gm, tau, z0=[50.0, 20.0])
    y = np.zeros((F.size, 2, 2), complex)
    y[:, 1, 0] = gm * np.exp(-2j * np.pi * F * tau)
    assert np.max(np.abs(v.s(F) - y2s(y, np.array([50.0, 20.0])))) < 1e-14
    assert np.max(np.abs(v.stamp(F).array("y", F.size) - y)) < 1e-15


def test_vccs_common_source_gain():
    gm, rl, z0 = 0.03, 200.0, 50.0
    par = rl * z0 / (rl + z0)
    # [in+, in-, out+, out-]: S21 = -2 gm (R || z0), i.e. voltage gain -gm R
    c = Circuit([("G", VCCS(gm), ["g", "gnd", "d", "gnd"]), ("RL", Resistor(rl), ["d", "gnd"])], ports=["g", "d"])
    s = c.s(F)
    assert np.allclose(s[:, 1, 0], -2 * gm * par, atol=1e-13, rtol=0)
    assert np.allclose(s[:, 0, 0], 1) and np.allclose(s[:, 0, 1], 0)
    # [gate, drain, source] with source degeneration: gain -gm R / (1 + gm Rs)
    rs = 10.0
    c = Circuit([("G", VCCS(gm), ["g", "d", "s"]), ("RL", Resistor(rl), ["d", "gnd"]), ("RS", Resistor(rs), ["s", "gnd"])],
                ports=["g", "d"])
    assert np.allclose(c.s(F)[:, 1, 0], -2 * gm * par / (1 + gm * rs), atol=1e-13, rtol=0)


def test_vccs_delay_and_gradient():
    v = VCCS(0.02, 5e-12)
    s21 = v.s(F)[:, 1, 0]
    assert np.allclose(s21, -2 * 50 * 0.02 * np.exp(-2j * np.pi * F * 5e-12), atol=1e-14, rtol=0)

    def loss(gm, tau):
        s = v.with_params(gm=gm, tau=tau).s(F)
        return jnp.sum(jnp.real(s[:, 1, 0]) ** 2 + jnp.imag(s[:, 1, 0]))

    g = jax.grad(loss, argnums=(0, 1))(jnp.asarray(0.02), jnp.asarray(5e-12))
    for i, (x0, h) in enumerate([(0.02, 1e-7), (5e-12, 1e-17)]):
        args = [0.02, 5e-12]
        args[i] = x0 + h
        up = float(loss(*map(jnp.asarray, args)))
        args[i] = x0 - h
        fd = (up - float(loss(*map(jnp.asarray, args)))) / (2 * h)
        assert abs(float(g[i]) - fd) <= 1e-6 * abs(fd)


def test_loss_gradients():
    def loss(m):
        return jnp.sum(jnp.abs(m.s(F)) ** 2)

    for model, field in [(Attenuator(3.0), "dB"), (Isolator(1.0, 20.0), "isolation"), (Circulator(0.5, 20.0), "loss")]:
        x0 = float(getattr(model, field))
        g = float(jax.grad(lambda x: loss(model.with_params(**{field: x})))(jnp.asarray(x0)))
        h = 1e-5 * x0
        fd = (float(loss(model.with_params(**{field: x0 + h}))) - float(loss(model.with_params(**{field: x0 - h})))) / (2 * h)
        assert abs(g - fd) <= 1e-6 * abs(fd)


@pytest.mark.parametrize("model", [Attenuator(4.0, z0=[25.0, 60.0]), Isolator(1.0, 30.0, z0=[50.0, 75.0]),
                                   Isolator(2.0), VCCS(0.05, 2e-12, z0=[50.0, 20.0])])
def test_own_chain_form_is_the_one_from_s(model):
    """The per-sample chain forms (no arrays over the grid) give the S of the general form, which
    is taken from S; in a ladder with shunt capacitors, S agrees with the nodal solver's."""
    from pmrf_cli.models import Capacitor
    from pmrf_cli.models.base import Model, chain_to_s

    z = model.port_z0()
    own, general = model.chain(F), Model.chain(model, F)
    assert all(np.ndim(x) == 0 for x in jax.tree_util.tree_leaves(own) if isinstance(model, (Attenuator, Isolator)))
    assert np.max(np.abs(chain_to_s(own, z[0], z[1], F.shape) - chain_to_s(general, z[0], z[1], F.shape))) < 1e-14
    comps = [("C0", Capacitor(0.3e-12), ["a", "gnd"]), ("X1", model, ["a", "b"]), ("C1", Capacitor(0.5e-12), ["b", "gnd"]),
             ("X2", model, ["b", "c"])]
    ladder = Circuit(comps, ports=["a", "c"], z0=50.0)
    nodal = Circuit(comps, ports=["a", "c"], z0=50.0, solver="sparse")
    assert ladder.is_ladder() and not nodal.is_ladder()
    ref = np.asarray(nodal.s(F))
    assert np.max(np.abs(ladder.s(F) - ref)) < 1e-14 * max(1.0, np.max(np.abs(ref)))
