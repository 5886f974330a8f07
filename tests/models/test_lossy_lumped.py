"""Finite-Q inductor and capacitor: Q definitions, S-parameters, circuits, passivity, gradients."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pmrf_cli.circuit.circuit import Circuit
from pmrf_cli.models import CapacitorQ, InductorQ

F = np.linspace(0.0, 10e9, 50)  # includes DC
FQ = F[10]


def q_of(model, f):
    kind, v = model.immittance(f)
    return np.asarray(v.imag / v.real)


def test_q_definitions():
    fi = F[1:]
    for cls, value, q0 in ((InductorQ, 5e-9, 40.0), (CapacitorQ, 2e-12, 150.0)):
        assert np.allclose(q_of(cls(value, q0, FQ), F)[1:], q0, rtol=1e-13, atol=0)  # constant Q
        q = q_of(cls(value, q0, FQ, qmode="sqrt"), F)[1:]
        assert np.allclose(q, q0 * np.sqrt(fi / FQ), rtol=1e-13, atol=0)
        assert abs(q[9] - q0) < 1e-12 * q0  # exactly Q at fq


def test_immittances():
    w = 2 * np.pi * F
    kind, z = InductorQ(5e-9, 40.0, FQ).immittance(F)
    assert kind == "z" and np.allclose(z, w * 5e-9 / 40 + 1j * w * 5e-9, rtol=1e-14, atol=0)
    kind, z = InductorQ(5e-9, 40.0, FQ, qmode="sqrt").immittance(F)
    r = 2 * np.pi * FQ * 5e-9 / 40 * np.sqrt(F / FQ)
    assert np.allclose(z, r + 1j * w * 5e-9, rtol=1e-14, atol=0) and z[0] == 0
    kind, y = CapacitorQ(2e-12, 100.0, FQ).immittance(F)
    assert kind == "y" and np.allclose(y, w * 2e-12 / 100 + 1j * w * 2e-12, rtol=1e-14, atol=0)
    kind, y = CapacitorQ(2e-12, 100.0, FQ, qmode="sqrt").immittance(F)
    g = 2 * np.pi * FQ * 2e-12 / 100 * np.sqrt(F / FQ)
    assert np.allclose(y, g + 1j * w * 2e-12, rtol=1e-14, atol=0)


def test_series_and_shunt_s():
    z0 = 50.0
    ind = InductorQ(5e-9, 40.0, FQ, qmode="sqrt")
    _, z = ind.immittance(F)
    s = ind.s(F)
    assert np.allclose(s[:, 1, 0], 2 * z0 / (z + 2 * z0), atol=1e-14) and np.allclose(s[:, 0, 0], z / (z + 2 * z0), atol=1e-14)
    cap = CapacitorQ(2e-12, 100.0, FQ)
    _, y = cap.immittance(F)
    for solver in ("auto", "sparse"):
        c = Circuit([("L", ind, ["p1", "a"]), ("C", cap, ["a", "gnd"])], ports=["p1", "a"], solver=solver)
        # series Z then shunt Y at port 2: ABCD = [[1 + Z Y, Z], [Y, 1]]
        a, b, cc, d = 1 + z * y, z, y, np.ones_like(z)
        s21 = 2 / (a + b / z0 + cc * z0 + d)
        assert np.allclose(c.s(F)[:, 1, 0], s21, atol=1e-13, rtol=0)


def test_reciprocal_and_passive():
    rng = np.random.default_rng(7)
    for _ in range(3):
        for model in (InductorQ(rng.uniform(1e-9, 50e-9), rng.uniform(5, 200), rng.uniform(1e8, 5e9), qmode="sqrt"),
                      CapacitorQ(rng.uniform(0.1e-12, 20e-12), rng.uniform(5, 500), rng.uniform(1e8, 5e9))):
            s = np.asarray(model.s(F))
            assert np.all(np.isfinite(s))
            assert np.max(np.abs(s - np.swapaxes(s, -1, -2))) < 1e-15
            p = np.eye(2) - np.conj(np.swapaxes(s, -1, -2)) @ s
            assert np.min(np.linalg.eigvalsh(p)) >= -1e-12


@pytest.mark.parametrize("model,field", [(InductorQ(5e-9, 40.0, FQ, qmode="sqrt"), "L"), (InductorQ(5e-9, 40.0, FQ), "Q"),
                                         (CapacitorQ(2e-12, 100.0, FQ, qmode="sqrt"), "fq"), (CapacitorQ(2e-12, 100.0, FQ), "C")])
def test_gradients(model, field):
    def loss(x):
        s = model.with_params(**{field: x}).s(F)
        return jnp.sum(jnp.abs(s[:, 1, 0]) ** 2)

    x0 = float(getattr(model, field))
    g = float(jax.grad(loss)(jnp.asarray(x0)))
    h = 1e-5 * x0
    fd = (float(loss(jnp.asarray(x0 + h))) - float(loss(jnp.asarray(x0 - h)))) / (2 * h)
    assert np.isfinite(g) and abs(g - fd) <= 1e-6 * abs(fd)


def test_bad_qmode():
    with pytest.raises(ValueError, match="qmode"):
        InductorQ(1e-9, 30.0, qmode="linear")
