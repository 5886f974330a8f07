"""`pmrf simulate`, `pmrf validate`, `pmrf schema`, `pmrf --version`: outputs, options, pipelines.

Most runs are in-process (Typer's CliRunner); the few that need a real process (pipes, stdin
from `cat`) use the venv's `pmrf` script through bash.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import datetime

import h5py
import numpy as np
import pytest
import skrf

import pmrf_cli

LPF_PARAMS = {"Lnom": 7.96e-9, "L1": 7.96e-9, "C2": 6.37e-12, "L3": 2 * 7.96e-9}
BPF_PARAMS = {"Lres": 2e-9, "Cend": 9.95e-12, "Cmid": 10.34e-12, "Cin": 2.52e-12, "Ck": 1.164e-12}
BPF_PARAMS.update({f"X{k}.L": 2e-9 for k in (1, 2, 3)})
BPF_PARAMS.update({"X1.C": 9.95e-12, "X2.C": 10.34e-12, "X3.C": 9.95e-12})
PROVENANCE = ("pmrf_version", "jax_version", "device", "created", "command")


# --- HDF5 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, ports, z0, params",
    [
        ("lpf", ["in", "out"], [50.0, 50.0], LPF_PARAMS),
        ("bpf_coupled", ["in", "out"], [50.0, 50.0], BPF_PARAMS),
        ("wilkinson", ["in", "out2", "out3"], [50.0] * 3, {"Z0": 50.0, "Zq": 70.71, "Riso": 100.0}),
        ("transformer_match", ["in", "out"], [50.0, 200.0], {"n": 2.0, "Lser": 0.5e-9}),
    ],
)
def test_hdf5_layout(name, ports, z0, params, paths, cli, tmp_path):
    netlist = paths.examples / f"{name}.yaml"
    out = tmp_path / "x.h5"
    res = cli("simulate", netlist, "-o", out)
    assert res.exit_code == 0, res.stderr
    assert res.stdout == "" or res.stdout.startswith("pmrf: specs of")  # the margins, with -o
    p = len(ports)
    with h5py.File(out, "r") as h:
        # the contract's datasets, the scales of RESULTS.md's named dimensions, margins (SPECS.md)
        assert set(h.keys()) - {"specs", "pass"} == {"frequency", "s", "parameters", "to_port", "from_port"}
        fr, s, g = h["frequency"], h["s"], h["parameters"]
        assert isinstance(fr, h5py.Dataset) and fr.dtype == np.float64 and fr.ndim == 1
        nf = fr.shape[0]
        assert isinstance(s, h5py.Dataset) and s.dtype == np.complex128 and s.shape == (nf, p, p)
        assert isinstance(g, h5py.Group)
        # every parameter, fixed, random, derived and per subcircuit instance, as a float64 scalar
        assert set(g.keys()) == set(params)
        for path, value in params.items():
            d = g[path]
            assert isinstance(d, h5py.Dataset) and d.dtype == np.float64 and d.shape == (), path
            assert d[()] == pytest.approx(value, rel=1e-12), path
        a = h.attrs
        required = {"format", "format_version", "netlist", "port_names", "port_z0", "samples", "samples_done", *PROVENANCE}
        assert required <= set(a.keys())
        assert "seed" not in a
        assert a["format"] == "pmrf-results"
        assert a["format_version"] == 1 and np.issubdtype(np.asarray(a["format_version"]).dtype, np.integer)
        assert a["netlist"] == netlist.read_text(encoding="utf-8")
        assert [str(x) for x in a["port_names"]] == ports
        pz = np.asarray(a["port_z0"])
        assert pz.dtype == np.float64 and pz.shape == (p,)
        np.testing.assert_allclose(pz, z0, rtol=1e-15)
        assert a["samples"] == 1 and a["samples_done"] == 1
        assert a["pmrf_version"] == pmrf_cli.__version__
        import jax

        assert a["jax_version"] == jax.__version__
        assert a["device"].startswith("cpu")
        assert isinstance(a["command"], str) and a["command"]
        datetime.strptime(a["created"], "%Y-%m-%dT%H:%M:%SZ")
        assert np.all(np.isfinite(s[()]))


def test_hdf5_netlist_attribute_is_the_text_from_stdin(paths, cli, simulate_h5):
    text = (paths.examples / "wilkinson.yaml").read_text(encoding="utf-8") + "# trailing comment, kept\n"
    r = simulate_h5("-", input=text)
    assert r.attrs["netlist"] == text
    direct = simulate_h5(paths.examples / "wilkinson.yaml")
    np.testing.assert_array_equal(r.s, direct.s)


def test_precision_single_writes_complex64(paths, simulate_h5):
    import jax

    double = simulate_h5(paths.examples / "lpf.yaml")
    single = simulate_h5(paths.examples / "lpf.yaml", "--precision", "single")
    assert single.s.dtype == np.complex64
    assert double.s.dtype == np.complex128
    assert single.f.dtype == np.float64
    assert all(np.asarray(v).dtype == np.float64 for v in single.params.values())
    np.testing.assert_allclose(single.s, double.s, atol=1e-4)
    # a double run after a single one is double again (the command sets precision each time)
    again = simulate_h5(paths.examples / "lpf.yaml")
    assert again.s.dtype == np.complex128
    np.testing.assert_array_equal(again.s, double.s)
    assert jax.config.jax_enable_x64


# --- other formats --------------------------------------------------------------------------------
def _parse_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    header, data = rows[0], np.array([[float(x) for x in r] for r in rows[1:] if r])
    p = int(round(np.sqrt((len(header) - 1) / 2)))
    expected = ["frequency_hz"] + [f"S{i}{j}_{part}" for i in range(1, p + 1) for j in range(1, p + 1) for part in ("re", "im")]
    assert header == expected
    s = (data[:, 1::2] + 1j * data[:, 2::2]).reshape(-1, p, p)
    return data[:, 0], s


def _parse_json(text):
    obj = json.loads(text)
    assert obj["format"] == "pmrf-sparams"
    s = np.asarray(obj["s_re"]) + 1j * np.asarray(obj["s_im"])
    return np.asarray(obj["frequency_hz"]), s, obj


def test_csv_json_touchstone_parse_back_to_the_same_numbers(paths, cli, simulate_h5, tmp_path):
    netlist = paths.examples / "wilkinson.yaml"
    ref = simulate_h5(netlist)

    res = cli("simulate", netlist, "-o", tmp_path / "x.csv")
    assert res.exit_code == 0, res.stderr
    f, s = _parse_csv((tmp_path / "x.csv").read_text())
    np.testing.assert_array_equal(f, ref.f)
    np.testing.assert_array_equal(s, ref.s)

    res = cli("simulate", netlist, "--format", "csv")  # to stdout
    assert res.exit_code == 0, res.stderr
    assert res.stdout == (tmp_path / "x.csv").read_text()

    res = cli("simulate", netlist, "-o", tmp_path / "x.json")
    assert res.exit_code == 0, res.stderr
    f, s, obj = _parse_json((tmp_path / "x.json").read_text())
    np.testing.assert_array_equal(f, ref.f)
    np.testing.assert_array_equal(s, ref.s)
    assert obj["ports"] == ["in", "out2", "out3"]
    assert obj["z0"] == [50.0, 50.0, 50.0]

    # --format wins over the extension
    res = cli("simulate", netlist, "--format", "json", "-o", tmp_path / "x.txt")
    assert res.exit_code == 0, res.stderr
    assert (tmp_path / "x.txt").read_text() == (tmp_path / "x.json").read_text()
    res = cli("simulate", netlist, "--format", "hdf5", "-o", tmp_path / "y.dat")
    assert res.exit_code == 0, res.stderr
    with h5py.File(tmp_path / "y.dat") as h:
        np.testing.assert_array_equal(h["s"][()], ref.s)

    # Touchstone: stdout (the default) and -o give the same text, and the same numbers
    res = cli("simulate", netlist)
    assert res.exit_code == 0, res.stderr
    assert cli("simulate", netlist, "-o", tmp_path / "x.s3p").exit_code == 0
    assert res.stdout == (tmp_path / "x.s3p").read_text()
    ntw = skrf.Network(str(tmp_path / "x.s3p"))
    np.testing.assert_allclose(ntw.s, ref.s, rtol=1e-12, atol=1e-15)


def test_output_files_get_ordinary_permissions(paths, cli, tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    for name in ("x.s2p", "x.csv", "x.json", "x.h5"):
        assert cli("simulate", paths.examples / "lpf.yaml", "-o", tmp_path / name).exit_code == 0
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~umask, name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv", "x.h5", "x.json", "x.s2p"]


def test_mixed_reference_touchstone_keeps_port_order(paths, cli, tmp_path, simulate_h5):
    """A non-reciprocal block with different port impedances: Touchstone 2.0 read back by
    scikit-rf gives S12 and S21 in their places and z0 per port."""
    amp = (paths.examples / "data" / "amp.s2p").resolve()
    netlist = tmp_path / "amp75.yaml"
    netlist.write_text(
        "frequency: {start: 100 MHz, stop: 2 GHz, points: 39}\n"
        "components:\n"
        f"  AMP: {{type: touchstone, nodes: [a, b], file: {amp}}}\n"
        "  C1: {type: capacitor, nodes: [b, out], C: 5 pF}\n"
        "ports: [{node: a, z0: 50}, {node: out, z0: 75 ohm}]\n"
    )
    ref = simulate_h5(netlist)
    assert abs(ref.s[:, 1, 0]).min() > 10 * abs(ref.s[:, 0, 1]).max()  # S21 >> S12
    res = cli("simulate", netlist, "-o", tmp_path / "x.s2p")
    assert res.exit_code == 0, res.stderr
    assert "[Reference]" in (tmp_path / "x.s2p").read_text()
    ntw = skrf.Network(str(tmp_path / "x.s2p"))
    np.testing.assert_allclose(ntw.z0, np.broadcast_to([50.0, 75.0], ntw.z0.shape))
    np.testing.assert_allclose(ntw.s, ref.s, rtol=1e-12, atol=1e-15)


# --- options --------------------------------------------------------------------------------------
def test_set_equals_editing_the_yaml(paths, simulate_h5, tmp_path):
    src = paths.examples / "lpf.yaml"
    text = src.read_text(encoding="utf-8")
    assert "  Lnom: 7.96 nH\n" in text and "  C2: {value: 6.37 pF, distribution: normal, std: 2%}\n" in text
    edited = tmp_path / "lpf_edited.yaml"
    edited.write_text(
        text.replace("  Lnom: 7.96 nH\n", "  Lnom: 8.5 nH\n").replace(
            "  C2: {value: 6.37 pF, distribution: normal, std: 2%}\n", "  C2: 7 pF\n"
        )
    )
    nominal = simulate_h5(src)
    via_set = simulate_h5(src, "--set", "Lnom=8.5nH", "--set", "C2=7 pF")
    via_yaml = simulate_h5(edited)
    np.testing.assert_array_equal(via_set.s, via_yaml.s)
    assert np.abs(via_set.s - nominal.s).max() > 1e-3
    assert via_set.params["Lnom"] == pytest.approx(8.5e-9, rel=1e-15)
    assert via_set.params["L3"] == pytest.approx(17e-9, rel=1e-15)  # derived follows
    assert via_set.params["L1"] == pytest.approx(8.5e-9, rel=1e-15)
    assert via_set.params["C2"] == pytest.approx(7e-12, rel=1e-15)
    # the file records the netlist as read, not as overridden
    assert via_set.attrs["netlist"] == text


@pytest.mark.parametrize(
    "option, expected",
    [
        ("1MHz:6GHz:11:log", np.geomspace(1e6, 6e9, 11)),
        ("1 GHz:2 GHz:5", np.linspace(1e9, 2e9, 5)),
        ("100MHz:100MHz:1", np.array([1e8])),
    ],
)
def test_freq_option_gives_that_grid(option, expected, paths, simulate_h5, oracle, check):
    r = simulate_h5(paths.examples / "transformer_match.yaml", "--freq", option)
    check.close(r.f, expected, atol=0, rtol=1e-14, what="grid")
    assert r.f[0] == expected[0] and r.f[-1] == expected[-1]
    z = 2j * np.pi * r.f * 0.5e-9
    check.close(r.s[:, 0, 0], z / (z + 100), atol=1e-12, what="S11 on the --freq grid")


def test_freq_option_supplies_a_missing_grid(paths, cli, simulate_h5, tmp_path):
    text = (paths.examples / "lpf.yaml").read_text().replace("frequency: {start: 10 MHz, stop: 3 GHz, points: 1001}\n", "")
    netlist = tmp_path / "nofreq.yaml"
    netlist.write_text(text)
    res = cli("simulate", netlist)
    assert res.exit_code == 1
    assert re.match(r"^(?:.+:\d+:\d+|pmrf): error: .*frequency", res.stderr)
    r = simulate_h5(netlist, "--freq", "10MHz:3GHz:1001")
    ref = simulate_h5(paths.examples / "lpf.yaml")
    np.testing.assert_array_equal(r.s, ref.s)


# --- warnings go to stderr, data to stdout ---------------------------------------------------------
def test_warnings_go_to_stderr_only(cli, tmp_path):
    netlist = tmp_path / "dangling.yaml"
    netlist.write_text(
        "frequency: {start: 1 GHz, stop: 2 GHz, points: 3}\n"
        "components:\n"
        "  R1: {type: resistor, nodes: [in, out], R: 50}\n"
        "  R2: {type: resistor, nodes: [out, stub], R: 10}\n"
        "ports: [in, out]\n"
    )
    res = cli("simulate", netlist)
    assert res.exit_code == 0, res.stderr
    assert re.match(r"^.+:4:\d+: warning: .*stub", res.stderr)
    assert ": warning:" not in res.stdout
    lines = [ln for ln in res.stdout.splitlines() if ln and not ln.startswith("!")]
    assert lines[0].startswith("#") and len(lines) == 4


# --- validate, schema, version ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, ports, ncomp, nparams, randoms",
    [
        ("lpf", "2 (in, out)", 5, 4, ["L1", "C2"]),
        ("bpf_coupled", "2 (in, out)", 10, 11, ["X1.C", "X2.C", "X3.C"]),
        ("wilkinson", "3 (in, out2, out3)", 3, 3, []),
    ],
)
def test_validate_prints_a_summary(name, ports, ncomp, nparams, randoms, paths, cli):
    path = paths.examples / f"{name}.yaml"
    res = cli("validate", path)
    assert res.exit_code == 0, res.stderr
    out = res.stdout
    assert out.splitlines()[0] == f"{path}: ok"
    assert re.search(rf"^\s*ports:\s+{re.escape(ports)}$", out, re.M), out
    assert re.search(rf"^\s*components:\s+{ncomp}$", out, re.M), out
    m = re.search(r"^\s*parameters:\s+(\d+) \((\d+) random(?:: (.*))?\)$", out, re.M)
    assert m, out
    assert int(m.group(1)) == nparams and int(m.group(2)) == len(randoms)
    assert sorted((m.group(3) or "").split(", ") if randoms else []) == sorted(randoms)


def test_validate_reads_stdin(paths, cli):
    text = (paths.examples / "lpf.yaml").read_text()
    res = cli("validate", "-", input=text)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.startswith("<stdin>: ok")


def test_schema_prints_the_shipped_schema(paths, cli):
    import jsonschema

    res = cli("schema")
    assert res.exit_code == 0, res.stderr
    printed = json.loads(res.stdout)
    assert printed == json.loads(paths.schema.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(printed)


def test_version(cli):
    from importlib.metadata import version

    res = cli("--version")
    assert res.exit_code == 0
    assert res.stdout.strip() == f"pmrf {pmrf_cli.__version__}"
    assert pmrf_cli.__version__ == version("pmrf-cli")


# --- stdin and pipelines -----------------------------------------------------------------------------
def test_stdin_netlist_resolves_touchstone_files_from_the_working_folder(paths, cli, simulate_h5, monkeypatch):
    text = (paths.examples / "touchstone_block.yaml").read_text()
    ref = simulate_h5(paths.examples / "touchstone_block.yaml")
    monkeypatch.chdir(paths.examples)
    r = simulate_h5("-", input=text)
    np.testing.assert_array_equal(r.s, ref.s)


def test_pipe_into_head(paths, proc, tmp_path):
    r = proc(f"pmrf simulate {paths.examples / 'lpf.yaml'} | head -n 3", cwd=tmp_path)
    err = r.stderr.decode()
    assert r.returncode == 0, err
    lines = r.stdout.decode().splitlines()
    assert len(lines) == 3 and lines[0].startswith("!")
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err
    assert list(tmp_path.iterdir()) == []


def test_netlist_from_cat_on_stdin(paths, proc, cli, tmp_path):
    r = proc(f"cat {paths.examples / 'wilkinson.yaml'} | pmrf simulate - -o x.s3p", cwd=tmp_path)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == b""
    assert "Traceback" not in r.stderr.decode()
    assert cli("simulate", paths.examples / "wilkinson.yaml", "-o", tmp_path / "ref.s3p").exit_code == 0
    ntw, ref = skrf.Network(str(tmp_path / "x.s3p")), skrf.Network(str(tmp_path / "ref.s3p"))
    np.testing.assert_array_equal(ntw.s, ref.s)
    np.testing.assert_array_equal(ntw.f, ref.f)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ref.s3p", "x.s3p"]
