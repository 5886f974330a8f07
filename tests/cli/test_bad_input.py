"""Bad input (issue 3): every user error prints one line `FILE:LINE:COL: error: WHAT` (more lines
only for a list of several errors), exits 1, never shows a traceback, and never leaves a partial
output file; an existing output file is left untouched. A netlist is data, never code.
"""

from __future__ import annotations

import re

import pytest

BASE = """\
frequency: {start: 1 GHz, stop: 2 GHz, points: 3}
components:
  R1: {type: resistor, nodes: [in, out], R: 50}
  C1: {type: capacitor, nodes: [out, gnd], C: 1 pF}
ports: [in, out]
"""
FREQ = "{start: 1 GHz, stop: 2 GHz, points: 3}"
R1 = "R1: {type: resistor, nodes: [in, out], R: 50}"
SUB_SELF = """\
subcircuits:
  blk:
    ports: [a]
    components:
      X: {type: blk, nodes: [a]}
"""
SUB_MUTUAL = """\
subcircuits:
  b1:
    ports: [a]
    components:
      X: {type: b2, nodes: [a]}
  b2:
    ports: [a]
    components:
      Y: {type: b1, nodes: [a]}
"""
SUB_OK = """\
subcircuits:
  blk:
    ports: [a]
    parameters: {L: 1 nH}
    components:
      L: {type: inductor, nodes: [a, gnd], L: L}
"""


def sub(body, name):
    return body + BASE.replace("ports:", f"  X1: {{type: {name}, nodes: [in]}}\nports:")


def ts(nodes, file, freq=FREQ):
    return BASE.replace(R1, f"A: {{type: touchstone, nodes: [{nodes}], file: {file}}}").replace(FREQ, freq)


# (id, netlist text, line of the first error or None, a word the message must contain)
CASES = [
    # YAML itself
    ("malformed-yaml", "frequency: {start: 1 GHz\ncomponents: [\n", 2, "malformed YAML"),
    ("tab-indent", "frequency:\n\t{start: 1}\n", None, "malformed YAML"),
    ("duplicate-top-key", BASE + "ports: [in]\n", 6, "duplicate key"),
    ("duplicate-field", BASE.replace("R: 50}", "R: 50, R: 60}"), 3, "duplicate key"),
    ("empty-file", "", 1, "empty"),
    ("only-comments", "# nothing here\n\n", 1, "empty"),
    ("not-a-mapping", "- 1\n- 2\n", 1, "mapping"),
    # keys and types
    ("unknown-top-key", BASE + "component: {}\n", 6, "component"),
    ("unknown-type", BASE.replace("type: resistor", "type: resistr"), 3, "resistr"),
    ("unknown-field", BASE.replace("R: 50}", "R: 50, Q: 3}"), 3, "Q"),
    ("unknown-port-key", BASE.replace("ports: [in, out]", "ports: [{node: in, zo: 50}, out]"), 5, "zo"),
    ("unknown-frequency-key", BASE.replace("points: 3}", "points: 3, step: 2}"), 1, "step"),
    ("unknown-distribution", "parameters: {a: {value: 50, distribution: weird, std: 1}}\n" + BASE.replace("R: 50", "R: a"), 1, "weird"),
    ("bad-override", sub(SUB_OK, "blk").replace("nodes: [in]}", "nodes: [in], Q: 3}"), 11, "Q"),
    # missing fields
    ("missing-field", BASE.replace(", R: 50", ""), 3, "R"),
    ("missing-ports", BASE.replace("ports: [in, out]\n", ""), 1, "ports"),
    ("missing-components", "frequency: " + FREQ + "\nports: [in]\n", 1, "components"),
    ("missing-nodes", BASE.replace("nodes: [in, out], ", ""), 3, "nodes"),
    ("missing-frequency-stop", BASE.replace("stop: 2 GHz, ", ""), 1, "stop"),
    # units and values
    ("unit-mismatch", BASE.replace("C: 1 pF", "C: 1 nH"), 4, "unit"),
    ("unit-mismatch-z0", BASE.replace("ports: [in, out]", "ports: [{node: in, z0: 5 nH}, out]"), 5, "unit"),
    ("lone-m-parameter", "parameters: {a: 5 m}\n" + BASE.replace("R: 50", "R: a"), 1, "m"),
    ("non-numeric", BASE.replace("R: 50", "R: fifty"), 3, "fifty"),
    ("non-numeric-word-unit", BASE.replace("R: 50", "R: 50 apples"), 3, "apples"),
    ("boolean-value", BASE.replace("R: 50", "R: true"), 3, "R"),
    ("list-value", BASE.replace("R: 50", "R: [1, 2]"), 3, "R"),
    ("nan-value", BASE.replace("R: 50", "R: .nan"), 3, "finite"),
    ("infinite-expression", BASE.replace("R: 50", "R: 1/0"), 3, "inf"),
    ("zero-port-z0", BASE.replace("ports: [in, out]", "ports: [{node: in, z0: 0}, out]"), 5, "z0"),
    ("tline-both-forms", BASE.replace(R1, "T: {type: tline, nodes: [in, out], z0: 50, length: 1 mm, theta: 90, f0: 1 GHz}"), 3, "both"),
    # names and parameters
    ("unknown-name", BASE.replace("R: 50", "R: Rx"), 3, "Rx"),
    ("cyclic-parameters", "parameters: {a: 'b*2', b: 'a+1'}\n" + BASE.replace("R: 50", "R: a"), 1, "cyclic"),
    ("self-referencing-parameter", "parameters: {a: 'a+1'}\n" + BASE.replace("R: 50", "R: a"), 1, "cyclic"),
    ("random-in-frequency", "parameters: {f1: {value: 1 GHz, tolerance: 5%}}\n" + BASE.replace("start: 1 GHz", "start: f1"), 2, "random"),
    # nodes and connectivity
    ("wrong-node-count", BASE.replace("nodes: [in, out]", "nodes: [in, out, x]", 1), 3, "2 nodes"),
    ("wrong-node-count-transformer", BASE.replace("C1: {type: capacitor, nodes: [out, gnd], C: 1 pF}", "T1: {type: transformer, nodes: [out, gnd], n: 2}"), 4, "4 nodes"),
    ("port-on-missing-node", BASE.replace("ports: [in, out]", "ports: [in, out, nowhere]"), 5, "nowhere"),
    ("port-on-ground", BASE.replace("ports: [in, out]", "ports: [in, gnd]"), 5, "ground"),
    ("floating-island", BASE.replace("ports:", "  R2: {type: resistor, nodes: [x, y], R: 50}\nports:"), 5, "x, y"),
    # subcircuits
    ("subcircuit-contains-itself", sub(SUB_SELF, "blk"), 5, "itself"),
    ("subcircuits-contain-each-other", sub(SUB_MUTUAL, "b1"), None, "itself"),
    # frequency grids
    ("grid-stop-below-start", BASE.replace("stop: 2 GHz", "stop: 0.5 GHz"), 1, "below"),
    ("grid-zero-points", BASE.replace("points: 3", "points: 0"), 1, "points"),
    ("grid-fractional-points", BASE.replace("points: 3", "points: 2.5"), 1, "points"),
    ("grid-negative-start", BASE.replace("start: 1 GHz", "start: -1 GHz"), 1, "negative"),
    ("grid-log-from-zero", BASE.replace(FREQ, "{start: 0, stop: 2 GHz, points: 3, scale: log}"), 1, "log"),
    ("grid-bad-scale", BASE.replace("points: 3}", "points: 3, scale: db}"), 1, "scale"),
    ("grid-empty-values", BASE.replace(FREQ, "{values: []}"), 1, "values"),
    ("grid-unsorted-values", BASE.replace(FREQ, "{values: [2 GHz, 1 GHz]}"), 1, "increasing"),
    ("grid-unit-mismatch", BASE.replace("start: 1 GHz", "start: 1 nH"), 1, "unit"),
    ("grid-not-a-mapping", BASE.replace(FREQ, "fast"), 1, "mapping"),
    ("grid-too-large", BASE.replace("points: 3", "points: 1e12"), 1, "points"),
    # touchstone blocks
    ("touchstone-missing", ts("in, out", "nope.s2p"), 3, "nope.s2p"),
    ("touchstone-out-of-range", ts("in, out", "amp.s2p", "{start: 1 GHz, stop: 5 GHz, points: 3}"), 3, "range"),
    ("touchstone-below-range", ts("in, out", "amp.s2p", "{start: 1 MHz, stop: 1 GHz, points: 3}"), 3, "range"),
    ("touchstone-malformed", ts("in, out", "garbage.s2p"), 3, "garbage.s2p"),
    ("touchstone-wrong-node-count", ts("in", "amp.s2p"), 3, "node"),
    # a netlist is data
    ("python-tag-document", '!!python/object/apply:os.system ["echo hacked"]\n', 1, "tag"),
    ("python-tag-value", BASE.replace("R: 50", 'R: !!python/object/apply:os.system ["echo hacked"]'), 3, "tag"),
    ("python-name-tag", BASE.replace("R: 50", "R: !!python/name:os.system"), 3, "tag"),
    ("dunder-import-expression", BASE.replace("R: 50", "R: \"__import__('os')\""), 3, "R"),
    ("dunder-import-name", BASE.replace("R: 50", "R: __import__"), 3, "__import__"),
    ("attribute-expression", BASE.replace("R: 50", "R: \"sqrt.__class__\""), 3, "R"),
    ("lambda-expression", BASE.replace("R: 50", "R: \"(lambda: 1)()\""), 3, "R"),
    ("eval-call", BASE.replace("R: 50", "R: \"eval('50')\""), 3, "R"),
]


@pytest.fixture
def workdir(tmp_path, paths):
    """A folder with the files the cases refer to: amp.s2p (good) and garbage.s2p (not Touchstone)."""
    (tmp_path / "amp.s2p").write_bytes((paths.examples / "data" / "amp.s2p").read_bytes())
    (tmp_path / "garbage.s2p").write_text("this is not touchstone\n1 2 3\n")
    return tmp_path


def assert_user_error(res, pattern, where_files, before):
    """Exit 1, error lines only on stderr, nothing on stdout, no traceback, no files touched."""
    out = res.stdout + res.stderr
    assert res.exit_code == 1, out
    assert "Traceback" not in out
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert lines, "no message on stderr"
    assert re.match(pattern, lines[0]), lines[0]
    # more lines only for a list of several errors
    assert all(re.match(r"^(?:.+:\d+:\d+|pmrf): error: \S", ln) for ln in lines), lines
    after = {p.name: p.read_bytes() for p in where_files.iterdir() if p.is_file()}
    assert after == before, "files were created or changed"
    return lines


@pytest.mark.parametrize("text, line, word", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_netlist(text, line, word, cli, workdir, check):
    netlist = workdir / "bad.yaml"
    netlist.write_text(text, encoding="utf-8")
    (workdir / "existing.h5").write_bytes(b"previous results, must survive a failed run")
    before = {p.name: p.read_bytes() for p in workdir.iterdir() if p.is_file()}
    for args in (
        ("simulate", netlist, "-o", workdir / "new.s2p"),
        ("simulate", netlist, "-o", workdir / "existing.h5"),
        ("validate", netlist),
    ):
        lines = assert_user_error(cli(*args), check.POSITION_ERROR_LINE, workdir, before)
        first = lines[0]
        assert first.startswith(f"{netlist}:"), first
        if line is not None:
            assert re.match(rf"^{re.escape(str(netlist))}:{line}:\d+: error: ", first), first
        assert word.lower() in "\n".join(lines).lower(), lines
    assert not (workdir / "new.s2p").exists()


def test_non_utf8_netlist(cli, workdir, check):
    netlist = workdir / "bad.yaml"
    netlist.write_bytes(b"name: \xff\xfe\n")
    before = {p.name: p.read_bytes() for p in workdir.iterdir() if p.is_file()}
    lines = assert_user_error(cli("simulate", netlist, "-o", workdir / "x.s2p"), check.POSITION_ERROR_LINE, workdir, before)
    assert "UTF-8" in lines[0]


def test_several_errors_are_listed_one_per_line(cli, workdir):
    text = BASE.replace("R: 50", "R: Rx").replace("C: 1 pF", "C: 1 nH").replace("ports: [in, out]", "ports: [in, out]\nextra: 1")
    netlist = workdir / "bad.yaml"
    netlist.write_text(text)
    res = cli("simulate", netlist, "-o", workdir / "x.s2p")
    assert res.exit_code == 1
    lines = res.stderr.splitlines()
    assert len(lines) >= 2, lines
    assert all(re.match(rf"^{re.escape(str(netlist))}:\d+:\d+: error: \S", ln) for ln in lines), lines
    assert not (workdir / "x.s2p").exists()


# --- command-line problems ------------------------------------------------------------------------
CLI_CASES = [
    ("no-such-netlist", ["simulate", "{w}/nope.yaml", "-o", "{w}/x.s2p"], "nope.yaml"),
    ("netlist-is-a-directory", ["simulate", "{w}", "-o", "{w}/x.s2p"], "directory"),
    ("unknown-extension", ["simulate", "{lpf}", "-o", "{w}/x.txt"], "x.txt"),
    ("wrong-port-count-extension", ["simulate", "{lpf}", "-o", "{w}/x.s3p"], "3"),
    ("output-dir-missing", ["simulate", "{lpf}", "-o", "{w}/nodir/x.s2p"], "nodir"),
    ("output-dir-missing-h5", ["simulate", "{lpf}", "-o", "{w}/nodir/x.h5"], "nodir"),
    ("output-dir-missing-csv", ["simulate", "{lpf}", "-o", "{w}/nodir/x.csv"], "nodir"),
    ("output-is-a-directory", ["simulate", "{lpf}", "-o", "{w}/sub.s2p"], "directory"),
    ("output-is-a-directory-h5", ["simulate", "{lpf}", "-o", "{w}/sub.h5"], "directory"),
    ("freq-not-a-number", ["simulate", "{lpf}", "--freq", "1GHz:abc:3", "-o", "{w}/x.s2p"], "abc"),
    ("freq-reversed", ["simulate", "{lpf}", "--freq", "2GHz:1GHz:3", "-o", "{w}/x.s2p"], "--freq"),
    ("freq-log-from-zero", ["simulate", "{lpf}", "--freq", "0:1GHz:3:log", "-o", "{w}/x.s2p"], "log"),
    ("freq-bad-scale", ["simulate", "{lpf}", "--freq", "1GHz:2GHz:3:db", "-o", "{w}/x.s2p"], "--freq"),
    ("freq-empty", ["simulate", "{lpf}", "--freq", "", "-o", "{w}/x.s2p"], "--freq"),
    ("freq-unit-mismatch", ["simulate", "{lpf}", "--freq", "1nH:2GHz:3", "-o", "{w}/x.s2p"], "unit"),
    ("freq-too-large", ["simulate", "{lpf}", "--freq", "1GHz:2GHz:1000000000000", "-o", "{w}/x.s2p"], "points"),
    ("freq-outside-touchstone", ["simulate", "{ts}", "--freq", "1GHz:5GHz:3", "-o", "{w}/x.s2p"], "range"),
    ("set-without-equals", ["simulate", "{lpf}", "--set", "Lnom", "-o", "{w}/x.s2p"], "NAME=VALUE"),
    ("set-empty-value", ["simulate", "{lpf}", "--set", "Lnom=", "-o", "{w}/x.s2p"], "NAME=VALUE"),
    ("set-unknown-parameter", ["simulate", "{lpf}", "--set", "Lnomm=3nH", "-o", "{w}/x.s2p"], "Lnomm"),
    ("set-unknown-name", ["simulate", "{lpf}", "--set", "Lnom=abc", "-o", "{w}/x.s2p"], "abc"),
    ("set-cycle", ["simulate", "{lpf}", "--set", "Lnom=L3", "-o", "{w}/x.s2p"], "cyclic"),
    ("set-python-tag", ["simulate", "{lpf}", "--set", "Lnom=!!python/object/apply:os.system [echo hi]", "-o", "{w}/x.s2p"], "tag"),
    ("format-unknown", ["simulate", "{lpf}", "--format", "xml", "-o", "{w}/x.s2p"], "xml"),
    ("hdf5-to-stdout", ["simulate", "{lpf}", "--format", "hdf5"], "-o"),
    ("precision-unknown", ["simulate", "{lpf}", "--precision", "half", "-o", "{w}/x.s2p"], "half"),
    ("device-unknown", ["simulate", "{lpf}", "--device", "tpu", "-o", "{w}/x.s2p"], "tpu"),
    ("validate-no-such-netlist", ["validate", "{w}/nope.yaml"], "nope.yaml"),
    ("validate-bad-freq", ["validate", "{lpf}", "--freq", "1GHz"], "--freq"),
]


@pytest.mark.parametrize("args, word", [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_bad_command_line(args, word, cli, workdir, paths, check):
    (workdir / "sub.s2p").mkdir()
    (workdir / "sub.h5").mkdir()
    (workdir / "existing.s2p").write_text("previous results\n")
    before = {p.name: p.read_bytes() for p in workdir.iterdir() if p.is_file()}
    subs = {"w": workdir, "lpf": paths.examples / "lpf.yaml", "ts": paths.examples / "touchstone_block.yaml"}
    args = [a.format(**subs) for a in args]
    lines = assert_user_error(cli(*args), check.ERROR_LINE, workdir, before)
    assert word.lower() in lines[0].lower(), lines
    assert sorted(p.name for p in workdir.iterdir()) == ["amp.s2p", "existing.s2p", "garbage.s2p", "sub.h5", "sub.s2p"]
    assert not list((workdir / "sub.s2p").iterdir()) and not list((workdir / "sub.h5").iterdir())


def test_failed_run_leaves_an_existing_output_untouched(cli, workdir, paths):
    """The same output name, first written by a good run, then a failing one (each format)."""
    good, bad = paths.examples / "lpf.yaml", workdir / "bad.yaml"
    bad.write_text(BASE.replace("R: 50", "R: Rx"))
    for name in ("out.s2p", "out.h5", "out.csv", "out.json"):
        assert cli("simulate", good, "-o", workdir / name).exit_code == 0
        content = (workdir / name).read_bytes()
        res = cli("simulate", bad, "-o", workdir / name)
        assert res.exit_code == 1
        assert (workdir / name).read_bytes() == content
        res = cli("simulate", good, "--freq", "1GHz:abc:3", "-o", workdir / name)
        assert res.exit_code == 1
        assert (workdir / name).read_bytes() == content
    assert not [p.name for p in workdir.iterdir() if p.name.startswith(".")]


# --- real processes: exit codes, streams, no traceback, no code execution -------------------------
def test_real_process_bad_netlist(proc, workdir):
    (workdir / "bad.yaml").write_text(BASE.replace("R: 50", "R: Rx"))
    r = proc("pmrf simulate bad.yaml -o out.s2p", cwd=workdir)
    err = r.stderr.decode()
    assert r.returncode == 1, err
    assert r.stdout == b""
    assert len(err.splitlines()) == 1 and re.match(r"^bad\.yaml:3:\d+: error: .*'Rx'", err), err
    assert "Traceback" not in err
    assert not (workdir / "out.s2p").exists()


def test_real_process_python_tag_is_not_executed(proc, workdir):
    """Neither a YAML python tag nor an expression reaches Python: nothing runs, exit 1.
    (More spellings of both are covered in-process by test_bad_netlist.)"""
    (workdir / "evil.yaml").write_text('!!python/object/apply:os.system ["touch PWNED; echo hacked"]\n')
    (workdir / "evil2.yaml").write_text(BASE.replace("R: 50", "R: \"__import__('os').system('touch PWNED2')\""))
    r = proc(
        "pmrf simulate evil.yaml -o out.s2p; echo \"rc=$?\"; cat evil2.yaml | pmrf validate -; echo \"rc=$?\"",
        cwd=workdir,
    )
    out, err = r.stdout.decode(), r.stderr.decode()
    assert out.split() == ["rc=1"] * 2, (out, err)
    assert "hacked" not in out + err.replace("echo hacked", "")
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 2 and all(re.match(r"^.+:\d+:\d+: error: ", ln) for ln in lines), lines
    assert lines[0].startswith("evil.yaml:1:1: error: ")
    assert lines[1].startswith("<stdin>:3:")
    assert not any((workdir / n).exists() for n in ("PWNED", "PWNED2", "out.s2p"))


def test_real_process_command_line_errors(proc, workdir, paths):
    lpf = paths.examples / "lpf.yaml"
    r = proc(
        f"pmrf simulate nope.yaml -o x.s2p; echo \"rc=$?\"; pmrf simulate {lpf} -o nodir/x.h5; echo \"rc=$?\"",
        cwd=workdir,
    )
    out, err = r.stdout.decode(), r.stderr.decode()
    assert out.split() == ["rc=1"] * 2, (out, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 2 and all(ln.startswith("pmrf: error: ") for ln in lines), lines
    assert sorted(p.name for p in workdir.iterdir()) == ["amp.s2p", "garbage.s2p"]


def test_running_out_of_memory_is_one_line_and_exit_code_1(capsys):
    """XLA's RESOURCE_EXHAUSTED (a circuit or batch too large for the machine) and Python's
    MemoryError end a command with one line naming the failed allocation, exit code 1, no
    traceback; other runtime errors are not disguised as it."""
    import jax
    import typer

    from pmrf_cli.cli.common import run_command

    def fails(exc):
        def body():
            raise exc
        return body

    oom = jax.errors.JaxRuntimeError("RESOURCE_EXHAUSTED: Out of memory allocating 112538131200 bytes.")
    for exc in (oom, MemoryError()):
        with pytest.raises(typer.Exit) as ended:
            run_command(fails(exc))
        assert ended.value.exit_code == 1
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and err.startswith("pmrf: error: out of memory")
    assert "allocating 112538131200 bytes" in run_command.__globals__["out_of_memory_text"](oom)
    with pytest.raises(jax.errors.JaxRuntimeError):
        run_command(fails(jax.errors.JaxRuntimeError("INTERNAL: something else")))
