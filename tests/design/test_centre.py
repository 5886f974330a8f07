"""`pmrf centre`: yield rises on a held-out sample for an off-centre LC ladder; errors."""

from __future__ import annotations

import json
import re

ONE_LINE_ERROR = re.compile(r"^(?:.+:\d+:\d+|pmrf): error: \S[^\n]*\n?$")
PARAMS = ["--param", "Lnom", "--param", "Cnom", "--param", "L3"]


def test_centre_raises_held_out_yield(pmrf, design_netlist, tmp_path):
    out = tmp_path / "centred.yaml"
    result = pmrf("centre", design_netlist, *PARAMS, "--batch", 32, "--holdout", 600, "--seed", 3, "-o", out, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == ["parameters", "start", "yield_before", "yield_after", "iterations", "converged"]
    before, after = doc["yield_before"], doc["yield_after"]
    assert before["samples"] == after["samples"] == 600
    assert before["yield"] < 0.9  # off-centre: a fifth or so fail
    assert after["low"] > before["high"]  # better beyond the Wilson intervals
    assert doc["start"] == {"Lnom": 7.96e-9, "Cnom": 6.37e-12, "L3": 15.9e-9}
    from pmrf_cli.cli.common import load
    from pmrf_cli.netlist.flatten import nominal_values

    values = nominal_values(load(str(out))[1])
    assert {k: values[k] for k in doc["parameters"]} == doc["parameters"]


def test_bad_batch_is_one_line_error(pmrf, design_netlist, tmp_path):
    out = tmp_path / "centred.yaml"
    result = pmrf("centre", design_netlist, "--param", "Lnom", "--batch", 0, "-o", out)
    assert result.exit_code == 1 and not out.exists()
    assert ONE_LINE_ERROR.match(result.stderr)


def test_no_specs_is_one_line_error(pmrf, no_specs):
    result = pmrf("centre", no_specs, "--param", "Lnom")
    assert result.exit_code == 1
    assert ONE_LINE_ERROR.match(result.stderr) and "no specs" in result.stderr
