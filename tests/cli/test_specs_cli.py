"""Specs at the command line: every bad spec is one positioned error line; simulate reports and
stores margins; `pmrf yield --json` has SPECS.md's shape."""

from __future__ import annotations

import json
import re

import h5py
import numpy as np
import pytest

HEAD = """name: lc
frequency: {start: 100 MHz, stop: 2 GHz, points: 20}
parameters:
  L: {value: 8 nH, tolerance: 5%}
  C: 3 pF
components:
  L1: {type: inductor, nodes: [in, n1], L: L}
  C1: {type: capacitor, nodes: [n1, gnd], C: C}
  L2: {type: inductor, nodes: [n1, out], L: L}
ports: [in, out]
specs:
"""
GOOD = HEAD + """  loss: {measure: dB(S21), band: [100 MHz, 600 MHz], min: -1}
  delay: {measure: gd(S21), at: 450 MHz, max: 2 ns}
"""

BAD = [
    ("  a: {measure: dB(S31), band: [100 MHz, 1 GHz], min: -1}\n", 12, "no port 3"),
    ("  a: {measure: \"dB(S(in,nowhere))\", band: [100 MHz, 1 GHz], min: -1}\n", 12, "no port 'nowhere'"),
    ("  a: {measure: dB(S21), band: [2.5 GHz, 3 GHz], min: -1}\n", 12, "holds no point of the frequency grid"),
    ("  a: {measure: dB(S21), band: [100 MHz, 1 GHz], min: 1, max: -1}\n", 12, "min (1) is above max (-1)"),
    ("  a: {measure: dB(S21), band: [100 MHz, 1 GHz], max: 2 ns}\n", 12, "unit mismatch"),
    ("  a: {measure: gd(S21), band: [100 MHz, 1 GHz], max: -3 dB}\n", 12, "unit mismatch"),
    ("  a: {measure: dB(S21), band: [100 MHz, 1 GHz], at: 1 GHz, min: -1}\n", 12, "exactly one of"),
    ("  a: {measure: dB(S21), band: [100 MHz, 1 GHz]}\n", 12, "needs 'min', 'max' or both"),
    ("  a: {measure: dB(S21), band: [100 MHz, 1 GHz], min: -1, typ: 0}\n", 12, "unknown key 'typ'"),
    ("  a: {measure: S21, band: [100 MHz, 1 GHz], min: -1}\n", 12, "is complex"),
    ("  a: {measure: dB(S21) * L, band: [100 MHz, 1 GHz], min: -1}\n", 12, "'L' is random"),
    ("  a: {measure: dB(S21) - phase(S21), band: [100 MHz, 1 GHz], min: -1}\n", 12, "different units"),
    ("  a: {measure: dB(S21), at: 5 GHz, min: -1}\n", 12, "outside the frequency grid"),
    ("  a: {measure: foo(S21), at: 1 GHz, min: -1}\n", 12, "unknown function 'foo'"),
    ("  a: {measure: dB(S21), band: [1 GHz, 100 MHz], min: -1}\n", 12, "band start is above its stop"),
    ("  a: [1, 2]\n", 12, "must be a mapping"),
]


@pytest.mark.parametrize("spec,line,message", BAD, ids=[m for _, _, m in BAD])
def test_every_bad_spec_is_one_positioned_line(spec, line, message, cli, tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(HEAD + spec)
    r = cli("validate", p)
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert re.match(rf"^{re.escape(str(p))}:{line}:\d+: error: ", lines[0]), lines[0]
    assert message in lines[0]


def test_validate_lists_specs(cli, tmp_path):
    p = tmp_path / "good.yaml"
    p.write_text(GOOD)
    r = cli("validate", p)
    assert r.exit_code == 0 and "specs:      2 (loss, delay)" in r.stdout


def test_simulate_reports_margins_on_stderr_with_s_on_stdout(cli, tmp_path):
    p = tmp_path / "good.yaml"
    p.write_text(GOOD)
    r = cli("simulate", p)
    assert r.exit_code == 0
    assert r.stdout.startswith("!") and "margin" not in r.stdout
    assert "loss" in r.stderr and "delay" in r.stderr and "all specs pass" in r.stderr
    out = tmp_path / "x.h5"
    r = cli("simulate", p, "-o", out)
    assert "loss" in r.stdout
    with h5py.File(out, "r") as f:
        s = f["s"][()]
        fr = f["frequency"][()]
        m = f["specs"]["loss"]
        assert m.shape == () and m.attrs["measure"] == "dB(S21)" and m.attrs["unit"] == "dB"
        assert np.isnan(m.attrs["max"]) and m.attrs["min"] == -1
        np.testing.assert_array_equal(m.attrs["band"], [1e8, 6e8])
        band = (fr >= 1e8) & (fr <= 6e8)
        assert m[()] == pytest.approx(np.min(20 * np.log10(np.abs(s[band, 1, 0]))) + 1, abs=1e-12)
        assert f["specs"]["delay"].attrs["at"] == 4.5e8
        assert bool(f["pass"][()]) is True


def test_yield_json_shape(cli, tmp_path):
    p = tmp_path / "good.yaml"
    p.write_text(GOOD)
    out = tmp_path / "mc.h5"
    assert cli("sweep", p, "--batch", 40, "-o", out, "-q").exit_code == 0
    r = cli("yield", out, "--json")
    assert r.exit_code == 0
    d = json.loads(r.stdout)
    assert set(d) == {"samples", "passed", "yield", "low", "high", "confidence", "specs"}
    assert d["samples"] == 40 and d["confidence"] == 0.95
    assert set(d["specs"]) == {"loss", "delay"}
    for v in d["specs"].values():
        assert set(v) == {"passed", "worst_margin", "mean_margin"}
    with h5py.File(out, "r") as f:
        m = f["specs"]["loss"][()]
        assert d["specs"]["loss"]["worst_margin"] == float(m.min())
        assert d["passed"] == int(f["pass"][()].sum())
        assert f.attrs["yield"] == d["yield"] and f.attrs["yield_low"] == d["low"]


def test_yield_errors(cli, tmp_path):
    p = tmp_path / "nospecs.yaml"
    p.write_text(HEAD.replace("specs:\n", ""))
    out = tmp_path / "n.h5"
    assert cli("sweep", p, "--batch", 4, "-o", out, "-q").exit_code == 0
    r = cli("yield", out)
    assert r.exit_code == 1 and "holds no spec margins" in r.stderr
    r = cli("sweep", p, "--batch", 4, "-o", tmp_path / "m.h5", "--store", "specs")
    assert r.exit_code == 1 and "has no specs" in r.stderr and not (tmp_path / "m.h5").exists()
    r = cli("yield", tmp_path / "missing.h5")
    assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1
