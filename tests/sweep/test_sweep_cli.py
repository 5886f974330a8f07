"""`pmrf sweep` end to end: layout, reproducibility across chunks, resume after kills, grids."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
from typer.testing import CliRunner

from pmrf_cli.cli.app import app

NETLIST = """name: lpf3
frequency: {start: 10 MHz, stop: 3 GHz, points: 41}
parameters:
  Lnom: 7.96 nH
  L1: {value: Lnom, tolerance: 5%}
  C2: {value: 6.37 pF, distribution: normal, std: 2%}
subcircuits:
  shunt:
    ports: [a]
    parameters: {C: {value: 1 pF, tolerance: 10%}}
    components:
      Cs: {type: capacitor, nodes: [a, gnd], C: C}
components:
  L1: {type: inductor, nodes: [in, n1], L: L1}
  C2: {type: capacitor, nodes: [n1, gnd], C: C2}
  X1: {type: shunt, nodes: [n1]}
  L3: {type: inductor, nodes: [n1, out], L: "2*Lnom"}
ports: [in, out]
"""

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch):
    monkeypatch.setenv("PMRF_NO_CACHE", "1")


@pytest.fixture()
def netlist(tmp_path) -> Path:
    p = tmp_path / "lpf3.yaml"
    p.write_text(NETLIST)
    return p


def _sweep(*args) -> "object":
    return runner.invoke(app, ["sweep", *map(str, args), "-q"])


def _read(path):
    with h5py.File(path, "r") as f:
        return {
            "s": f["s"][...],
            "params": {k: f["parameters"][k][...] for k in f["parameters"]},
            "attrs": dict(f.attrs),
            "grid": {k: f["grid"][k][...] for k in f["grid"]} if "grid" in f else {},
            "chunks": f["s"].chunks,
            "dtype": f["s"].dtype,
        }


def test_layout_and_contents(netlist, tmp_path):
    out = tmp_path / "mc.h5"
    r = _sweep(netlist, "--batch", 50, "--seed", 7, "--chunk", 16, "-o", out)
    assert r.exit_code == 0, r.output
    d = _read(out)
    assert d["s"].shape == (50, 41, 2, 2) and d["dtype"] == np.complex128
    # --chunk is rounded up to whole statistics blocks (64 samples); the HDF5 chunk follows it
    assert d["chunks"][0] <= 64 and d["chunks"][1:] == (41, 2, 2)
    assert set(d["params"]) == {"Lnom", "L1", "C2", "X1.C"}
    assert all(v.shape == (50,) and v.dtype == np.float64 for v in d["params"].values())
    a = d["attrs"]
    assert a["format"] == "pmrf-results" and a["format_version"] == 1
    assert a["samples"] == 50 and a["samples_done"] == 50 and a["seed"] == 7
    assert a["netlist"] == NETLIST
    assert list(a["port_names"]) == ["in", "out"] and np.allclose(a["port_z0"], 50)
    for key in ("pmrf_version", "jax_version", "device", "created", "command"):
        assert key in a
    # sample 17 equals a simulation with its parameter values
    import jax.numpy as jnp

    from pmrf_cli.netlist import flatten, parse_netlist
    from pmrf_cli.netlist.build import circuit_builder

    flat = flatten(parse_netlist(NETLIST, "<t>"))
    values = {k: jnp.asarray(v[17]) for k, v in d["params"].items()}
    f = h5py.File(out, "r")["frequency"][...]
    s17 = np.asarray(circuit_builder(flat)(values).s(f))
    np.testing.assert_allclose(d["s"][17], s17, atol=1e-12)
    # physics: every sample reciprocal and passive
    assert np.allclose(d["s"], np.swapaxes(d["s"], -1, -2), atol=1e-12)
    assert np.all(np.linalg.svd(d["s"], compute_uv=False) <= 1 + 1e-12)


def test_same_samples_whatever_the_batch_and_chunk(netlist, tmp_path):
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    assert _sweep(netlist, "--batch", 40, "--seed", 3, "--chunk", 7, "-o", a).exit_code == 0
    assert _sweep(netlist, "--batch", 25, "--seed", 3, "--chunk", 25, "-o", b).exit_code == 0
    da, db = _read(a), _read(b)
    for k in da["params"]:
        assert np.array_equal(da["params"][k][:25], db["params"][k]), k
    np.testing.assert_allclose(da["s"][:25], db["s"], rtol=0, atol=1e-14)


def test_vary_grid_with_batch(netlist, tmp_path):
    out = tmp_path / "g.h5"
    r = _sweep(netlist, "--vary", "Lnom=7nH:9nH:3", "--vary", "C2=5p:7p:2", "--batch", 4, "-o", out)
    assert r.exit_code == 0, r.output
    d = _read(out)
    assert d["s"].shape == (24, 41, 2, 2)
    np.testing.assert_allclose(d["grid"]["Lnom"], np.repeat([7e-9, 7e-9, 8e-9, 8e-9, 9e-9, 9e-9], 4), rtol=1e-15)
    np.testing.assert_allclose(d["grid"]["C2"], np.tile(np.repeat([5e-12, 7e-12], 4), 3), rtol=1e-15)
    assert np.array_equal(d["params"]["C2"], d["grid"]["C2"])  # a varied parameter is fixed
    # common random numbers: every grid point sees the same Monte Carlo draws
    x1 = d["params"]["X1.C"].reshape(6, 4)
    assert np.all(x1 == x1[0])


def test_refuses_unphysical_draws(tmp_path):
    p = tmp_path / "wide.yaml"
    p.write_text(
        "frequency: {start: 1 GHz, stop: 2 GHz, points: 3}\n"
        "parameters:\n  C: {value: 1 pF, distribution: normal, std: 60%}\n"
        "components:\n  C1: {type: capacitor, nodes: [a, b], C: C}\nports: [a, b]\n"
    )
    out = tmp_path / "u.h5"
    r = _sweep(p, "--batch", 500, "-o", out)
    assert r.exit_code == 1 and "non-physical" in r.output and "C1.C" in r.output
    assert not out.exists()
    assert _sweep(p, "--batch", 500, "-o", out, "--allow-unphysical").exit_code == 0


def test_existing_output_is_not_overwritten(netlist, tmp_path):
    out = tmp_path / "mc.h5"
    out.write_bytes(b"precious")
    r = _sweep(netlist, "--batch", 5, "-o", out)
    assert r.exit_code == 1 and out.read_bytes() == b"precious"


def test_info_and_export(netlist, tmp_path):
    out = tmp_path / "mc.h5"
    assert _sweep(netlist, "--batch", 10, "--seed", 1, "-o", out).exit_code == 0
    r = runner.invoke(app, ["info", str(out)])
    assert r.exit_code == 0 and "lpf3" in r.output and "X1.C" in r.output and "10 of 10" in r.output
    s2p = tmp_path / "s4.s2p"
    r = runner.invoke(app, ["export", str(out), "--sample", "4", "-o", str(s2p)])
    assert r.exit_code == 0, r.output
    from pmrf_cli.io.touchstone import read_touchstone

    np.testing.assert_array_equal(read_touchstone(s2p).s, _read(out)["s"][4])
    assert runner.invoke(app, ["export", str(out), "--sample", "10"]).exit_code == 1


def _pmrf(*args, env=None, **kw):
    exe = Path(sys.executable).with_name("pmrf")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "pmrf_cli.cli.app"]
    return subprocess.Popen([*cmd, *map(str, args)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def _wait_for_progress(path: Path, proc, timeout=60.0) -> None:
    t0 = time.time()
    while time.time() - t0 < timeout and proc.poll() is None:
        if path.exists():
            try:
                with h5py.File(path, "r", locking=False) as f:
                    if f.attrs["samples_done"] > 0:
                        return
            except OSError:
                pass
        time.sleep(0.02)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_interrupted_sweep_resumes_bit_identical(netlist, tmp_path, sig):
    env = dict(os.environ, PMRF_NO_CACHE="1", HDF5_USE_FILE_LOCKING="FALSE")
    n, chunk = 30000, 64
    ref = tmp_path / "ref.h5"
    assert _sweep(netlist, "--batch", n, "--seed", 11, "--chunk", chunk, "-o", ref).exit_code == 0
    out = tmp_path / "cut.h5"
    proc = _pmrf("sweep", netlist, "--batch", n, "--seed", 11, "--chunk", chunk, "-o", out, "-q", env=env)
    _wait_for_progress(out, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    with h5py.File(out, "r") as f:
        done = int(f.attrs["samples_done"])
        assert 0 < done <= n
        d_ref = _read(ref)
        np.testing.assert_array_equal(f["s"][:done], d_ref["s"][:done])
    if sig == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM
        assert b"--resume" in err and b"Traceback" not in err
    r = _sweep(netlist, "--batch", n, "--seed", 11, "--chunk", chunk, "-o", out, "--resume")
    assert r.exit_code == 0, r.output
    d_out = _read(out)
    assert d_out["attrs"]["samples_done"] == n
    assert np.array_equal(d_out["s"].view(np.uint8), d_ref["s"].view(np.uint8))
    for k in d_ref["params"]:
        assert np.array_equal(d_out["params"][k], d_ref["params"][k])


def test_resume_refuses_a_different_run(netlist, tmp_path):
    out = tmp_path / "mc.h5"
    assert _sweep(netlist, "--batch", 10, "--seed", 1, "-o", out).exit_code == 0
    r = _sweep(netlist, "--batch", 10, "--seed", 2, "-o", out, "--resume")
    assert r.exit_code == 1 and "seed" in r.output


def test_gpu_request_without_gpu_is_a_clear_error(netlist, tmp_path):
    import jax

    try:
        has_gpu = bool(jax.devices("gpu"))
    except RuntimeError:
        has_gpu = False
    if has_gpu:
        pytest.skip("a GPU is present")
    out = tmp_path / "g.h5"
    r = _sweep(netlist, "--batch", 4, "--device", "gpu", "-o", out)
    assert r.exit_code == 1 and "pmrf-cli[cuda]" in r.output and not out.exists()


def test_partial_last_chunk_reuses_the_compiled_kernel(netlist):
    """The last chunk is padded to the chunk shape, so one executable serves every chunk."""
    from pmrf_cli.engine.kernel import SweepPlan, make_kernel, padded_indices
    from pmrf_cli.netlist import flatten, load_netlist

    flat = flatten(load_netlist(str(netlist)))
    plan = SweepPlan(flat, flat.frequency_hz, seed=5, per_point=10)
    kernel = make_kernel(plan)
    compiled = kernel.lower(padded_indices(0, 4, 4)).compile()
    tail = padded_indices(8, 2, 4)
    assert tail.tolist() == [8, 9, -10, -10]  # padding: -1 - (the last real index)
    out = compiled(tail)  # an executable cannot retrace: a shape change would raise here
    full = compiled(padded_indices(6, 4, 4))
    values, s, full_values, full_s = out["values"], out["s"], full["values"], full["s"]
    np.testing.assert_array_equal(np.asarray(s)[:2], np.asarray(full_s)[2:])
    np.testing.assert_array_equal(np.asarray(values["L1"])[:2], np.asarray(full_values["L1"])[2:])


WIDE = (
    "frequency: {start: 1 GHz, stop: 2 GHz, points: 3}\n"
    "parameters:\n  C: {value: 1 pF, distribution: normal, std: %s}\n"
    "components:\n  C1: {type: capacitor, nodes: [a, b], C: C}\n"
    "  T1: {type: tline, nodes: [b, c], z0: 50, length: 10 mm}\n  R1: {type: resistor, nodes: [c, gnd], R: 50}\n"
    "ports: [a, c]\n"
)


def test_range_checks_run_in_the_kernel_chunk_by_chunk(tmp_path):
    """The checks are part of the sweep's one program: a bad draw in a later chunk stops the
    sweep there, names the field and the first failing sample, and leaves no file."""
    p = tmp_path / "rare.yaml"
    p.write_text(WIDE % "25%")  # P(C < 0) = 3e-5 per sample: first failure far beyond chunk 0
    out = tmp_path / "rare.h5"
    r = _sweep(p, "--batch", 200000, "--chunk", 4096, "-o", out)
    assert r.exit_code == 1 and "C1.C >= 0 fails in" in r.output and "first: sample" in r.output, r.output
    first = int(re.search(r"first: sample (\d+)", r.output).group(1))
    assert first >= 4096  # found in a later chunk, after a file had been started
    assert not out.exists()


def test_refused_sweep_keeps_the_file_it_would_overwrite(tmp_path):
    p = tmp_path / "wide.yaml"
    p.write_text(WIDE % "60%")
    out = tmp_path / "old.h5"
    out.write_bytes(b"precious")
    r = _sweep(p, "--batch", 100, "-o", out, "--overwrite")
    assert r.exit_code == 1 and "non-physical" in r.output
    assert out.read_bytes() == b"precious"


def test_cores_give_the_same_bits(tmp_path):
    """A chunk split over cores (concurrent calls of one compiled kernel) equals a one-core run."""
    p = tmp_path / "nodal.yaml"
    p.write_text(WIDE % "5%")
    one, two = tmp_path / "one.h5", tmp_path / "two.h5"
    assert _sweep(p, "--batch", 96, "--chunk", 32, "--cores", 1, "-o", one).exit_code == 0
    assert _sweep(p, "--batch", 96, "--chunk", 32, "--cores", 2, "-o", two).exit_code == 0
    a, b = _read(one), _read(two)
    assert np.array_equal(a["s"].view(np.uint8), b["s"].view(np.uint8))
    assert all(np.array_equal(a["params"][k], b["params"][k]) for k in a["params"])


def test_stored_programs_give_the_same_bits(netlist, tmp_path):
    """A warm run loads the traced program from the cache: the file is bit-identical to a run
    without any cache, and a changed input (`--set`) is a new program, never a stale one."""
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k != "PMRF_NO_CACHE"}
    env.update(PMRF_CACHE_DIR=str(cache), HDF5_USE_FILE_LOCKING="FALSE")

    def run(name, *extra, cached=True):
        out = tmp_path / name
        proc = _pmrf("sweep", netlist, "--batch", 40, "--seed", 2, "-o", out, "-q", *extra,
                     env=env if cached else dict(env, PMRF_NO_CACHE="1"))
        assert proc.wait(timeout=300) == 0, proc.stderr.read()
        return _read(out)

    plain = run("plain.h5", cached=False)
    cold, warm = run("cold.h5"), run("warm.h5")
    assert len(list((cache / "programs").glob("*.jaxexport"))) == 1
    for d in (cold, warm):
        assert np.array_equal(d["s"].view(np.uint8), plain["s"].view(np.uint8))
    other = run("other.h5", "--set", "Lnom=9nH")
    assert len(list((cache / "programs").glob("*.jaxexport"))) == 2
    assert not np.array_equal(other["s"], plain["s"])
    np.testing.assert_array_equal(other["params"]["Lnom"], 9e-9)


def test_simulate_loads_stored_programs_too(netlist, tmp_path):
    """...with the same result, and without importing what only tracing needs: a warm run
    imports neither equinox (the models) nor scipy.linalg (JAX's LAPACK start-up)."""
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k != "PMRF_NO_CACHE"}
    env["PMRF_CACHE_DIR"] = str(cache)
    outs, imported = [], {}
    for name, extra in (("a.s2p", {}), ("b.s2p", {"PYTHONPROFILEIMPORTTIME": "1"}), ("c.s2p", {"PMRF_NO_CACHE": "1"})):
        proc = _pmrf("simulate", netlist, "-o", tmp_path / name, env=dict(env, **extra))
        assert proc.wait(timeout=300) == 0, proc.stderr.read()
        imported[name] = {line.split("|")[-1].strip() for line in proc.stderr.read().decode().splitlines() if "|" in line}
        outs.append((tmp_path / name).read_text())
    assert outs[0] == outs[1] == outs[2]
    assert len(list((cache / "programs").glob("*.jaxexport"))) == 1
    assert "jax" in imported["b.s2p"]
    assert not {"equinox", "scipy.linalg", "pmrf_cli.models"} & imported["b.s2p"]
