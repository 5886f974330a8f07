"""Fixtures of the design tests: an in-process `pmrf`, the example, and its variants."""

from __future__ import annotations

import json
from pathlib import Path

import jax
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "design" / "lpf_detuned.yaml"
#: The 1 GHz design's values: meets every spec, but off the centre of its tolerances.
DESIGN = {"Lnom: 6 nH": "Lnom: 7.96 nH", "Cnom: 8.5 pF": "Cnom: 6.37 pF", "L3: 12 nH": "L3: 15.9 nH"}


@pytest.fixture(autouse=True)
def _design_environment(monkeypatch):
    """No compilation cache on disk; JAX's float64 setting restored after every test."""
    monkeypatch.setenv("PMRF_NO_CACHE", "1")
    monkeypatch.delenv("PMRF_TIMINGS", raising=False)
    x64 = jax.config.jax_enable_x64
    yield
    jax.config.update("jax_enable_x64", x64)


def invoke(*args):
    """Run `pmrf ARGS` in-process; returns click's Result (bugs are raised)."""
    from typer.testing import CliRunner

    from pmrf_cli.cli.app import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="session")
def pmrf():
    """`pmrf(*args)` runs the command in-process."""
    return invoke


@pytest.fixture(scope="session")
def nominal_sensitivity():
    """`pmrf sensitivity EXAMPLE --json`, parsed (once per session)."""
    result = invoke("sensitivity", EXAMPLE, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def design_netlist(tmp_path) -> Path:
    """The example at its design values (passes at nominal, off-centre under tolerances),
    without its group-delay spec (which never binds there) for a faster compile."""
    text = "".join(line for line in EXAMPLE.read_text().splitlines(True) if "gd(S21)" not in line)
    for old, new in DESIGN.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "design.yaml"
    path.write_text(text)
    return path


@pytest.fixture
def no_specs(tmp_path) -> Path:
    """The example without its specs."""
    text = EXAMPLE.read_text()
    path = tmp_path / "nospecs.yaml"
    path.write_text(text[: text.index("specs:")])
    return path
