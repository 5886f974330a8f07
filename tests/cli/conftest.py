"""Shared fixtures of the command-line tests: an in-process runner, a subprocess runner, oracles.

Helpers are handed out through fixtures (`cli`, `proc`, `oracle`) rather than imported, since
the test directories are not packages.

* `cli(*args, input=None)` runs the Typer app in-process (shares JAX's compilation cache, fast)
  and returns click's `Result` (`exit_code`, `stdout`, `stderr` kept apart). It fails the test
  at once if the command raised anything but a clean exit, so a traceback can never pass as an
  exit code of 1.
* `proc(cmd, ...)` runs a shell command line in a real process where `pmrf` is this venv's
  script; used only for what needs a real process (pipes, stdin, exit codes, stderr).
* `oracle.nodal(f, elements, ports, z0)` is an independent, hand-written nodal analysis in numpy
  (dense solve per frequency, see its docstring); scikit-rf is used as the other oracle. Both are
  test-only: nothing from them goes into the package.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCHEMA_FILE = ROOT / "schemas" / "netlist.schema.json"
C0 = 299_792_458.0
NP_PER_DB = np.log(10.0) / 20.0
# the first line of a user error: a position, or `pmrf:` for a command-line problem
ERROR_LINE = r"^(?:.+:\d+:\d+|pmrf): error: \S"
POSITION_ERROR_LINE = r"^.+:\d+:\d+: error: \S"


# --- running the command -------------------------------------------------------------------------
def _invoke(*args, input=None, expect_exception=False):
    from typer.testing import CliRunner

    from pmrf_cli.cli.app import app

    result = CliRunner().invoke(app, [str(a) for a in args], input=input)
    exc = result.exception
    if not expect_exception and exc is not None and not isinstance(exc, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        pytest.fail(f"pmrf {' '.join(map(str, args))} raised instead of exiting cleanly:\n{tb}")
    return result


@pytest.fixture(scope="session")
def cli():
    return _invoke


def pmrf_exe() -> str:
    """The `pmrf` console script of the interpreter running the tests."""
    exe = Path(sys.executable).with_name("pmrf")
    return str(exe) if exe.exists() else f"{sys.executable} -m pmrf_cli.cli.app"


def _proc(cmd: str, cwd=None, input: bytes | None = None, timeout: float = 120):
    """Run `cmd` with bash (`pmrf` substituted by this venv's script, pipefail on)."""
    env = dict(os.environ, PMRF_NO_CACHE="1")
    env.pop("PMRF_TIMINGS", None)
    exe = pmrf_exe()
    line = "set -o pipefail; " + cmd.replace("pmrf ", exe + " ")
    return subprocess.run(
        ["bash", "-c", line], cwd=cwd, input=input, capture_output=True, timeout=timeout, env=env
    )


@pytest.fixture(scope="session")
def proc():
    return _proc


# --- oracles -------------------------------------------------------------------------------------
def nodal(f, elements, ports, z0=50.0):
    """S (F, P, P) of a circuit by modified nodal analysis in numpy.

    `elements` are tuples:
      ("y", (a, b), y)               admittance y (scalar or (F,)) between nodes a and b
      ("z", (a, b), z)               impedance z (its current is an unknown; z may be 0)
      ("line", (a, b), (zc, gl))     TEM line between a and b (both referred to ground),
                                     characteristic impedance zc, gamma*length gl (F,)
      ("xfmr", (p1p, p1m, p2p, p2m), n)  ideal transformer V2 = n V1, I1 = -n I2
      ("s", (n_1..n_N), (S, zref))   N-port block S (F, N, N), each port to ground, real zref
    "gnd" is ground. Port k is driven by an incident wave a_k = 1 (a Norton source 2/sqrt(z0_k)
    with 1/z0_k across it, every other port terminated in its z0), so column k of S is
    b_j = V_j / sqrt(z0_j) - delta_jk.
    """
    f = np.asarray(f, float)
    nf = f.size
    names: list[str] = []

    def idx(n):
        if n == "gnd":
            return -1
        if n not in names:
            names.append(n)
        return names.index(n)

    for _, nodes, _ in elements:
        for n in nodes:
            idx(n)
    for p in ports:
        idx(p)
    nn = len(names)
    extra = sum({"y": 0, "z": 1, "line": 2, "xfmr": 2, "s": len(nodes)}[k] for k, nodes, _ in elements)
    zp = np.broadcast_to(np.asarray(z0, float), (len(ports),))
    pidx = [idx(p) for p in ports]
    out = np.zeros((nf, len(ports), len(ports)), complex)
    for fi in range(nf):
        a = np.zeros((nn + extra, nn + extra), complex)

        def add(r, c, v):
            if r >= 0 and c >= 0:
                a[r, c] += v

        k = nn
        for kind, nodes, data in elements:
            ii = [idx(x) for x in nodes]
            if kind == "y":
                y = np.broadcast_to(data, (nf,))[fi]
                p, q = ii
                add(p, p, y), add(q, q, y), add(p, q, -y), add(q, p, -y)
            elif kind == "z":
                z = np.broadcast_to(data, (nf,))[fi]
                p, q = ii
                add(p, k, 1.0), add(q, k, -1.0)
                add(k, p, 1.0), add(k, q, -1.0), add(k, k, -z)
                k += 1
            elif kind == "line":
                zc, gl = data
                g = np.broadcast_to(gl, (nf,))[fi]
                ch, sh = np.cosh(g), np.sinh(g)
                p, q = ii
                i1, i2 = k, k + 1  # currents into the line at p and at q
                add(p, i1, 1.0), add(q, i2, 1.0)
                # V1 = ch V2 - zc sh I2 ; I1 = sh/zc V2 - ch I2
                add(i1, p, 1.0), add(i1, q, -ch), add(i1, i2, zc * sh)
                add(i2, i1, 1.0), add(i2, q, -sh / zc), add(i2, i2, ch)
                k += 2
            elif kind == "xfmr":
                n = data
                p1p, p1m, p2p, p2m = ii
                i1, i2 = k, k + 1
                add(p1p, i1, 1.0), add(p1m, i1, -1.0), add(p2p, i2, 1.0), add(p2m, i2, -1.0)
                add(i1, p1p, n), add(i1, p1m, -n), add(i1, p2p, -1.0), add(i1, p2m, 1.0)
                add(i2, i1, 1.0), add(i2, i2, n)
                k += 2
            elif kind == "s":
                s, zr = data
                n_ = len(ii)
                zr = np.broadcast_to(np.asarray(zr, float), (n_,))
                d = np.sqrt(zr)
                sv = d[:, None] * s[fi] / d[None, :]  # voltage-wave S
                m1, m2 = np.eye(n_) - sv, -(np.eye(n_) + sv) * zr[None, :]
                for r in range(n_):
                    add(ii[r], k + r, 1.0)
                    for c in range(n_):
                        add(k + r, ii[c], m1[r, c])
                        add(k + r, k + c, m2[r, c])
                k += n_
            else:
                raise ValueError(kind)
        for j, p in enumerate(pidx):
            a[p, p] += 1.0 / zp[j]
        rhs = np.zeros((nn + extra, len(ports)), complex)
        for j, p in enumerate(pidx):
            rhs[p, j] = 2.0 / np.sqrt(zp[j])
        v = np.linalg.solve(a, rhs)[pidx, :]
        out[fi] = v / np.sqrt(zp)[:, None] - np.eye(len(ports))
    return out


def tem_gl(f, length, er=1.0, loss_db_per_m=0.0):
    """gamma * length of a TEM line with a frequency-independent loss in dB/m."""
    return (loss_db_per_m * NP_PER_DB + 1j * 2 * np.pi * np.asarray(f, float) * np.sqrt(er) / C0) * length


def sk_frequency(f):
    import skrf

    return skrf.Frequency.from_f(np.asarray(f, float), unit="Hz")


def sk_media(fsk, zc=50.0, z0_port=50.0, er=1.0, loss_db_per_m=0.0):
    """scikit-rf `DefinedGammaZ0` with the TEM propagation constant given explicitly
    (its default gamma is the constant 1j, not jw/c)."""
    import skrf

    gamma = loss_db_per_m * NP_PER_DB + 1j * fsk.w * np.sqrt(er) / C0
    return skrf.media.DefinedGammaZ0(fsk, z0_port=z0_port, z0=zc, gamma=gamma)


def grid(start, stop, points, scale="linear"):
    """The netlist grid: both ends included."""
    f = np.geomspace(start, stop, points) if scale == "log" else np.linspace(start, stop, points)
    f[0], f[-1] = start, stop
    return f


def assert_close(a, b, atol=1e-9, rtol=0.0, what=""):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (what, a.shape, b.shape)
    assert np.all(np.isfinite(a)), f"{what}: non-finite values"
    err = np.abs(a - b)
    excess = err - (atol + rtol * np.abs(b))
    assert excess.max() <= 0, f"{what}: max |a-b| = {err.max():.3e} (atol {atol}, rtol {rtol})"


@pytest.fixture(scope="session")
def oracle():
    return SimpleNamespace(
        nodal=nodal, tem_gl=tem_gl, sk_frequency=sk_frequency, sk_media=sk_media, grid=grid, C0=C0,
        NP_PER_DB=NP_PER_DB,
    )


@pytest.fixture(scope="session")
def check():
    return SimpleNamespace(close=assert_close, ERROR_LINE=ERROR_LINE, POSITION_ERROR_LINE=POSITION_ERROR_LINE)


@pytest.fixture(scope="session")
def paths():
    return SimpleNamespace(root=ROOT, examples=EXAMPLES, schema=SCHEMA_FILE)


# --- simulate to HDF5 and read it back -----------------------------------------------------------
def read_h5(path):
    """Everything a simulate results file holds, read with plain h5py."""
    import h5py

    with h5py.File(path, "r") as h:
        return SimpleNamespace(
            f=h["frequency"][()],
            s=h["s"][()],
            params={k: h["parameters"][k][()] for k in h["parameters"]},
            attrs=dict(h.attrs),
        )


@pytest.fixture
def simulate_h5(cli, tmp_path):
    """`simulate_h5(netlist, *options)` -> the results of `pmrf simulate NETLIST -o x.h5`."""
    count = [0]

    def run(netlist, *options, input=None):
        count[0] += 1
        out = tmp_path / f"sim{count[0]}.h5"
        res = cli("simulate", netlist, "-o", out, *options, input=input)
        assert res.exit_code == 0, res.stderr
        return read_h5(out)

    return run
