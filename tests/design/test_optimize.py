"""`pmrf optimize`: a detuned LC low-pass is brought to meet every spec; contract; errors."""

from __future__ import annotations

import json
import re

import pytest

from tests.design.conftest import EXAMPLE

ONE_LINE_ERROR = re.compile(r"^(?:.+:\d+:\d+|pmrf): error: \S[^\n]*\n?$")
PARAMS = ["--param", "Lnom", "--param", "Cnom", "--param", "L3"]


@pytest.fixture(scope="module")
def optimised(tmp_path_factory, pmrf):
    out = tmp_path_factory.mktemp("optimize") / "tuned.yaml"
    result = pmrf("optimize", EXAMPLE, *PARAMS, "-o", out, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out


def test_json_shape(optimised):
    doc, _ = optimised
    assert list(doc) == ["parameters", "margins", "iterations", "converged"]
    assert list(doc["parameters"]) == ["Lnom", "Cnom", "L3"]
    assert list(doc["margins"]) == ["passband_loss", "passband_match", "corner", "rejection", "delay"]
    assert isinstance(doc["iterations"], int) and doc["iterations"] > 0
    assert doc["converged"] is True


def test_detuned_start_fails_and_optimum_meets_every_spec(optimised, nominal_sensitivity):
    doc, _ = optimised
    start = {name: e["margin"] for name, e in nominal_sensitivity["specs"].items()}
    assert sum(m < 0 for m in start.values()) >= 3
    assert all(m > 0 for m in doc["margins"].values()), doc["margins"]
    # the worst normalised margin (1 dB units) is near its ceiling: passband loss <= 0.5 dB
    assert min(doc["margins"]["passband_loss"], doc["margins"]["rejection"]) > 0.4


def test_written_back_netlist_meets_the_specs(optimised):
    import jax

    jax.config.update("jax_enable_x64", True)
    from pmrf_cli.cli.common import load
    from pmrf_cli.netlist.flatten import nominal_values
    from pmrf_cli.netlist.build import circuit_builder
    from pmrf_cli.frequency import Frequency
    from pmrf_cli.specs.bind import bind_specs
    from pmrf_cli.specs.score import sample_margins

    doc, out = optimised
    _, flat = load(str(out))
    values = nominal_values(flat)
    assert {k: values[k] for k in doc["parameters"]} == doc["parameters"]  # exact round trip
    specs = bind_specs(flat, flat.frequency_hz)
    build, score, freq = circuit_builder(flat), sample_margins(specs, flat.frequency_hz), Frequency.from_values(flat.frequency_hz)

    @jax.jit
    def margins(values):
        model = build(values)
        return score(model, model.s(freq))

    m = margins(values)
    assert list(map(float, m)) == pytest.approx(list(doc["margins"].values()), rel=1e-9)
    changed = [a for a, b in zip(out.read_text().splitlines(), EXAMPLE.read_text().splitlines()) if a != b]
    assert len(changed) == 3 and all(line.split(":")[0].strip() in ("Lnom", "Cnom", "L3") for line in changed)


def test_unknown_param_is_one_line_error(pmrf, tmp_path):
    out = tmp_path / "tuned.yaml"
    result = pmrf("optimize", EXAMPLE, "--param", "Lx", "-o", out)
    assert result.exit_code == 1 and not out.exists()
    assert ONE_LINE_ERROR.match(result.stderr) and "--param Lx" in result.stderr


def test_no_specs_is_one_line_error(pmrf, no_specs, tmp_path):
    out = tmp_path / "tuned.yaml"
    result = pmrf("optimize", no_specs, "--param", "Lnom", "-o", out)
    assert result.exit_code == 1 and not out.exists()
    assert ONE_LINE_ERROR.match(result.stderr) and "no specs" in result.stderr
