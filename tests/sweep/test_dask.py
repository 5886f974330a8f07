"""`pmrf sweep --workers N / --scheduler ADDRESS`: the same file as a one-process run, through a
real scheduler with worker processes, a worker killed mid-sweep, and a local cluster stopped by
Ctrl-C and resumed."""

from __future__ import annotations

import os
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

distributed = pytest.importorskip("distributed")

NETLIST = """name: lc3
frequency: {start: 10 MHz, stop: 3 GHz, points: 21}
parameters:
  Lnom: 7.96 nH
  Cnom: 6.37 pF
  L1: {value: Lnom, tolerance: 5%}
  C2: {value: Cnom, distribution: normal, std: 2%}
components:
  L1: {type: inductor, nodes: [in, n1], L: L1}
  C2: {type: capacitor, nodes: [n1, gnd], C: C2}
  L3: {type: inductor, nodes: [n1, out], L: "2*L1"}
ports: [in, out]
"""
#: 20 grid points x 1034 draws in 11 chunks, the last one's second part padding only (not sent
#: to a worker); the grid and the override reach the workers through the recipe.
N, CHUNK = 20 * 1034, 2048
SWEEP = ["--batch", 1034, "--vary", "Lnom=7nH:9nH:20", "--set", "Cnom=6.5pF", "--seed", 3, "--chunk", CHUNK]

runner = CliRunner()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dask")


@pytest.fixture(scope="module")
def env(folder) -> dict:
    """The environment of the processes this module starts, workers included: they share one
    compilation cache, so each starts without compiling the kernel again (the bits are the
    same, see test_sweep_cli). This process keeps JAX's settings as they are."""
    env = {k: v for k, v in os.environ.items() if k != "PMRF_NO_CACHE"}
    env.update(PMRF_CACHE_DIR=str(folder / "cache"), HDF5_USE_FILE_LOCKING="FALSE")
    return env


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch):
    monkeypatch.setenv("PMRF_NO_CACHE", "1")


@pytest.fixture(scope="module")
def netlist(folder) -> Path:
    p = folder / "lc3.yaml"
    p.write_text(NETLIST)
    return p


@pytest.fixture(scope="module")
def reference(netlist, env) -> dict:
    """A one-process, one-core run (each chunk one call of the kernel; the Dask runs split it in
    two, so the bits are compared across splits), in a process that must not import Dask."""
    out = netlist.parent / "ref.h5"
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from pmrf_cli.cli.app import app\n"
        f"args = ['sweep', {str(netlist)!r}, *{list(map(str, SWEEP))!r}, '--cores', '1', '-o', {str(out)!r}, '-q']\n"
        "r = CliRunner().invoke(app, args)\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return dict(_read(out), imported=proc.stdout.strip())


def _dask(*args: str, cwd: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.fixture(scope="module")
def scheduler(folder, env):
    """A `dask scheduler` and two `dask worker` processes, as the README starts them."""
    file = folder / "scheduler.json"
    procs = [_dask("scheduler", "--scheduler-file", str(file), "--port", "0", "--dashboard-address", ":0",
                   cwd=folder, env=env)]
    try:
        t0 = time.time()
        while not file.exists():
            assert time.time() - t0 < 60 and procs[0].poll() is None, "dask scheduler did not start"
            time.sleep(0.05)
        for _ in range(2):
            procs.append(_dask("worker", "--scheduler-file", str(file), "--nthreads", "1", "--nworkers", "1",
                               "--no-dashboard", cwd=folder, env=env))
        client = distributed.Client(scheduler_file=str(file), timeout=60)
        client.wait_for_workers(2, timeout=120)
        yield client, file
        client.close()
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def _read(path) -> dict:
    with h5py.File(path, "r") as f:
        return {
            "s": f["s"][...],
            "params": {k: f["parameters"][k][...] for k in f["parameters"]},
            "done": int(f.attrs["samples_done"]),
            "device": f.attrs["device"],
        }


def _same(d: dict, ref: dict, n: int | None = None) -> None:
    n = len(ref["s"]) if n is None else n
    assert np.array_equal(d["s"][:n].view(np.uint8), ref["s"][:n].view(np.uint8))
    for k in ref["params"]:
        assert np.array_equal(d["params"][k][:n], ref["params"][k][:n])


def _pmrf(*args, env: dict, **kw) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("pmrf")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "pmrf_cli.cli.app"]
    return subprocess.Popen([*cmd, *map(str, args)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def _wait_for_progress(path: Path, proc, timeout: float = 120.0) -> int:
    t0 = time.time()
    while time.time() - t0 < timeout and proc.poll() is None:
        if path.exists():
            try:
                with h5py.File(path, "r", locking=False) as f:
                    done = int(f.attrs["samples_done"])
                    if done > 0:
                        return done
            except (OSError, KeyError):
                pass
        time.sleep(0.02)
    err = proc.stderr.read().decode(errors="replace") if proc.poll() is not None and proc.stderr else ""
    raise AssertionError(f"no progress in {path}: {proc.poll()} {err[-2000:]}")


def test_scheduler_address(netlist, reference, scheduler, tmp_path):
    client, _ = scheduler
    out = tmp_path / "address.h5"
    r = runner.invoke(app, ["sweep", str(netlist), *map(str, SWEEP), "--scheduler", client.scheduler.address,
                            "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "on 2 Dask workers" in r.output
    _same(_read(out), reference)


def test_worker_killed_mid_sweep(netlist, reference, scheduler, env, tmp_path):
    """Dask reruns the parts the lost worker held: the file is complete and the same (the
    client here connects through the scheduler file)."""
    client, file = scheduler
    out = tmp_path / "killed.h5"
    proc = _pmrf("sweep", netlist, *SWEEP, "--scheduler", file, "-o", out, "-q", env=env)
    done = _wait_for_progress(out, proc)
    victim = min(client.run(os.getpid).values())
    os.kill(victim, signal.SIGKILL)
    assert proc.poll() is None  # the sweep is still running
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err.decode()
    assert done < N  # the worker died mid-sweep
    d = _read(out)
    assert d["done"] == N
    _same(d, reference)
    client.wait_for_workers(2, timeout=120)  # its nanny restarts it for the next test


def test_runner_selects_what_comes_back(netlist, scheduler):
    """`select` runs on the worker (S can stay there); parts come back in sample order, the
    chunk's padding-only part is not evaluated."""
    from pmrf_cli.cli.common import grid_of, load
    from pmrf_cli.engine.distributed import DaskRunner, connect
    from pmrf_cli.engine.kernel import CPU_TILE_POINTS, SweepPlan, padded_indices
    from pmrf_cli.engine.recipe import Drop, evaluate, recipe_for

    client, _ = scheduler
    _, flat = load(str(netlist))
    plan = SweepPlan(flat, grid_of(flat, None), seed=3, per_point=100)
    recipe = recipe_for(plan, None, "double", True, CPU_TILE_POINTS, 32, "cpu")
    dask = DaskRunner(connect(client.scheduler.address, None, "cpu"), recipe, select=Drop(("s",)))
    try:
        assert dask.workers == 2 and dask.part == 32
        parts = dask.result(dask.submit(padded_indices(64, 36, 96)))  # 2 parts; the third is padding only
        assert dask.bytes_received == sum(a.nbytes for p in parts for a in (p["ok"], p["finite"], *p["values"].values()))
    finally:
        dask.close()
    assert [sorted(p) for p in parts] == [["finite", "ok", "values"], ["finite", "ok", "values"]]
    for part, start in zip(parts, (64, 96)):
        here = evaluate(recipe, (start, min(32, 100 - start)))
        assert all(np.array_equal(part["values"][k], here["values"][k]) for k in here["values"])


def test_local_cluster_stops_cleanly_on_ctrl_c_and_resumes(netlist, reference, scheduler, env, tmp_path):
    """`--workers 2` writes the same bits as a one-process run. Ctrl-C reaches the whole process
    group (pmrf and its local workers): the sweep stops after the chunks in flight and leaves a
    valid file, which a run on the scheduler's workers then finishes."""
    _, file = scheduler
    out = tmp_path / "cut.h5"
    proc = _pmrf("sweep", netlist, *SWEEP, "--workers", "2", "-o", out, "-q", env=env, start_new_session=True)
    _wait_for_progress(out, proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGINT, err.decode()
    assert b"--resume" in err and b"Traceback" not in err, err.decode()
    d = _read(out)
    assert 0 < d["done"] < N
    _same(d, reference, d["done"])
    r = runner.invoke(app, ["sweep", str(netlist), *map(str, SWEEP), "--scheduler", str(file), "-o", str(out),
                            "--resume", "-q"])
    assert r.exit_code == 0, r.output
    d = _read(out)
    assert d["done"] == N
    _same(d, reference)


def test_bad_cluster_options(netlist, tmp_path):
    out = tmp_path / "x.h5"
    for extra, message in (
        (["--workers", "0"], "--workers must be at least 1"),
        (["--workers", "2", "--scheduler", "tcp://h:1"], "not both"),
        (["--workers", "2", "--cores", "2"], "--cores is for a one-process sweep"),
        (["--scheduler", str(tmp_path / "none.json")], "no such scheduler file"),
    ):
        r = runner.invoke(app, ["sweep", str(netlist), "--batch", "4", "-o", str(out), *extra])
        assert r.exit_code == 1 and message in r.output, r.output
        assert not out.exists()


def test_a_plain_sweep_never_imports_dask(reference):
    assert reference["imported"] == "[]"


def test_a_worker_refuses_a_touchstone_file_that_differs(tmp_path):
    """The recipe carries the digests of the client's Touchstone files; a worker reading
    another copy stops the sweep before anything is written."""
    import pickle
    import shutil

    from pmrf_cli.cli.common import grid_of, load
    from pmrf_cli.engine.kernel import CPU_TILE_POINTS, SweepPlan
    from pmrf_cli.engine.recipe import WorkerError, plan_of, recipe_for, warm
    from pmrf_cli.io.touchstone import TouchstoneError

    examples = Path(__file__).resolve().parents[2] / "examples"
    shutil.copytree(examples / "data", tmp_path / "data")
    shutil.copy(examples / "touchstone_block.yaml", tmp_path)
    _, flat = load(str(tmp_path / "touchstone_block.yaml"))
    plan = SweepPlan(flat, grid_of(flat, None), seed=1, per_point=4)
    recipe = pickle.loads(pickle.dumps(recipe_for(plan, None, "double", True, CPU_TILE_POINTS, 4, "cpu")))
    assert plan_of(recipe).flat.components == flat.components
    with open(tmp_path / "data" / "amp.s2p", "a") as fh:
        fh.write("! another copy\n")
    with pytest.raises(TouchstoneError, match="differs from the client's copy"):
        plan_of(recipe)
    with pytest.raises(WorkerError, match="worker w1: .*amp.s2p.*differs"):
        warm(recipe, "w1")
