"""Reverse-mode gradients through every solver path against central finite differences.

Objectives are sums of |S_ij|^2 over the grid; parameters enter through `with_params` inside the
differentiated function (as an optimiser would use them). Evaluated eagerly.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pmrf_cli.circuit import Circuit
from pmrf_cli.models import Capacitor, Resistor, Transformer, TransmissionLine

RTOL = 1e-6


def fd_grad(fun, x, rel=1e-6):
    """Central differences, one parameter at a time, steps relative to each value."""
    x = np.asarray(x, float)
    g = np.empty_like(x)
    for i in range(x.size):
        h = rel * abs(x[i])
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (float(fun(jnp.asarray(x + e))) - float(fun(jnp.asarray(x - e)))) / (2 * h)
    return g


def check_grad(fun, x, rtol=RTOL):
    g = np.asarray(jax.grad(fun)(jnp.asarray(x, float)))
    ref = fd_grad(fun, x)
    assert np.all(np.isfinite(g))
    assert np.all(np.abs(ref) > 0), "degenerate check: a zero derivative"
    np.testing.assert_allclose(g, ref, rtol=rtol, atol=0)
    return g


LADDER_KEYS = ("L1.L", "C2.C", "L3.L", "C4.C", "L5.L")


@pytest.mark.parametrize("solver", ["auto", "mna"])
def test_ladder_gradient_wrt_l_and_c(solver, build, band):
    base = build.ladder5(solver=solver)
    x0 = [build.LADDER5[k.split(".")[0]] for k in LADDER_KEYS]

    def obj(x):
        c = base.with_params(**{k: x[i] for i, k in enumerate(LADDER_KEYS)})
        s = c.s(band)
        return jnp.sum(jnp.abs(s[:, 1, 0]) ** 2) + 0.3 * jnp.sum(jnp.abs(s[:, 0, 0] - 0.1) ** 2)

    check_grad(obj, x0)


def test_ladder_gradients_agree_across_solvers(build, band):
    x0 = jnp.asarray([build.LADDER5[k.split(".")[0]] for k in LADDER_KEYS])
    grads = {}
    for solver in ("auto", "sparse", "dense"):
        base = build.ladder5(solver=solver)

        def obj(x, base=base):
            s = base.with_params(**{k: x[i] for i, k in enumerate(LADDER_KEYS)}).s(band)
            return jnp.sum(jnp.abs(s[:, 1, 0]) ** 2)

        grads[solver] = np.asarray(jax.grad(obj)(x0))
    np.testing.assert_allclose(grads["sparse"], grads["auto"], rtol=1e-9)
    np.testing.assert_allclose(grads["dense"], grads["auto"], rtol=1e-9)


@pytest.mark.parametrize("solver", ["auto", "mna"])
def test_line_and_transformer_gradients(solver, band):
    """A ladder of a series line, a shunt capacitor and an ideal transformer into 200 ohm:
    derivatives w.r.t. line length, line impedance, capacitance, turns ratio and resistance."""
    keys = ("T.length", "T.zc", "C.C", "X.n", "R.R")
    base = Circuit(
        [
            ("T", TransmissionLine(60.0, 0.07, er=2.0, loss=1.5), ("in", "a")),
            ("C", Capacitor(1.2e-12), ("a", "gnd")),
            ("X", Transformer(1.7), ("a", "b")),
            ("R", Resistor(15.0), ("b", "out")),
        ],
        ports=["in", "out"],
        z0=[50.0, 200.0],
        solver=solver,
    )
    assert base.is_ladder() is (solver == "auto")

    def obj(x):
        s = base.with_params(**{k: x[i] for i, k in enumerate(keys)}).s(band)
        return jnp.sum(jnp.abs(s[:, 0, 0]) ** 2) + jnp.sum(jnp.abs(s[:, 1, 0] - 0.5j) ** 2)

    check_grad(obj, [0.07, 60.0, 1.2e-12, 1.7, 15.0])


@pytest.mark.parametrize("solver", ["auto", "dense"])
def test_wilkinson_gradient_wrt_resistor_and_line_impedance(solver, build, band):
    base = build.wilkinson(zc=75.0, r=90.0, solver=solver)
    keys = ("R.R", "T1.zc", "T2.zc")

    def obj(x):
        s = base.with_params(**{k: x[i] for i, k in enumerate(keys)}).s(band)
        return jnp.sum(jnp.abs(s[:, 1, 2]) ** 2 + jnp.abs(s[:, 0, 0]) ** 2 + 0.5 * jnp.abs(s[:, 1, 0]) ** 2)

    check_grad(obj, [90.0, 75.0, 68.0])


def test_cross_coupled_bandpass_gradient_including_dc(build, grid0):
    """Nodal (unrolled) solver, on a grid that includes 0 Hz where structural entries vanish."""
    base = build.bpf(cross=True)
    keys = ("C13.C", "Cin.C", "L2.L")
    v = build.BPF

    def obj(x):
        s = base.with_params(**{k: x[i] for i, k in enumerate(keys)}).s(grid0)
        return jnp.sum(jnp.abs(s[:, 1, 0]) ** 2)

    check_grad(obj, [v["Cx"], v["Cin"], v["Lr"]])
