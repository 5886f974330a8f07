"""`cplx.computed_once`: the identity for values and derivatives, and a loop XLA keeps (so a
ladder's cascade product is computed once rather than fused into every entry of S)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from pmrf_cli.cplx import Cx, computed_once


def test_identity_for_values_and_derivatives():
    x = jnp.array([0.0, -0.0, 1.5, np.inf, -np.inf])
    out = computed_once([x, Cx(x * 2, None), 3.0, None])
    assert np.array_equal(np.asarray(out[0]).view(np.uint64), np.asarray(x).view(np.uint64))  # -0.0 kept
    assert np.array_equal(np.asarray(out[1].re), np.asarray(x * 2)) and out[1].im is None
    assert out[2] == 3.0 and out[3] is None
    nan_first = computed_once(jnp.array([np.nan, 2.0]))  # the loop does not run: still the input
    assert np.isnan(nan_first[0]) and nan_first[1] == 2.0

    def f(v):
        return jnp.sum(computed_once(jnp.sin(v)) ** 2)

    v = jnp.linspace(0.1, 1.0, 4)
    np.testing.assert_allclose(jax.grad(f)(v), 2 * jnp.sin(v) * jnp.cos(v), rtol=1e-15)
    np.testing.assert_allclose(jax.jvp(f, (v,), (jnp.ones(4),))[1], jnp.sum(2 * jnp.sin(v) * jnp.cos(v)), rtol=1e-15)
    np.testing.assert_allclose(jax.vmap(f)(jnp.stack([v, 2 * v])), [f(v), f(2 * v)], rtol=1e-15)


def test_the_loop_survives_compilation():
    text = jax.jit(lambda v: computed_once(jnp.sin(v)) * 2).lower(jnp.ones(8)).compile().as_text()
    assert "while" in text
