"""Bad input: one line `pmrf: error: ...` or `FILE: error: ...`, exit code 1, no picture."""

from __future__ import annotations

import pytest


def one_line_error(r, *needles):
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert ": error: " in lines[0]
    for n in needles:
        assert n in lines[0]
    return lines[0]


def test_missing_file(plot, tmp_path):
    one_line_error(plot(tmp_path / "nope.h5", "-o", tmp_path / "x.png"), "nope.h5: no such file")


def test_not_a_results_file(plot, tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_text("hello")
    one_line_error(plot(bad, "-o", tmp_path / "x.png"), "bad.h5: error:")


def test_unknown_trace(files, plot, tmp_path):
    line = one_line_error(plot(files.sweep, "-t", "S31", "-o", tmp_path / "x.png"), "S31")
    assert "in" in line and "out" in line


@pytest.mark.parametrize("name,kind,needle", [
    ("plain", "yield", "no specs"),
    ("sim", "yield", "needs a sweep"),
    ("sweep", "yield", "no --vary grid"),
    ("sim", "hist", "needs a sweep"),
    ("touchstone", "hist", "Touchstone"),
    ("nos", "db", "has no /s"),
    ("nos", "smith", "has no /s"),
])
def test_kind_the_file_cannot_give(files, plot, tmp_path, name, kind, needle):
    out = tmp_path / "x.png"
    one_line_error(plot(getattr(files, name), "--kind", kind, "-o", out), needle)
    assert not out.exists()


def test_no_display_and_no_output(files, plot):
    one_line_error(plot(files.sweep), "-o")


@pytest.mark.parametrize("args,needle", [
    (["--kind", "bode", "-o", "OUT.png"], "--kind"),
    (["-o", "OUT.gif"], ".png"),
    (["--term", "--kind", "smith"], "--term"),
    (["--kind", "yield", "--vary", "C9", "-o", "OUT.png"], "C9"),
])
def test_bad_options(files, plot, tmp_path, args, needle):
    f = files.grid if "yield" in args else files.sweep
    one_line_error(plot(f, *[str(tmp_path / a) if a.startswith("OUT.") else a for a in args]), needle)
    assert list(tmp_path.iterdir()) == []


def test_nominal_on_another_grid(files, plot, tmp_path):
    other = tmp_path / "other.s2p"
    other.write_text("# Hz S RI R 50\n1e9 0 0 1 0 1 0 0 0\n")
    one_line_error(plot(files.sweep, "--nominal", other, "-o", tmp_path / "x.png"), "grid")
