"""Sweeps with specs: margins, pass, yield and statistics are the same bits however the sweep is
chunked, split over cores, stopped and resumed, or stored (--store specs); `pmrf yield --specs`
gives the margins a sweep with those specs writes."""

from __future__ import annotations

import json
import os
import signal

import h5py
import numpy as np
import pytest
from test_sweep_cli import _pmrf, _sweep, _wait_for_progress  # same directory

from pmrf_cli.specs.yields import wilson_interval

NETLIST = """name: lc3
frequency: {start: 100 MHz, stop: 2 GHz, points: 21}
parameters:
  L: {value: 8 nH, tolerance: 8%}
  C: {value: 3 pF, distribution: normal, std: 4%}
components:
  L1: {type: inductor, nodes: [in, n1], L: L}
  C1: {type: capacitor, nodes: [n1, gnd], C: C}
  L2: {type: inductor, nodes: [n1, out], L: 8 nH}
ports: [in, out]
specs:
  loss: {measure: dB(S21), band: [100 MHz, 500 MHz], min: -0.2}
  match: {measure: dB(S11), band: [100 MHz, 500 MHz], max: -14}
  corner: {measure: dB(S21), at: 1.03 GHz, min: -3.2}
  delay: {measure: gd(S21), band: [100 MHz, 600 MHz], max: 0.3 ns}
"""
TIGHT = """specs:
  loss: {measure: dB(S21), band: [100 MHz, 400 MHz], min: -0.1}
  delay: {measure: gd(S21), at: 300 MHz, max: 0.28 ns}
"""


@pytest.fixture()
def netlist(tmp_path):
    p = tmp_path / "lc3.yaml"
    p.write_text(NETLIST)
    return p


def _read(path):
    with h5py.File(path, "r") as f:
        out = {f"specs/{k}": f["specs"][k][()] for k in f["specs"]}
        out.update({f"statistics/{k}": f["statistics"][k][()] for k in f["statistics"] if isinstance(f["statistics"][k], h5py.Dataset)})
        out["pass"] = f["pass"][()]
        out["yield"] = f["yield"][()]
        out.update({k: f.attrs[k] for k in ("yield", "yield_low", "yield_high", "yield_confidence")})
        out["s"] = f["s"][()] if "s" in f else None
    return out


def _same(a, b, keys=None):
    for k in keys or a:
        if a[k] is None:
            continue
        x, y = np.asarray(a[k]), np.asarray(b[k])
        assert x.shape == y.shape and x.tobytes() == y.tobytes(), k


def test_margins_pass_yield_and_statistics(netlist, tmp_path):
    out = tmp_path / "a.h5"
    r = _sweep(netlist, "--batch", 300, "--seed", 3, "-o", out)
    assert r.exit_code == 0, r.output
    d = _read(out)
    s = d["s"]
    with h5py.File(out, "r") as f:
        fr = f["frequency"][()]
        assert list(f.attrs["stored"]) == ["parameters", "s", "specs", "pass", "yield", "statistics"]
    db = 20 * np.log10(np.abs(s))
    band = (fr >= 1e8) & (fr <= 5e8)
    np.testing.assert_allclose(d["specs/loss"], db[:, band, 1, 0].min(axis=1) + 0.2, rtol=0, atol=1e-12)
    np.testing.assert_allclose(d["specs/match"], (-14 - db[:, band, 0, 0]).min(axis=1), rtol=0, atol=1e-12)
    ok = np.stack([d[f"specs/{k}"] >= 0 for k in ("loss", "match", "corner", "delay")]).all(axis=0)
    np.testing.assert_array_equal(d["pass"], ok)
    assert 0 < ok.sum() < 300  # the netlist is tuned to pass some and fail some
    assert d["yield"] == ok.mean() and d["yield"].shape == ()
    assert (d["yield_low"], d["yield_high"]) == wilson_interval(int(ok.sum()), 300, 0.95)
    # statistics against numpy over the stored S
    np.testing.assert_allclose(d["statistics/s_mean"], s.mean(axis=0), rtol=0, atol=1e-13)
    np.testing.assert_allclose(d["statistics/s_std"], s.std(axis=0), rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(d["statistics/db_mean"], db.mean(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d["statistics/db_std"], db.std(axis=0), rtol=1e-7, atol=1e-11)
    np.testing.assert_allclose(d["statistics/db_min"], db.min(axis=0), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(d["statistics/db_max"], db.max(axis=0), rtol=1e-13, atol=1e-13)


def test_same_bits_whatever_the_chunk_cores_and_store(netlist, tmp_path):
    """Margins (dB, at, group delay), pass, yield and statistics: the same bits for other chunks,
    other part sizes (cores) and without /s. Parts smaller than a tile are padded to one, so the
    compiled tile, and the last bits of its logarithms, never change with the split."""
    runs = {
        "ref": ("--chunk", 1024, "--cores", 1),
        "cores": ("--chunk", 1024, "--cores", 2),
        "chunk": ("--chunk", 320, "--cores", 2, "--store", "specs"),
        "odd": ("--chunk", 37, "--cores", 1),
    }
    data = {}
    for name, opts in runs.items():
        out = tmp_path / f"{name}.h5"
        r = _sweep(netlist, "--batch", 2100, "--seed", 4, *opts, "-o", out)
        assert r.exit_code == 0, r.output
        data[name] = _read(out)
    for name in ("cores", "odd"):
        _same(data["ref"], data[name])
    assert data["chunk"]["s"] is None
    _same(data["ref"], data["chunk"], [k for k in data["ref"] if k != "s"])
    with h5py.File(tmp_path / "chunk.h5", "r") as f:
        assert "s" not in f and list(f.attrs["stored"]) == ["parameters", "specs", "pass", "yield", "statistics"]


def test_a_last_chunk_of_padding_tiles_adds_nothing(netlist, tmp_path):
    """On 401 points a tile is 128 samples, so the last chunk of 1088 samples by 512 (its 64
    real samples, then padding) holds tiles, and with 2 cores a whole part, of padding alone:
    they are counted nowhere (they once added the last sample to the statistics again, and
    `--store specs` refused the write)."""
    data = {}
    for name, opts in {"all": ("--cores", 1), "specs": ("--cores", 2, "--store", "specs")}.items():
        out = tmp_path / f"{name}.h5"
        r = _sweep(netlist, "--batch", 1088, "--chunk", 512, "--freq", "100MHz:2GHz:401", *opts, "-o", out)
        assert r.exit_code == 0, r.output
        data[name] = _read(out)
    s = data["all"]["s"]
    assert s.shape == (1088, 401, 2, 2)
    np.testing.assert_allclose(data["all"]["statistics/s_mean"], s.mean(axis=0), rtol=0, atol=1e-13)
    np.testing.assert_allclose(data["all"]["statistics/s_std"], s.std(axis=0), rtol=1e-9, atol=1e-14)
    _same(data["all"], data["specs"], [k for k in data["all"] if k != "s"])


def test_yield_per_grid_point(netlist, tmp_path):
    out = tmp_path / "g.h5"
    r = _sweep(netlist, "--batch", 50, "--vary", "C=2.6pF:3.4pF:3", "-o", out)
    assert r.exit_code == 0, r.output
    with h5py.File(out, "r") as f:
        y = f["yield"][()]
        p = f["pass"][()]
    assert y.shape == (3,)
    np.testing.assert_array_equal(y, p.reshape(3, 50).mean(axis=1))


def test_yield_with_other_specs_equals_a_sweep_with_them(netlist, tmp_path):
    from typer.testing import CliRunner

    from pmrf_cli.cli.app import app

    specs = tmp_path / "tight.yaml"
    specs.write_text(TIGHT)
    out = tmp_path / "a.h5"
    assert _sweep(netlist, "--batch", 120, "--seed", 9, "--store", "specs", "-o", out).exit_code == 0
    r = CliRunner().invoke(app, ["yield", str(out), "--specs", str(specs), "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    other = tmp_path / "tight_netlist.yaml"
    other.write_text(NETLIST.split("specs:")[0] + TIGHT)
    ref = tmp_path / "ref.h5"
    assert _sweep(other, "--batch", 120, "--seed", 9, "-o", ref).exit_code == 0
    r = CliRunner().invoke(app, ["yield", str(ref), "--json"])
    want = json.loads(r.stdout)
    # the same samples and arithmetic, in another compiled program: equal to rounding
    assert {k: v for k, v in want.items() if k != "specs"} == {k: v for k, v in got.items() if k != "specs"}
    for name, st in want["specs"].items():
        assert got["specs"][name]["passed"] == st["passed"]
        for k in ("worst_margin", "mean_margin"):
            assert got["specs"][name][k] == pytest.approx(st[k], rel=1e-12)
    # ... and in fact the same numbers (SPECS.md): the sweep's kernel is rebuilt from the file
    assert got == want
    # with --set and a --vary grid, the file still rebuilds its kernel (the `sets` attribute)
    extra = ("--batch", 20, "--vary", "C=2.6pF:3.4pF:3", "--set", "L=7.5nH")
    assert _sweep(netlist, *extra, "-o", tmp_path / "g.h5").exit_code == 0
    assert _sweep(other, *extra, "-o", tmp_path / "gr.h5").exit_code == 0
    r1 = CliRunner().invoke(app, ["yield", str(tmp_path / "g.h5"), "--specs", str(specs), "--json"])
    r2 = CliRunner().invoke(app, ["yield", str(tmp_path / "gr.h5"), "--json"])
    assert r1.exit_code == 0, r1.output
    assert json.loads(r1.stdout) == json.loads(r2.stdout)
    bad = tmp_path / "bad.yaml"
    bad.write_text("specs:\n  x: {measure: dB(S31), at: 1 GHz, min: 0}\n")
    r = CliRunner().invoke(app, ["yield", str(out), "--specs", str(bad)])
    assert r.exit_code == 1 and f"{bad}:2:" in r.output and "no port 3" in r.output


def test_stopped_sweep_with_specs_resumes_bit_identical(netlist, tmp_path):
    n, chunk = 20000, 64
    ref = tmp_path / "ref.h5"
    assert _sweep(netlist, "--batch", n, "--seed", 5, "--chunk", chunk, "--store", "specs", "-o", ref).exit_code == 0
    out = tmp_path / "cut.h5"
    env = dict(os.environ, PMRF_NO_CACHE="1", HDF5_USE_FILE_LOCKING="FALSE")
    proc = _pmrf("sweep", netlist, "--batch", n, "--seed", 5, "--chunk", chunk, "--store", "specs", "-o", out, "-q", env=env)
    _wait_for_progress(out, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    with h5py.File(out, "r") as f:
        assert 0 < int(f.attrs["samples_done"]) < n
    r = _sweep(netlist, "--batch", n, "--seed", 5, "--chunk", chunk, "--store", "specs", "-o", out, "--resume")
    assert r.exit_code == 0, r.output
    _same(_read(ref), _read(out))


def test_stats_command(netlist, tmp_path):
    from typer.testing import CliRunner

    from pmrf_cli.cli.app import app

    out = tmp_path / "a.h5"
    assert _sweep(netlist, "--batch", 64, "-o", out).exit_code == 0
    r = CliRunner().invoke(app, ["stats", str(out), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    with h5py.File(out, "r") as f:
        db = 20 * np.log10(np.abs(f["s"][()]))
    t = d["terms"]["S21"]
    np.testing.assert_allclose(t["db_p50"], np.percentile(db[:, :, 1, 0], 50, axis=0))
    np.testing.assert_allclose(t["db_mean"], db[:, :, 1, 0].mean(axis=0), rtol=1e-12)
    r = CliRunner().invoke(app, ["stats", str(out)])
    assert r.exit_code == 0 and "S21:" in r.stdout
