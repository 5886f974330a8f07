"""Every kind of picture renders headless to png, svg and pdf, from each kind of input file."""

from __future__ import annotations

import subprocess
import sys

import pytest

MAGIC = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}
CASES = [
    ("sweep", "db"), ("sweep", "phase"), ("sweep", "gd"), ("sweep", "smith"),
    ("sweep", "hist"), ("grid", "yield"),
]


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
@pytest.mark.parametrize("name,kind", CASES)
def test_every_kind_to_every_format(files, plot, tmp_path, name, kind, fmt):
    out = tmp_path / f"{kind}.{fmt}"
    r = plot(getattr(files, name), "--kind", kind, "-o", out)
    assert r.exit_code == 0, r.stderr
    data = out.read_bytes()
    assert data.startswith(MAGIC[fmt])
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary left behind


@pytest.mark.parametrize("name,kind", [
    ("sim", "db"), ("sim", "smith"), ("touchstone", "gd"), ("touchstone", "smith"), ("plain", "hist"),
    ("nos", "hist"),
])
def test_one_response_files_and_parameter_histograms(files, plot, tmp_path, name, kind):
    out = tmp_path / "x.png"
    r = plot(getattr(files, name), "--kind", kind, "-o", out, "-t", "S11", "-t", "S(2,1)")
    assert r.exit_code == 0, r.stderr
    assert out.read_bytes().startswith(MAGIC["png"])


def test_nominal_overlay(files, plot, tmp_path):
    out = tmp_path / "x.svg"
    r = plot(files.sweep, "--nominal", files.sim, "-t", "S21,S11", "-o", out)
    assert r.exit_code == 0, r.stderr
    assert "nominal" in out.read_text()


def test_terminal_plot(files, plot):
    r = plot(files.sweep, "--term", "-t", "S21")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "series L"
    assert any("S21 (dB)" in line for line in lines)
    assert sum(line.count("*") for line in lines) >= 11  # the median, one mark per column
    assert any("=" in line and "|" in line for line in lines)  # the 'loss' limit
    assert lines[-1].rstrip().endswith("3 GHz")


def test_matplotlib_is_imported_only_to_draw():
    code = "import sys, pmrf_cli.cli.app, pmrf_cli.plot.render; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
