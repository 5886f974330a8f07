"""Issue 13 on the command line: impossible geometry refused by `validate` at the field and counted
as non-physical by `sweep`; 0 Hz in a circuit with a DC-floating node written as its limit, or
refused (never NaN in a file) where the circuit has no unique value there."""

from __future__ import annotations

import re

import numpy as np

COAX = """frequency: {start: 1 GHz, stop: 2 GHz, points: 3}
%scomponents:
  X: {type: coax, nodes: [a, b], din: 1.5 mm, dout: %s, length: 0.1}
ports: [a, b]
"""

SERIES_CAPS = """frequency: {start: 0 Hz, stop: 2 GHz, points: 3}
components:
  C1: {type: capacitor, nodes: [a, m], C: 1 pF}
  C2: {type: capacitor, nodes: [m, b], C: 2 pF}
  R: {type: resistor, nodes: [b, gnd], R: 100}
ports: [a, b]
"""

FLOATING_GATE = """frequency: {start: 0 Hz, stop: 2 GHz, points: 3}
components:
  C1: {type: capacitor, nodes: [in, g], C: 1 pF}
  C2: {type: capacitor, nodes: [g, gnd], C: 3 pF}
  G: {type: vccs, nodes: [g, o], gm: 20 mS}
  R: {type: resistor, nodes: [o, gnd], R: 50}
ports: [in, o]
"""


def test_validate_refuses_impossible_geometry_at_the_field(cli, tmp_path, check):
    p = tmp_path / "coax.yaml"
    p.write_text(COAX % ("", "1 mm"))
    res = cli("validate", p)
    assert res.exit_code == 1
    (line,) = res.stderr.splitlines()
    assert re.match(check.POSITION_ERROR_LINE, line) and line.startswith(f"{p}:3:53: error: X.dout > X.din fails"), line


def test_sweep_counts_draws_that_break_a_relation_as_non_physical(cli, tmp_path):
    p = tmp_path / "coax.yaml"
    p.write_text(COAX % ("parameters:\n  D: {value: 2 mm, distribution: uniform, min: 1 mm, max: 3 mm}\n", "D"))
    out = tmp_path / "s.h5"
    res = cli("sweep", p, "--batch", 64, "-o", out, "-q")
    assert res.exit_code == 1 and "X.dout > X.din fails in" in res.stderr and "non-physical" in res.stderr
    assert not out.exists()


def test_dc_point_of_a_floating_node_is_the_limit(cli, tmp_path):
    p = tmp_path / "caps.yaml"
    p.write_text(SERIES_CAPS)
    out = tmp_path / "caps.s2p"
    res = cli("simulate", p, "-o", out)
    assert res.exit_code == 0, res.stderr
    rows = [ln.split() for ln in out.read_text().splitlines() if ln and ln[0] not in "!#"]
    dc = np.array(rows[0], float)
    # at DC port a is open and port b sees 100 ohm: S11 = 1, S21 = S12 = 0, S22 = 1/3
    assert dc[0] == 0 and np.max(np.abs(dc[1:] - [1, 0, 0, 0, 0, 0, 1 / 3, 0])) < 1e-12, dc


def test_no_unique_dc_value_is_an_error_not_nan(cli, tmp_path, check):
    p = tmp_path / "gate.yaml"
    p.write_text(FLOATING_GATE)
    out = tmp_path / "gate.s2p"
    res = cli("simulate", p, "-o", out)
    assert res.exit_code == 1 and not out.exists()
    (line,) = res.stderr.splitlines()
    assert re.match(check.ERROR_LINE, line) and "not finite" in line and "0 Hz" in line and "above 0 Hz" in line


def test_sweep_counts_samples_whose_s_is_not_finite(cli, tmp_path):
    """A sweep keeps what it computed but never hides a NaN: it warns, names the first sample,
    counts them in the file (nonfinite_samples), and their margins fail."""
    import h5py

    p = tmp_path / "gate.yaml"
    p.write_text(FLOATING_GATE.replace("components:", "parameters:\n  gm: {value: 20 mS, tolerance: 5%}\ncomponents:")
                 .replace("gm: 20 mS", "gm: gm") + "specs:\n  gain: {measure: dB(S21), band: [0 Hz, 2 GHz], min: -100}\n")
    out = tmp_path / "gate.h5"
    res = cli("sweep", p, "--batch", 10, "-o", out, "-q")
    assert res.exit_code == 0, res.stderr
    assert "not finite in 10 of 10 samples (first: sample 0)" in res.stderr
    with h5py.File(out, "r") as f:
        assert int(f.attrs["nonfinite_samples"]) == 10
        assert not f["pass"][()].any() and f.attrs["yield"] == 0.0
