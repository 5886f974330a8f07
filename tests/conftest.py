"""Test configuration: the library leaves JAX's global settings alone, so tests opt in to float64.

Shared by every test directory: a clean command environment (no compilation cache on disk, no
timings; JAX's float64 setting restored after every test, since `--precision single` switches
it off process-wide), and `pmrf(*args)`, the command run in-process.
"""

import jax
import pytest

jax.config.update("jax_enable_x64", True)


@pytest.fixture(autouse=True)
def _command_environment(monkeypatch):
    monkeypatch.setenv("PMRF_NO_CACHE", "1")
    monkeypatch.delenv("PMRF_TIMINGS", raising=False)
    x64 = jax.config.jax_enable_x64
    yield
    jax.config.update("jax_enable_x64", x64)


def invoke(*args):
    """Run `pmrf ARGS` in-process; returns click's Result (bugs are raised, not exit codes)."""
    from typer.testing import CliRunner

    from pmrf_cli.cli.app import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="session")
def pmrf():
    """`pmrf(*args)` runs the command in-process; returns click's Result."""
    return invoke
