"""Tests of the HDF5 results file (pmrf_cli.io.results) against the RESULTS.md contract."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import h5py
import numpy as np
import pytest

from pmrf_cli.io import results as R
from pmrf_cli.io.results import (
    ResultsError,
    ResultsMeta,
    SweepWriter,
    format_info,
    read_info,
    read_sample,
    write_simulation,
)

REPO = Path(__file__).resolve().parents[2]

# Shared by the tests and by the subprocesses that kill themselves: deterministic sample values.
GEN_SRC = textwrap.dedent(
    """
    import numpy as np
    from pmrf_cli.io.results import ResultsMeta

    NETLIST = "name: lowpass\\nports: [P1, P2]\\n"
    PATHS = ("L1", "X1.C", "R0")

    def make_meta(samples=50, nf=7, precision="double", seed=1234, **kw):
        return ResultsMeta(
            netlist_text=NETLIST,
            port_names=("P1", "P2"),
            port_z0=np.array([50.0, 75.0]),
            frequency=np.linspace(1e6, 3e9, nf),
            parameter_paths=PATHS,
            samples=samples,
            seed=seed,
            precision=precision,
            pmrf_version="0.1.0",
            jax_version="0.4.30",
            device="cpu",
            command="pmrf sweep lowpass.yaml -n 50 -o x.h5",
            **kw,
        )

    def gen(start, n, nf=7, p=2):
        s = np.empty((n, nf, p, p), np.complex128)
        params = {k: np.empty(n) for k in PATHS}
        for j, i in enumerate(range(start, start + n)):
            rng = np.random.default_rng(1000 + i)
            s[j] = rng.normal(size=(nf, p, p)) + 1j * rng.normal(size=(nf, p, p))
            for k in PATHS:
                params[k][j] = rng.normal()
        params["R0"][:] = 50.0  # a parameter that is not random
        return s, params

    def run_sweep(w, chunk, stop=None):
        stop = w.samples if stop is None else stop
        while w.samples_done < stop:
            start = w.samples_done
            n = min(chunk, w.samples - start)
            s, params = gen(start, n)
            w.write(start, s, params)
    """
)
_ns: dict = {}
exec(GEN_SRC, _ns)
NETLIST, PATHS = _ns["NETLIST"], _ns["PATHS"]
make_meta, gen, run_sweep = _ns["make_meta"], _ns["gen"], _ns["run_sweep"]

ROOT_ATTRS = {
    "format",
    "format_version",
    "netlist",
    "port_names",
    "port_z0",
    "samples",
    "samples_done",
    "seed",
    "pmrf_version",
    "jax_version",
    "device",
    "created",
    "command",
}


def full_sweep(path: Path, samples: int = 50, chunk: int = 8, **kw) -> Path:
    meta = make_meta(samples=samples, **kw)
    with SweepWriter.create(path, meta, chunk) as w:
        run_sweep(w, chunk)
    return path


def is_vlen_str(dt: np.dtype) -> bool:
    info = h5py.check_string_dtype(dt)
    return info is not None and info.length is None and info.encoding == "utf-8"


# --------------------------------------------------------------------------- layout


def test_sweep_layout_with_plain_h5py(tmp_path):
    path = full_sweep(tmp_path / "x.h5", samples=50, chunk=8)
    with h5py.File(path, "r") as f:
        # the contract's datasets, and the dimension scales of "Named dimensions" in RESULTS.md
        assert set(f.keys()) == {"frequency", "s", "parameters", "statistics", "sample", "to_port", "from_port"}
        assert f["frequency"].dtype == np.float64 and f["frequency"].shape == (7,)
        assert f["s"].dtype == np.complex128 and f["s"].shape == (50, 7, 2, 2)
        assert f["s"].chunks == (8, 7, 2, 2)
        assert set(f["parameters"].keys()) == {"L1", "X1.C", "R0"}
        assert isinstance(f["parameters"]["X1.C"], h5py.Dataset)  # the dot is in the name
        for p in PATHS:
            ds = f["parameters"][p]
            assert ds.dtype == np.float64 and ds.shape == (50,)
        a = f.attrs
        assert set(a.keys()) == ROOT_ATTRS | {"stored", "nonfinite_samples"}  # what the sweep kept (SPECS.md), NaN count
        assert a["format"] == "pmrf-results"
        assert int(a["format_version"]) == 1
        assert a["netlist"] == NETLIST
        for k in ("format", "netlist", "pmrf_version", "jax_version", "device", "created", "command"):
            assert isinstance(a[k], str)
            assert is_vlen_str(a.get_id(k).dtype)
        assert is_vlen_str(a.get_id("port_names").dtype)
        assert list(a["port_names"]) == ["P1", "P2"]
        assert a["port_z0"].dtype == np.float64 and a["port_z0"].shape == (2,)
        assert list(a["port_z0"]) == [50.0, 75.0]
        assert int(a["samples"]) == 50 and int(a["samples_done"]) == 50
        assert int(a["seed"]) == 1234
        assert a["created"].endswith("Z") and "T" in a["created"]
        s, params = gen(0, 50)
        assert np.array_equal(f["s"][()], s)
        for p in PATHS:
            assert np.array_equal(f["parameters"][p][()], params[p])
    assert [q.name for q in tmp_path.iterdir()] == ["x.h5"]  # no temporary left behind


def test_simulation_layout(tmp_path):
    meta = make_meta(samples=1, seed=None)
    s, params = gen(0, 1)
    path = tmp_path / "sim.h5"
    write_simulation(path, meta, s[0], {k: float(v[0]) for k, v in params.items()})
    with h5py.File(path, "r") as f:
        assert set(f.attrs.keys()) == ROOT_ATTRS - {"seed"}
        assert f["s"].dtype == np.complex128 and f["s"].shape == (7, 2, 2)
        assert np.array_equal(f["s"][()], s[0])
        for p in PATHS:
            ds = f["parameters"][p]
            assert ds.dtype == np.float64 and ds.shape == ()
            assert ds[()] == params[p][0]
        assert int(f.attrs["samples"]) == 1 and int(f.attrs["samples_done"]) == 1
    freq, s0, z0, names = read_sample(path, 0)
    assert np.array_equal(s0, s[0]) and names == ["P1", "P2"] and list(z0) == [50.0, 75.0]
    info = read_info(path)
    assert info["kind"] == "simulate" and info["seed"] is None
    assert info["parameters"]["R0"] == {"mean": 50.0, "std": 0.0, "min": 50.0, "max": 50.0}


def test_single_precision(tmp_path):
    meta = make_meta(samples=1, seed=None, precision="single")
    s, params = gen(0, 1)
    path = tmp_path / "sim.h5"
    write_simulation(path, meta, s[0], {k: v[0] for k, v in params.items()})
    with h5py.File(path, "r") as f:
        assert f["s"].dtype == np.complex64
    _, s0, _, _ = read_sample(path, 0)
    assert s0.dtype == np.complex128
    assert np.array_equal(s0, s[0].astype(np.complex64).astype(np.complex128))
    path = full_sweep(tmp_path / "sw.h5", samples=10, chunk=4, precision="single")
    with h5py.File(path, "r") as f:
        assert f["s"].dtype == np.complex64
    assert read_info(path)["precision"] == "single"


def test_chunk_capped_at_4mib(tmp_path):
    # one sample: 2001 * 8 * 8 * 16 bytes = 2 MiB -> 2 samples per HDF5 chunk at most
    meta = replace(
        make_meta(samples=100),
        port_names=tuple(f"P{i}" for i in range(8)),
        port_z0=np.full(8, 50.0),
        frequency=np.linspace(1e6, 1e9, 2001),
    )
    with SweepWriter.create(tmp_path / "big.h5", meta, chunk=64) as w:
        chunks = w._s.chunks
    assert chunks == (2, 2001, 8, 8)
    assert R.sweep_chunk_samples(meta, 1) == 1
    assert R.sweep_chunk_samples(make_meta(samples=5), 64) == 5


def test_extra_attrs_and_grid(tmp_path):
    grid = {"L1": np.repeat([1e-9, 2e-9], 5)}
    meta = make_meta(samples=10, extra_attrs={"vary": ["L1"], "vary_points": 5}, grid=grid)
    with SweepWriter.create(tmp_path / "g.h5", meta, 4) as w:
        run_sweep(w, 4)
    with h5py.File(tmp_path / "g.h5", "r") as f:
        assert np.array_equal(f["grid"]["L1"][()], grid["L1"])
        assert list(f.attrs["vary"]) == ["L1"] and int(f.attrs["vary_points"]) == 5
    info = read_info(tmp_path / "g.h5")
    assert info["extra"] == {"vary": ["L1"], "vary_points": 5}
    with pytest.raises(ResultsError, match="reserved"):
        SweepWriter.create(tmp_path / "h.h5", make_meta(extra_attrs={"seed": 1}), 4)


# --------------------------------------------------------------------------- writer rules


def test_create_refuses_to_overwrite(tmp_path):
    path = full_sweep(tmp_path / "x.h5", samples=4, chunk=4)
    with pytest.raises(ResultsError, match="exists"):
        SweepWriter.create(path, make_meta(samples=4), 4)
    with SweepWriter.create(path, make_meta(samples=6), 4, overwrite=True) as w:
        assert w.samples_done == 0 and w.samples == 6
    with h5py.File(path, "r") as f:
        assert int(f.attrs["samples_done"]) == 0 and f["s"].shape[0] == 6


def test_write_must_be_sequential_and_shaped(tmp_path):
    with SweepWriter.create(tmp_path / "x.h5", make_meta(samples=10), 4) as w:
        s, params = gen(0, 4)
        with pytest.raises(ResultsError, match="sequential"):
            w.write(4, s, params)
        with pytest.raises(ResultsError, match="shape"):
            w.write(0, s[:, :3], params)
        with pytest.raises(ResultsError, match="missing"):
            w.write(0, s, {"L1": params["L1"]})
        with pytest.raises(ResultsError, match="expected"):
            w.write(0, s, {**params, "L1": params["L1"][:2]})
        w.write(0, s, params)
        assert w.samples_done == 4
        s, params = gen(4, 8)
        with pytest.raises(ResultsError, match="end"):
            w.write(4, s, params)
        assert w.samples_done == 4


def test_resume_checks_match(tmp_path):
    path = tmp_path / "x.h5"
    meta = make_meta(samples=20)
    with SweepWriter.create(path, meta, 4) as w:
        run_sweep(w, 4, stop=8)
    bad = {
        "netlist": replace(meta, netlist_text="name: other\n"),
        "seed": replace(meta, seed=1),
        "number of samples": replace(meta, samples=21),
        "frequency": replace(meta, frequency=np.linspace(1e6, 3e9, 8)),
        "ports": replace(meta, port_names=("A", "B")),
        "impedances": replace(meta, port_z0=np.array([50.0, 50.0])),
        "parameter paths": replace(meta, parameter_paths=("L1", "X1.C")),
        "precision": replace(meta, precision="single"),
        "grid": replace(meta, grid={"L1": np.zeros(20)}),
    }
    for what, m in bad.items():
        with pytest.raises(ResultsError, match=what):
            SweepWriter.resume(path, m)
    with SweepWriter.resume(path, meta) as w:
        assert w.samples_done == 8
    sim = tmp_path / "sim.h5"
    s, params = gen(0, 1)
    write_simulation(sim, make_meta(samples=1, seed=None), s[0], {k: v[0] for k, v in params.items()})
    with pytest.raises(ResultsError, match="simulation"):
        SweepWriter.resume(sim, meta)


def test_not_a_results_file(tmp_path):
    with pytest.raises(ResultsError, match="no such file"):
        read_info(tmp_path / "missing.h5")
    (tmp_path / "text.h5").write_text("hello")
    with pytest.raises(ResultsError, match="HDF5"):
        read_info(tmp_path / "text.h5")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = 1
    with pytest.raises(ResultsError, match="not a pmrf results file"):
        read_sample(tmp_path / "other.h5", 0)


def test_write_simulation_is_atomic(tmp_path):
    path = tmp_path / "sim.h5"
    path.write_bytes(b"old")
    s, params = gen(0, 1)
    with pytest.raises(ValueError):
        write_simulation(path, make_meta(samples=1, seed=None), s[0], {**params, "L1": "abc"})
    assert path.read_bytes() == b"old"
    assert [q.name for q in tmp_path.iterdir()] == ["sim.h5"]
    write_simulation(path, make_meta(samples=1, seed=None), s[0], {k: v[0] for k, v in params.items()})
    assert read_info(path)["samples_done"] == 1


# --------------------------------------------------------------------------- reading


def test_read_info_and_sample(tmp_path, monkeypatch):
    monkeypatch.setattr(R, "_STATS_BLOCK", 7)  # force several blocks
    path = tmp_path / "x.h5"
    with SweepWriter.create(path, make_meta(samples=50), 8) as w:
        run_sweep(w, 8, stop=24)
    info = read_info(path)
    assert info["name"] == "lowpass"
    assert info["ports"] == ["P1", "P2"] and info["z0"] == [50.0, 75.0]
    assert info["grid"] == {"start": 1e6, "stop": 3e9, "points": 7}
    assert (info["samples"], info["samples_done"], info["seed"]) == (50, 24, 1234)
    assert info["precision"] == "double"
    assert info["provenance"]["command"].startswith("pmrf sweep")
    assert list(info["parameters"]) == list(PATHS)
    _, params = gen(0, 24)
    for p, v in params.items():
        st = info["parameters"][p]
        assert st["mean"] == pytest.approx(v.mean(), abs=1e-12)
        assert st["std"] == pytest.approx(v.std(), abs=1e-12)
        assert (st["min"], st["max"]) == (v.min(), v.max())
    text = format_info(info)
    for needle in ("lowpass", "24 of 50", "P1 (50 ohm)", "X1.C", "1 MHz to 3 GHz", "seed 1234"):
        assert needle in text
    freq, s, z0, names = read_sample(path, 23)
    assert np.array_equal(s, gen(23, 1)[0][0]) and s.dtype == np.complex128
    assert np.array_equal(freq, np.linspace(1e6, 3e9, 7))
    with pytest.raises(ResultsError, match="not available"):
        read_sample(path, 24)


def test_info_of_unparsable_netlist_and_empty_sweep(tmp_path):
    path = tmp_path / "x.h5"
    meta = replace(make_meta(samples=5), netlist_text="a: [unclosed")
    with SweepWriter.create(path, meta, 5):
        pass
    info = read_info(path)
    assert info["name"] is None and info["samples_done"] == 0
    assert all(v is None for v in info["parameters"].values())
    assert "no samples done" in format_info(info)


# --------------------------------------------------------------------------- crash safety

KILL_SRC = GEN_SRC + textwrap.dedent(
    """
    import os, signal, sys
    from pmrf_cli.io.results import SweepWriter

    path, mode, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
    meta = make_meta()

    def die(*a, **k):
        os.kill(os.getpid(), signal.SIGKILL)

    w = SweepWriter.create(path, meta, 8)
    run_sweep(w, 8, stop=kill_at)
    if mode == "between":
        die()
    s, params = gen(kill_at, 8)
    if mode == "before_flush":     # data handed to HDF5, nothing flushed
        w._flush = die
    elif mode == "before_commit":  # data flushed, samples_done not yet updated
        w._commit = die
    elif mode == "mid_write":      # /s written, parameters not yet
        class Boom:
            def __setitem__(self, key, value):
                die()
        w._params["X1.C"] = Boom()
    w.write(kill_at, s, params)
    raise SystemExit("not killed")
    """
)


def _killed_run(path: Path, mode: str, kill_at: int) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-c", KILL_SRC, str(path), mode, str(kill_at)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def _assert_same_file(a: Path, b: Path) -> None:
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        names_a, names_b = [], []
        fa.visit(names_a.append)
        fb.visit(names_b.append)
        assert names_a == names_b
        for name in names_a:
            if isinstance(fa[name], h5py.Dataset):
                da, db = fa[name], fb[name]
                assert da.dtype == db.dtype and da.shape == db.shape and da.chunks == db.chunks
                assert da[()].tobytes() == db[()].tobytes(), name
        assert set(fa.attrs) == set(fb.attrs)
        for k in fa.attrs:
            if k != "created":
                assert np.array_equal(fa.attrs[k], fb.attrs[k]), k


@pytest.mark.parametrize(
    "mode,kill_at",
    [("between", 16), ("before_flush", 24), ("before_commit", 8), ("mid_write", 32)],
)
def test_kill_then_resume_equals_uninterrupted(tmp_path, mode, kill_at):
    ref = full_sweep(tmp_path / "ref.h5", samples=50, chunk=8)
    path = tmp_path / "x.h5"
    _killed_run(path, mode, kill_at)

    # The file opens with plain h5py; exactly the counted samples are there, bit for bit.
    with h5py.File(path, "r") as f:
        done = int(f.attrs["samples_done"])
        assert done == kill_at
        s, params = gen(0, done)
        assert f["s"][:done].tobytes() == s.tobytes()
        for p in PATHS:
            assert f["parameters"][p][:done].tobytes() == params[p].tobytes()
    assert read_info(path)["samples_done"] == kill_at
    assert np.array_equal(read_sample(path, kill_at - 1)[1], gen(kill_at - 1, 1)[0][0])

    with SweepWriter.resume(path, make_meta()) as w:
        assert w.samples_done == kill_at
        run_sweep(w, 8)
        assert w.complete
    _assert_same_file(path, ref)
    assert sorted(q.name for q in tmp_path.iterdir()) == ["ref.h5", "x.h5"]


def test_keyboard_interrupt_leaves_consistent_file(tmp_path):
    path = tmp_path / "x.h5"
    with pytest.raises(KeyboardInterrupt):
        with SweepWriter.create(path, make_meta(), 8) as w:
            run_sweep(w, 8, stop=16)

            def interrupt(done):
                raise KeyboardInterrupt

            w._commit = interrupt
            run_sweep(w, 8)
    with h5py.File(path, "r") as f:
        assert int(f.attrs["samples_done"]) == 16
    with SweepWriter.resume(path, make_meta()) as w:
        run_sweep(w, 8)
    _assert_same_file(path, full_sweep(tmp_path / "ref.h5"))
