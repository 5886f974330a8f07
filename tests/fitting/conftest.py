"""Fixtures of the fitting tests: an in-process `pmrf` runner and a clean JAX environment."""

from __future__ import annotations

import jax
import pytest


@pytest.fixture(autouse=True)
def _fit_environment(monkeypatch):
    """No compilation cache on disk; JAX's float64 setting restored after every test."""
    monkeypatch.setenv("PMRF_NO_CACHE", "1")
    monkeypatch.delenv("PMRF_TIMINGS", raising=False)
    x64 = jax.config.jax_enable_x64
    yield
    jax.config.update("jax_enable_x64", x64)


def _invoke(*args):
    from typer.testing import CliRunner

    from pmrf_cli.cli.app import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="session")
def pmrf():
    """`pmrf(*args)` runs the command in-process; returns click's Result."""
    return _invoke
