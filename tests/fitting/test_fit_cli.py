"""`pmrf fit`: recovery of known values, the JSON contract, write-back, and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from pmrf_cli.netlist import flatten, parse_netlist
from pmrf_cli.netlist.flatten import nominal_values
from pmrf_cli.netlist.writeback import format_like

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "fit"
NETLIST = EXAMPLE / "lpf_fit.yaml"
TRUTH = {"Lnom": 8.21e-9, "C2": 6.12e-12, "Xp1.C": 0.41e-12}  # as make_measured.py
ONE_LINE_ERROR = re.compile(r"^(?:.+:\d+:\d+|pmrf): error: \S[^\n]*\n?$")


def _simulate(netlist: Path, values: dict, path: Path, z0=50.0, frequency=None) -> None:
    from pmrf_cli.cli.common import load
    from pmrf_cli.fitting.parametrize import s_function
    from pmrf_cli.io.touchstone import write_touchstone

    _, flat = load(str(netlist))
    f = flat.frequency_hz if frequency is None else frequency
    s = np.asarray(s_function(flat, f, list(values))(values))
    with open(path, "w", newline="") as fh:
        write_touchstone(fh, f, s, z0)


@pytest.fixture(scope="module")
def noise_free(tmp_path_factory):
    """One fit of the example to a noise-free synthetic measurement, with --json and -o."""
    tmp = tmp_path_factory.mktemp("fit")
    measured = tmp / "measured.s2p"
    _simulate(NETLIST, TRUTH, measured)
    from typer.testing import CliRunner

    from pmrf_cli.cli.app import app

    out = tmp / "fitted.yaml"
    args = ["fit", str(NETLIST), str(measured), "--param", "Lnom", "--param", "C2", "--param", "Xp1.C",
            "-o", str(out), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out


def test_json_shape_is_exact(noise_free):
    doc, _ = noise_free
    assert list(doc) == ["parameters", "start", "rms_error", "iterations", "converged"]
    assert list(doc["parameters"]) == list(doc["start"]) == ["Lnom", "C2", "Xp1.C"]
    assert doc["start"] == {"Lnom": 7.96e-9, "C2": 6.37e-12, "Xp1.C": 0.25e-12}
    assert isinstance(doc["rms_error"], float) and isinstance(doc["iterations"], int)
    assert doc["converged"] is True and 0 < doc["iterations"] <= 200


def test_recovers_known_values(noise_free):
    doc, _ = noise_free
    for path, value in TRUTH.items():
        assert doc["parameters"][path] == pytest.approx(value, rel=1e-6)
    assert doc["rms_error"] < 1e-9


def test_write_back_changes_only_the_values(noise_free):
    doc, out = noise_free
    fitted = doc["parameters"]
    original = NETLIST.read_text()
    expected = (
        original.replace("Lnom: 7.96 nH", "Lnom: " + format_like(fitted["Lnom"], "7.96 nH"))
        .replace("value: 6.37 pF", "value: " + format_like(fitted["C2"], "6.37 pF"))
        .replace("C: 0.25 pF}", "C: " + format_like(fitted["Xp1.C"], "0.25 pF") + "}")
    )
    assert out.read_text() == expected != original
    values = nominal_values(flatten(parse_netlist(expected, "fitted.yaml", EXAMPLE)))
    assert {k: values[k] for k in fitted} == fitted  # exact round trip


def test_example_measurement(pmrf):
    """The example's noisy measurement (1e-4): the table, and values close to the truth."""
    result = pmrf("fit", NETLIST, EXAMPLE / "measured.s2p", "--param", "Lnom", "--param", "C2",
                  "--param", "Xp1.C", "--weight", "S21=4")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["parameter", "start", "fitted", "change"]
    assert lines[1].startswith("Lnom") and "7.96 nH" in lines[1] and "8.2" in lines[1]
    assert re.fullmatch(r"rms error: 0\.0\d+ -> \S+", lines[4]), lines[4]
    assert lines[5].endswith("(converged)")
    fitted = {ln.split()[0]: ln.split()[3] + ln.split()[4] for ln in lines[1:4]}
    from pmrf_cli.netlist.units import PARAMETER, parse_value

    values = {path: parse_value(text, PARAMETER) for path, text in fitted.items()}
    for path, value in TRUTH.items():
        assert values[path] == pytest.approx(value, rel=2e-3)
    # the reported error is the weighted RMS of |S - M| at the fitted values
    from pmrf_cli.cli.common import load
    from pmrf_cli.fitting.parametrize import s_function
    from pmrf_cli.io.touchstone import read_touchstone

    data = read_touchstone(EXAMPLE / "measured.s2p")
    s = np.asarray(s_function(load(str(NETLIST))[1], data.frequency, list(values))(values))
    w = np.array([[1.0, 1.0], [4.0, 1.0]])
    rms = np.sqrt(np.sum(w * np.abs(s - data.s) ** 2) / (w.sum() * len(s)))
    assert float(lines[4].split()[-1]) == pytest.approx(rms, rel=1e-3)


ONE_PORT = """\
frequency: {start: 1 GHz, stop: 2 GHz, points: 3}
parameters:
  C: 1 pF
components:
  C1: {type: capacitor, nodes: [a, gnd], C: C}
ports: [a]
"""
SHARED = NETLIST.read_text().replace("Xp1: {type: pad, nodes: [in], C: 0.25 pF}", "Xp1: {type: pad, nodes: [in]}")


@pytest.mark.parametrize(
    "case, netlist, args, words",
    [
        ("unknown-param", None, ["--param", "Lx"], ["no such parameter", "Lnom, C2, Xp1.C, Xp2.C"]),
        ("expression-param", None, ["--param", "L3"], ["lpf_fit.yaml:10:3: error:", "expression", "Lnom"]),
        ("derived-by-name", None, ["--param", "L1"], ["lpf_fit.yaml:8:3: error:", "expression"]),
        ("other-ports", ONE_PORT, ["--param", "C"], ["2 port(s)", "the netlist has 1 (a)"]),
        ("bad-weight-term", None, ["--param", "Lnom", "--weight", "S31=2"], ["port 3 does not exist"]),
        ("negative-weight", None, ["--param", "Lnom", "--weight", "S(out,in)=-1"], [">= 0"]),
        ("param-twice", None, ["--param", "Lnom", "--param", "Lnom"], ["given twice"]),
        ("shared-default", SHARED, ["--param", "Xp1.C"], ["lpf_fit.yaml:14:21: error:", "Xp1.C, Xp2.C", "override"]),
    ],
)
def test_bad_input_is_one_line(pmrf, tmp_path, case, netlist, args, words):
    path = NETLIST
    if netlist is not None:
        path = tmp_path / "lpf_fit.yaml"
        path.write_text(netlist)
    out = tmp_path / "fitted.yaml"
    result = pmrf("fit", path, EXAMPLE / "measured.s2p", *args, "-o", out)
    assert result.exit_code == 1
    assert ONE_LINE_ERROR.match(result.stderr), result.stderr
    for word in words:
        assert word in result.stderr
    assert result.stdout == ""
    assert not out.exists() and list(tmp_path.glob(".*")) == []
