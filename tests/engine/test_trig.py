"""Vectorised cosine and sine (`trig`): accuracy against the C library over the ranges a circuit
reaches, derivatives, when they are taken (`workload.evaluation_points`), and that a circuit's S
does not depend on the choice."""

import jax
import jax.numpy as jnp
import numpy as np

import pmrf_cli as prf
from pmrf_cli.circuit import Circuit
from pmrf_cli.models import Capacitor, Microstrip, TransmissionLine
from pmrf_cli.trig import VECTOR_TRIG_POINTS, reduced_sincos, sincos
from pmrf_cli.workload import evaluation_points, points_evaluated


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


def _sines(jaxpr) -> list[int]:
    """The ranks of the results of every `sin` in `jaxpr` and the jaxprs inside it."""
    out = []
    for eqn in jaxpr.eqns:
        if eqn.primitive.name == "sin":
            out.append(eqn.outvars[0].aval.ndim)
        for param in eqn.params.values():
            for sub in param if isinstance(param, (tuple, list)) else (param,):
                if isinstance(sub, jax.extend.core.ClosedJaxpr):
                    out += _sines(sub.jaxpr)
                elif isinstance(sub, jax.extend.core.Jaxpr):
                    out += _sines(sub)
    return out


def _uses_sin(fn, x) -> bool:
    """Whether `fn(x)` takes a library sine of an array (not of a scalar). Traced afresh: JAX
    caches traces by function, and `evaluation_points` is read while tracing."""
    return any(rank > 0 for rank in _sines(jax.make_jaxpr(lambda v: fn(v))(x).jaxpr))


def test_sincos_vectorises_per_point_arrays_of_large_programs_only():
    per_point, scalar = jnp.linspace(0.0, 9.0, 11), jnp.asarray(0.3)
    assert points_evaluated() is None
    assert _uses_sin(sincos, per_point)
    with evaluation_points(VECTOR_TRIG_POINTS - 1):
        assert _uses_sin(sincos, per_point)
    with evaluation_points(VECTOR_TRIG_POINTS):
        assert points_evaluated() == VECTOR_TRIG_POINTS
        assert not _uses_sin(sincos, per_point)
        assert _sines(jax.make_jaxpr(lambda v: sincos(v))(scalar).jaxpr) == [0]  # per sample: computed once
        assert _uses_sin(sincos, per_point.astype(jnp.float32))
    assert points_evaluated() is None


def test_circuit_s_is_the_same_with_vectorised_trig():
    """A microstrip step, a lossy line and a capacitor: S traced for a large sweep (vectorised
    cosines and sines in every line) against the C library's, to 1e-14."""
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
    with evaluation_points(VECTOR_TRIG_POINTS):
        assert not _uses_sin(s, circuit)
        vectorised = np.asarray(jax.jit(lambda m: s(m))(circuit))
    np.testing.assert_allclose(vectorised, plain, rtol=0, atol=1e-14)
