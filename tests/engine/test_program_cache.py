"""The store of traced programs (`engine.program_cache`): keyed, reloaded, rebuilt when damaged,
and lowered without JAX's LAPACK start-up unless the program calls LAPACK."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pmrf_cli.engine import program_cache


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("PMRF_NO_CACHE", raising=False)
    monkeypatch.setenv("PMRF_CACHE_DIR", str(tmp_path))
    return tmp_path / "programs"


def _elementwise():
    return jax.jit(lambda x: jnp.sin(x) * 2.0 + 1.0)


def _solve():
    return jax.jit(lambda x: jnp.linalg.solve(jnp.eye(3) * 2.0 + jnp.outer(x, x), x))


X = np.linspace(0.1, 0.3, 3)


def test_key_depends_on_every_part():
    a = program_cache.program_key("sweep", "text", 1)
    assert a == program_cache.program_key("sweep", "text", 1)
    assert a != program_cache.program_key("sweep", "text", 2)
    assert a != program_cache.program_key("sweep", b"text", 1)


def test_stored_program_is_reloaded_and_agrees(cache_dir):
    made = []

    def make():
        made.append(1)
        return _elementwise()

    first = program_cache.kernel("k1", make, X, "cpu")
    assert (cache_dir / "k1.jaxexport").exists() and made == [1]
    second = program_cache.kernel("k1", make, X, "cpu")
    assert made == [1]  # loaded, not traced again
    want = np.sin(X) * 2.0 + 1.0
    np.testing.assert_array_equal(np.asarray(first.lower(X).compile()(X)), np.asarray(second(X)))
    np.testing.assert_allclose(np.asarray(second(X)), want, rtol=1e-15)


def test_damaged_entry_is_rebuilt(cache_dir):
    cache_dir.mkdir(parents=True)
    (cache_dir / "k2.jaxexport").write_bytes(b"not a program")
    fn = program_cache.kernel("k2", _elementwise, X, "cpu")
    np.testing.assert_allclose(np.asarray(fn(X)), np.sin(X) * 2.0 + 1.0, rtol=1e-15)
    assert (cache_dir / "k2.jaxexport").read_bytes() != b"not a program"


def test_lapack_start_up_only_for_programs_that_call_lapack(cache_dir, monkeypatch):
    from jax._src.export import _export

    calls = []
    original = _export._ensure_backends_initialized
    monkeypatch.setattr(_export, "_ensure_backends_initialized", lambda platforms: calls.append(platforms))

    plain = program_cache.kernel("k3", _elementwise, X, "cpu")
    assert isinstance(plain, program_cache.StoredProgram) and not plain.calls_lapack
    plain.lower(X)
    assert calls == []  # skipped: scipy.linalg is not imported for it
    assert _export._ensure_backends_initialized is not original  # the test's hook is back in place

    solver = program_cache.kernel("k4", _solve, X, "cpu")
    assert solver.calls_lapack
    out = solver.lower(X).compile()(X)
    assert calls  # initialised as JAX does
    a = np.eye(3) * 2.0 + np.outer(X, X)
    np.testing.assert_allclose(np.asarray(out), np.linalg.solve(a, X), rtol=1e-13)

    # a warm run reads the verdict stored with the program
    assert not program_cache.kernel("k3", _elementwise, X, "cpu").calls_lapack
    assert program_cache.kernel("k4", _solve, X, "cpu").calls_lapack
    assert program_cache.kernel("k3", _elementwise, X, "gpu").calls_lapack  # skipped on CPUs only


def test_without_cache_the_kernel_is_traced(monkeypatch):
    monkeypatch.setenv("PMRF_NO_CACHE", "1")
    fn = program_cache.kernel("unused", _elementwise, X, "cpu")
    assert not isinstance(fn, program_cache.StoredProgram)
    np.testing.assert_allclose(np.asarray(fn(X)), np.sin(X) * 2.0 + 1.0, rtol=1e-15)
