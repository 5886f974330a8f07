"""`pmrf simulate A.yaml B.yaml ... -o DIR/`: several netlists in one process (issue 8).

Each netlist goes to DIR/<stem>.sNp (or the --format's extension), byte for byte what simulating
it alone writes. Every netlist and output name is checked before anything is simulated, so a
bad one, colliding names, `-o` naming a file or stdin given twice fail with nothing written.
The circuits are tiny and the grids short: every compilation costs test time.
"""

from __future__ import annotations

import re

import pytest

FREQ = ("--freq", "10MHz:3GHz:7")  # holds a point of every band of the examples' specs
STAR3 = """\
name: star3
frequency: {start: 1 GHz, stop: 2 GHz, points: 3}
components:
  R1: {type: resistor, nodes: [p1, c], R: 16.67}
  R2: {type: resistor, nodes: [c, p2], R: 16.67}
  R3: {type: resistor, nodes: [c, p3], R: 16.67}
  C1: {type: capacitor, nodes: [c, gnd], C: 0.1 pF}
ports: [p1, p2, p3]
"""
BAD = """\
frequency: {start: 1 GHz, stop: 2 GHz, points: 3}
components:
  R1: {type: resistor, nodes: [in, out], R: fifty}
ports: [in, out]
"""


def files(folder):
    """{name: bytes} of every file under `folder` (recursively)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_fails_with_nothing_written(res, folder, before, pattern):
    out = res.stdout + res.stderr
    assert res.exit_code == 1, out
    assert "Traceback" not in out
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1, lines
    assert re.match(pattern, lines[0]), lines[0]
    assert files(folder) == before, "files were created or changed"
    return lines[0]


@pytest.fixture
def star3(tmp_path):
    path = tmp_path / "in" / "star3.yaml"
    path.parent.mkdir()
    path.write_text(STAR3)
    return path


def test_several_netlists_write_what_each_writes_alone(paths, cli, tmp_path, star3):
    lpf, tm = paths.examples / "lpf.yaml", paths.examples / "transformer_match.yaml"
    out = tmp_path / "out"  # created: written with a trailing slash
    res = cli("simulate", lpf, star3, "-", "-o", f"{out}/", *FREQ, input=tm.read_text())
    assert res.exit_code == 0, res.stderr
    assert res.stderr == "" and (res.stdout == "" or res.stdout.startswith("pmrf: specs of"))  # lpf's margins
    assert sorted(files(out)) == ["lpf.s2p", "star3.s3p", "stdin.s2p"]
    for netlist, name, stdin in ((lpf, "lpf.s2p", None), (star3, "star3.s3p", None), ("-", "stdin.s2p", tm.read_text())):
        alone = cli("simulate", netlist, *FREQ, input=stdin)
        assert alone.exit_code == 0, alone.stderr
        assert (out / name).read_text() == alone.stdout, name


def test_one_netlist_with_a_trailing_slash_goes_into_the_directory(paths, cli, tmp_path):
    (tmp_path / "out").mkdir()
    res = cli("simulate", paths.examples / "lpf.yaml", "-o", f"{tmp_path / 'out'}/", *FREQ)
    assert res.exit_code == 0, res.stderr
    assert sorted(files(tmp_path / "out")) == ["lpf.s2p"]


def test_format_sets_the_extension_and_identical_netlists_compile_once(paths, cli, tmp_path, monkeypatch):
    import pmrf_cli.engine.compiled as compiled

    calls = []
    original = compiled.compile_lowered
    monkeypatch.setattr(compiled, "compile_lowered", lambda *a, **k: calls.append(a) or original(*a, **k))
    text = (paths.examples / "lpf.yaml").read_text()
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text.replace("name: lpf5", "name: other"))  # same program
    (tmp_path / "c.yaml").write_text(text.replace("Lnom: 7.96 nH", "Lnom: 8.5 nH"))  # another
    res = cli("simulate", tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml", "-o", f"{tmp_path}/out/",
              "--format", "json", *FREQ)
    assert res.exit_code == 0, res.stderr
    assert len(calls) == 2
    assert sorted(files(tmp_path / "out")) == ["a.json", "b.json", "c.json"]
    alone = cli("simulate", tmp_path / "c.yaml", "--format", "json", *FREQ)
    assert alone.exit_code == 0, alone.stderr
    assert (tmp_path / "out" / "c.json").read_text() == alone.stdout
    assert (tmp_path / "out" / "a.json").read_text() != alone.stdout


# --- checked before anything is simulated or written ---------------------------------------------------
@pytest.mark.parametrize("out", ["existing", "new/"])
def test_a_bad_second_netlist_fails_before_anything_is_written(out, paths, cli, tmp_path, check):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    (tmp_path / "existing").mkdir()
    before = files(tmp_path)
    res = cli("simulate", paths.examples / "lpf.yaml", bad, "-o", f"{tmp_path}/{out}")
    line = assert_fails_with_nothing_written(res, tmp_path, before, check.POSITION_ERROR_LINE)
    assert line.startswith(f"{bad}:3:"), line
    assert "fifty" in line
    assert not (tmp_path / "new").exists()


def test_every_bad_netlist_is_named(paths, cli, tmp_path):
    for name in ("bad1.yaml", "bad2.yaml"):
        (tmp_path / name).write_text(BAD)
    res = cli("simulate", tmp_path / "bad1.yaml", paths.examples / "lpf.yaml", tmp_path / "bad2.yaml",
              "-o", f"{tmp_path}/out/")
    assert res.exit_code == 1
    lines = res.stderr.splitlines()
    assert [ln.split(":")[0] for ln in lines] == [str(tmp_path / "bad1.yaml"), str(tmp_path / "bad2.yaml")], lines
    assert not (tmp_path / "out").exists()


def test_a_set_that_does_not_fit_one_netlist_names_it(paths, cli, tmp_path, check):
    before = files(tmp_path)
    wilkinson = paths.examples / "wilkinson.yaml"
    res = cli("simulate", paths.examples / "lpf.yaml", wilkinson, "--set", "Lnom=8nH", "-o", tmp_path)
    line = assert_fails_with_nothing_written(res, tmp_path, before, check.POSITION_ERROR_LINE)
    assert line.startswith(f"{wilkinson}:") and "Lnom" in line, line


@pytest.mark.parametrize(
    "case, word",
    [
        ("output-is-a-file", "not a directory"),
        ("output-missing-without-slash", "no such directory"),
        ("no-output", "-o"),
        ("colliding-stems", "lpf"),
        ("same-file-twice", "lpf"),
        ("stdin-twice", "standard input"),
    ],
)
def test_bad_command_lines_fail_before_anything_is_written(case, word, paths, cli, tmp_path, check):
    lpf = paths.examples / "lpf.yaml"
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "lpf.yaml").write_text(lpf.read_text())
    (tmp_path / "results.s2p").write_text("previous results\n")
    args, stdin = {
        "output-is-a-file": ([lpf, paths.examples / "wilkinson.yaml", "-o", tmp_path / "results.s2p"], None),
        "output-missing-without-slash": ([lpf, paths.examples / "wilkinson.yaml", "-o", tmp_path / "out"], None),
        "no-output": ([lpf, paths.examples / "wilkinson.yaml"], None),
        "colliding-stems": ([lpf, tmp_path / "other" / "lpf.yaml", "-o", tmp_path], None),
        "same-file-twice": ([lpf, lpf, "-o", tmp_path], None),
        "stdin-twice": (["-", "-", "-o", tmp_path], lpf.read_text()),
    }[case]
    before = files(tmp_path)
    res = cli("simulate", *args, input=stdin)
    line = assert_fails_with_nothing_written(res, tmp_path, before, check.ERROR_LINE)
    assert word in line, line
    if case == "colliding-stems":
        assert str(lpf) in line and str(tmp_path / "other" / "lpf.yaml") in line, line


def test_simulate_compiles_a_small_program_for_its_size(cli, tmp_path, monkeypatch):
    """`pmrf simulate` states its kernel's size (one sample x the grid) to the compiler, so the
    kernel takes the small-program options (no LLVM optimisation: half the compile time)."""
    from pmrf_cli.engine import compiled

    seen = []
    real = compiled.compile_lowered

    def spy(lowered, platform="cpu", points=None, text=None):
        seen.append((points, compiled.compiler_options(platform, points)))
        return real(lowered, platform, points, text)

    monkeypatch.setattr(compiled, "compile_lowered", spy)
    net = tmp_path / "star3.yaml"
    net.write_text(STAR3.replace("points: 3", "points: 5"))  # a grid no other test compiles
    res = cli("simulate", net, "--device", "cpu")
    assert res.exit_code == 0, res.stderr
    assert seen == [(5, {**compiled.CPU_COMPILER_OPTIONS, **compiled.SMALL_PROGRAM_OPTIONS})]
