"""Fixtures of the design tests: the example and its variants (`pmrf` is in tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "design" / "lpf_detuned.yaml"
#: The 1 GHz design's values: meets every spec, but off the centre of its tolerances.
DESIGN = {"Lnom: 6 nH": "Lnom: 7.96 nH", "Cnom: 8.5 pF": "Cnom: 6.37 pF", "L3: 12 nH": "L3: 15.9 nH"}


@pytest.fixture(scope="session")
def nominal_sensitivity(pmrf):
    """`pmrf sensitivity EXAMPLE --json`, parsed (once per session)."""
    result = pmrf("sensitivity", EXAMPLE, "--json")
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
