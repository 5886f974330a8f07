"""`lines.common.csqrt` and `clog`: the principal branches, as numpy gives them, on every side
of the branch cut, with derivatives."""

import jax
import jax.numpy as jnp
import numpy as np

from pmrf_cli.models.lines.common import clog, csqrt

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(7)
Z = np.concatenate([
    (RNG.standard_normal(200) + 1j * RNG.standard_normal(200)) * 10.0 ** RNG.uniform(-8, 8, 200),
    np.array([4.4 - 0.088j, 3.4 + 0j, -2.0 + 0j, -2.0 + 1e-300j, -2.0 - 1e-300j, 1j, -1j, 1e-3 - 5j]),
])


def test_principal_branches_match_numpy():
    np.testing.assert_allclose(np.asarray(csqrt(Z)), np.sqrt(Z), rtol=4e-16, atol=0)
    np.testing.assert_allclose(np.asarray(clog(Z)), np.log(Z), rtol=4e-16, atol=4e-16)
    assert np.asarray(csqrt(0j)) == 0


def test_real_arguments_keep_real_functions():
    x = np.array([0.5, 2.0, 9.0])
    assert np.asarray(csqrt(x)).dtype == np.float64 and np.asarray(clog(x)).dtype == np.float64


def test_derivatives():
    z = 4.4 - 0.088j
    for f, df in ((csqrt, lambda z: 0.5 / np.sqrt(z)), (clog, lambda z: 1 / z)):
        # holomorphic: d/dx along the real axis is f'(z)
        got = jax.jacfwd(lambda x: f(x + 1j * jnp.imag(z)))(jnp.real(z))
        np.testing.assert_allclose(complex(got), df(z), rtol=1e-13)
