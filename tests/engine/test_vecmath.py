"""Vectorised cosine and sine, logarithm and arctangent (`vecmath`): accuracy against the C
library over the ranges a circuit reaches and at special values, derivatives, when they are taken
(`workload.evaluation_points`), and that a circuit's S does not depend on the choice."""

import jax
import jax.numpy as jnp
import numpy as np

import pmrf_cli as prf
from pmrf_cli.circuit import Circuit
from pmrf_cli.models import Capacitor, Microstrip, TransmissionLine
from pmrf_cli.vecmath import atan2, log, reduced_atan2, reduced_log, reduced_sincos, sincos
from pmrf_cli.workload import LARGE_PROGRAM_POINTS, evaluation_points, points_evaluated


def _ulps(got, ref):
    return np.abs(got - ref) / np.spacing(np.abs(ref))


def test_reduced_sincos_is_within_2_ulp_of_the_c_library():
    rng = np.random.default_rng(7)
    x = np.concatenate([
        rng.uniform(-10, 10, 20000),
        rng.uniform(-1e4, 1e4, 20000),
        np.exp(rng.uniform(-40, np.log(1e8), 20000)) * rng.choice([-1, 1], 20000),
        np.arange(-4000, 4001) * (np.pi / 4),  # near the quadrant edges, where r is tiny
        [0.0, 1e-300, np.pi / 2, np.pi, 1e8 - 1],
    ])
    c, s = (np.asarray(v) for v in jax.jit(reduced_sincos)(jnp.asarray(x)))
    assert _ulps(c, np.cos(x)).max() <= 2
    assert _ulps(s, np.sin(x)).max() <= 2
    c, s = (np.asarray(v) for v in jax.jit(reduced_sincos)(jnp.asarray([np.inf, -np.inf, np.nan])))
    assert np.isnan(c).all() and np.isnan(s).all()


def test_reduced_sincos_derivatives_are_minus_sin_and_cos():
    x = jnp.asarray(np.random.default_rng(8).uniform(-300, 300, 2000))
    dc = jax.vmap(jax.grad(lambda t: reduced_sincos(t)[0]))(x)
    ds = jax.vmap(jax.grad(lambda t: reduced_sincos(t)[1]))(x)
    np.testing.assert_allclose(dc, -np.sin(np.asarray(x)), rtol=0, atol=5e-16)
    np.testing.assert_allclose(ds, np.cos(np.asarray(x)), rtol=0, atol=5e-16)


def test_reduced_log_is_within_2_ulp_of_the_c_library():
    rng = np.random.default_rng(9)
    x = np.concatenate([
        np.exp(rng.uniform(-708, 709, 50000)),  # the normal floats
        rng.uniform(0.5, 2.0, 50000),  # near 1, where ln x is small
        1.0 + np.arange(-2000, 2001) * 2.0**-40,
        [1.0, 2.0, 0.5, np.sqrt(2.0), np.nextafter(np.sqrt(2.0), 2), np.finfo(float).tiny, np.finfo(float).max],
    ])
    got = np.asarray(jax.jit(reduced_log)(jnp.asarray(x)))
    ref = np.log(x)
    ulps = np.where(ref == 0, np.abs(got) > 0, _ulps(got, ref))
    assert ulps.max() <= 2
    special = jnp.asarray([0.0, -0.0, -1.0, np.inf, -np.inf, np.nan])
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.log(np.asarray(special))
    np.testing.assert_array_equal(np.asarray(jax.jit(reduced_log)(special)), expected)
    # subnormals: as XLA's own log on this backend (a CPU flushes them to zero, a GPU does not)
    subnormal = jnp.asarray([5e-324, 1e-310, 1e-320])
    np.testing.assert_allclose(jax.jit(reduced_log)(subnormal), jax.jit(jnp.log)(subnormal), rtol=1e-15)


def test_reduced_atan2_is_within_2_ulp_of_the_c_library():
    rng = np.random.default_rng(10)
    n = 60000
    y = rng.normal(size=n) * np.exp(rng.uniform(-30, 30, n))
    x = rng.normal(size=n) * np.exp(rng.uniform(-30, 30, n))
    # small phases, as in complex powers of lossy quantities
    x[:20000] = np.abs(y[:20000]) * rng.uniform(-0.03, 0.03, 20000) ** -1
    got = np.asarray(jax.jit(reduced_atan2)(jnp.asarray(y), jnp.asarray(x)))
    assert _ulps(got, np.arctan2(y, x)).max() <= 2
    values = [0.0, -0.0, 1.0, -1.0, 3.0, -3.0, np.inf, -np.inf, np.nan]
    ys, xs = (np.asarray(v).ravel() for v in np.meshgrid(values, values))
    got = np.asarray(jax.jit(reduced_atan2)(jnp.asarray(ys), jnp.asarray(xs)))
    ref = np.arctan2(ys, xs)
    np.testing.assert_array_equal(got, ref)  # equal values, NaN where NaN
    np.testing.assert_array_equal(np.signbit(got), np.signbit(ref))  # and the signs of zeros


def test_reduced_log_and_atan2_derivatives():
    rng = np.random.default_rng(11)
    x, y = jnp.asarray(rng.uniform(0.01, 100, 500)), jnp.asarray(rng.normal(size=500))
    np.testing.assert_allclose(jax.vmap(jax.grad(reduced_log))(x), 1 / np.asarray(x), rtol=1e-15)
    dy, dx = jax.vmap(jax.grad(reduced_atan2, argnums=(0, 1)))(y, x)
    np.testing.assert_allclose(dy, jax.vmap(jax.grad(jnp.arctan2, argnums=0))(y, x), rtol=1e-15)
    np.testing.assert_allclose(dx, jax.vmap(jax.grad(jnp.arctan2, argnums=1))(y, x), rtol=1e-15)


LIBRARY = ("sin", "cos", "log", "atan2")


def _sines(jaxpr, names=("sin",)) -> list[int]:
    """The ranks of the results of every primitive in `names` (library functions) in `jaxpr`
    and the jaxprs inside it."""
    out = []
    for eqn in jaxpr.eqns:
        if eqn.primitive.name in names:
            out.append(eqn.outvars[0].aval.ndim)
        for param in eqn.params.values():
            for sub in param if isinstance(param, (tuple, list)) else (param,):
                if isinstance(sub, jax.extend.core.ClosedJaxpr):
                    out += _sines(sub.jaxpr, names)
                elif isinstance(sub, jax.extend.core.Jaxpr):
                    out += _sines(sub, names)
    return out


def _uses_sin(fn, x, names=("sin",)) -> bool:
    """Whether `fn(x)` takes a library function in `names` of an array (not of a scalar).
    Traced afresh: JAX caches traces by function, and `evaluation_points` is read while tracing."""
    return any(rank > 0 for rank in _sines(jax.make_jaxpr(lambda v: fn(v))(x).jaxpr, names))


def test_vectorised_forms_are_taken_for_per_point_arrays_of_large_programs_only():
    per_point, scalar = jnp.linspace(0.1, 9.0, 11), jnp.asarray(0.3)
    functions = {"sin": sincos, "log": log, "atan2": lambda v: atan2(v, v + 1)}
    assert points_evaluated() is None
    for name, fn in functions.items():
        assert _uses_sin(fn, per_point, (name,))
        with evaluation_points(LARGE_PROGRAM_POINTS - 1):
            assert _uses_sin(fn, per_point, (name,))
        with evaluation_points(LARGE_PROGRAM_POINTS):
            assert points_evaluated() == LARGE_PROGRAM_POINTS
            assert not _uses_sin(fn, per_point, (name,))
            assert _sines(jax.make_jaxpr(lambda v: fn(v))(scalar).jaxpr, (name,)) == [0]  # per sample: computed once
            assert _uses_sin(fn, per_point.astype(jnp.float32), (name,))
    assert points_evaluated() is None


def test_circuit_s_is_the_same_with_vectorised_math():
    """A microstrip step, a lossy line and a capacitor: S traced for a large sweep (vectorised
    cosines, sines, logarithms and arctangents in every line) against the C library's, to 1e-14."""
    freq = prf.Frequency(0, 6, 61, "GHz")
    circuit = Circuit(
        [
            ("M1", Microstrip(3e-3, 0.8e-3, 4.4, 0.02, t=35e-6, tand=0.02), ("p1", "a")),
            ("M2", Microstrip(0.6e-3, 0.8e-3, 4.4, 0.013, t=35e-6, tand=0.02), ("a", "b")),
            ("C", Capacitor(1e-12), ("b", "gnd")),
            ("T", TransmissionLine(60.0, 0.37, loss=2.0, er=2.1), ("b", "p2")),
        ],
        ports=["p1", "p2"],
    )

    def s(model):
        return model.s(freq)

    plain = np.asarray(jax.jit(lambda m: s(m))(circuit))
    with evaluation_points(LARGE_PROGRAM_POINTS):
        assert not _uses_sin(s, circuit, LIBRARY)
        vectorised = np.asarray(jax.jit(lambda m: s(m))(circuit))
    np.testing.assert_allclose(vectorised, plain, rtol=0, atol=1e-14)
