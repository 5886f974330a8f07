"""`pmrf sensitivity`: the JSON contract, gradients against central differences, spreads."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.design.conftest import EXAMPLE

ONE_LINE_ERROR = re.compile(r"^(?:.+:\d+:\d+|pmrf): error: \S[^\n]*\n?$")
RANDOM = ["L1", "C2", "C4", "L5", "L3r"]


def test_json_shape(nominal_sensitivity):
    doc = nominal_sensitivity
    assert list(doc) == ["specs"]
    assert list(doc["specs"]) == ["passband_loss", "passband_match", "corner", "rejection", "delay"]
    for entry in doc["specs"].values():
        assert list(entry) == ["margin", "worst_frequency", "gradient", "per_spread"]
        assert list(entry["gradient"]) == list(entry["per_spread"]) == RANDOM
    assert doc["specs"]["corner"]["worst_frequency"] == 900e6  # an `at` spec: its frequency
    assert 10e6 <= doc["specs"]["passband_loss"]["worst_frequency"] <= 700e6
    assert 2e9 <= doc["specs"]["rejection"]["worst_frequency"] <= 3e9


def test_gradients_match_central_differences(nominal_sensitivity):
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    from pmrf_cli.cli.common import load
    from pmrf_cli.design.objective import margin_function, worst_frequencies
    from pmrf_cli.netlist.flatten import nominal_values
    from pmrf_cli.specs.bind import bind_specs

    _, flat = load(str(EXAMPLE))
    f = flat.frequency_hz
    specs = bind_specs(flat, f)
    fn = margin_function(flat, f, specs, RANDOM)
    run = jax.jit(lambda x: fn(dict(zip(RANDOM, x))))
    x0 = np.asarray([nominal_values(flat)[p] for p in RANDOM])
    m0, pm = run(jnp.asarray(x0))
    doc = nominal_sensitivity["specs"]
    for k, spec in enumerate(specs):
        assert doc[spec.name]["margin"] == pytest.approx(float(m0[k]), rel=1e-12)
        assert doc[spec.name]["worst_frequency"] == worst_frequencies(specs, f, pm)[k]
    for i, path in enumerate(RANDOM):
        h = 1e-6 * x0[i]
        up, down = x0.copy(), x0.copy()
        up[i] += h
        down[i] -= h
        fd = (np.asarray(run(jnp.asarray(up))[0]) - np.asarray(run(jnp.asarray(down))[0])) / (2 * h)
        for k, spec in enumerate(specs):
            assert doc[spec.name]["gradient"][path] == pytest.approx(fd[k], rel=1e-6), (spec.name, path)


def test_per_spread_is_gradient_times_spread(nominal_sensitivity):
    # L1, L5: tolerance 5 % (half-width); C2, C4: normal std 3 %; L3r: lognormal sigma 2 % x value
    spreads = {"L1": 0.05 * 6e-9, "L5": 0.05 * 6e-9, "C2": 0.03 * 8.5e-12, "C4": 0.03 * 8.5e-12, "L3r": 0.02 * 12e-9}
    for entry in nominal_sensitivity["specs"].values():
        for path, s in spreads.items():
            assert entry["per_spread"][path] == pytest.approx(entry["gradient"][path] * s, rel=1e-12)


def test_table_ranks_by_effect(pmrf):
    result = pmrf("sensitivity", EXAMPLE, "--set", "Cnom=8.5pF")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("spec") and "parameter" in line))
    # effects in each spec's unit, compared per normalised unit (1 dB, 1 deg, 100 ps, 0.1)
    per_unit = {"dB": 1.0, "deg": 1.0, "ps": 0.01, "ns": 10.0, "us": 1e4, "fs": 1e-5}
    effects = []
    for line in lines[start + 1:]:
        if line.strip():
            cells = line.split()
            unit = cells[3] if len(cells) > 4 else ""
            effects.append(abs(float(cells[2])) * per_unit.get(unit, 10.0))
    assert len(effects) == 5 * len(RANDOM) and effects == sorted(effects, reverse=True)


def test_no_specs_is_one_line_error(pmrf, no_specs):
    result = pmrf("sensitivity", no_specs)
    assert result.exit_code == 1
    assert ONE_LINE_ERROR.match(result.stderr) and "no specs" in result.stderr
