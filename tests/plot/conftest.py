"""Fixtures of the plot tests: small results files written directly (no JAX, no compilation).

* `files` (session): paths of a sweep with specs (margins, /pass, yield attributes), one without
  /s (`--store specs`), a sweep with a `--vary` grid and /pass, a sweep without specs, a
  simulation and a Touchstone file, all of one series-inductor two-port on an 11-point grid.
* `plot` runs `pmrf plot ...` in-process and returns click's Result (a traceback fails the test).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import h5py
import numpy as np
import pytest

from pmrf_cli.io.dimensions import label_dimensions
from pmrf_cli.io.results import ResultsMeta, SweepWriter, write_simulation
from pmrf_cli.io.touchstone import touchstone_text

FREQ = np.linspace(10e6, 3e9, 11)
NETLIST = """name: series L
frequency: {start: 10 MHz, stop: 3 GHz, points: 11}
components:
  L1: {type: inductor, nodes: [in, out], L: 8 nH}
ports: [in, out]
specs:
  loss: {measure: dB(S21), band: [10 MHz, 800 MHz], min: -1}
  match: {measure: "dB(S(in,in))", band: [10 MHz, 800 MHz], max: -14}
  corner: {measure: dB(S21), at: 1 GHz, min: -3.5}
  delay: {measure: gd(S21), band: [10 MHz, 500 MHz], max: 1.5 ns}
  balance: {measure: dB(S21) - dB(S11), band: [0.9 GHz, 1.1 GHz], min: -0.3}
"""


def series_l(frequency: np.ndarray, inductance: np.ndarray) -> np.ndarray:
    """S (n, F, 2, 2) of a series inductor between two 50-ohm ports."""
    z = 1j * 2 * np.pi * frequency[None, :] * np.asarray(inductance)[:, None]
    s = np.empty(z.shape + (2, 2), complex)
    s[..., 0, 0] = s[..., 1, 1] = z / (z + 100.0)
    s[..., 1, 0] = s[..., 0, 1] = 100.0 / (z + 100.0)
    return s


def meta(samples: int, seed: int | None = 7, text: str = NETLIST, **kw) -> ResultsMeta:
    return ResultsMeta(
        netlist_text=text, port_names=("in", "out"), port_z0=np.array([50.0, 50.0]), frequency=FREQ,
        parameter_paths=("L1", "R0"), samples=samples, seed=seed, precision="double",
        pmrf_version="0", jax_version="0", device="cpu", command="test", **kw,
    )


def write_sweep(path: Path, inductance: np.ndarray, chunk: int = 16, **kw) -> Path:
    n = inductance.size
    with SweepWriter.create(path, meta(n, **kw), chunk) as w:
        w.write(0, series_l(FREQ, inductance), {"L1": inductance, "R0": np.full(n, 50.0)})
    return path


def add_specs(path: Path, margins: dict[str, np.ndarray], units: dict[str, str], measures: dict[str, str]) -> None:
    """Margins, /pass and the yield attributes as SPECS.md lays them out."""
    with h5py.File(path, "r+") as f:
        g = f.create_group("specs")
        for name, m in margins.items():
            g.create_dataset(name, data=m)
            g[name].attrs["unit"] = units[name]
            g[name].attrs["measure"] = measures[name]
        ok = np.all([m >= 0 for m in margins.values()], axis=0)
        f.create_dataset("pass", data=ok)
        f.attrs["yield"] = ok.mean()
        f.attrs["yield_low"], f.attrs["yield_high"] = 0.1, 0.9
        label_dimensions(f)


@pytest.fixture(scope="session")
def files(tmp_path_factory) -> SimpleNamespace:
    d = tmp_path_factory.mktemp("plots")
    rng = np.random.default_rng(3)
    inductance = 5e-9 * (1 + 0.1 * rng.standard_normal(60))
    sweep = write_sweep(d / "sweep.h5", inductance)
    add_specs(sweep, {"loss": rng.normal(0.3, 0.2, 60), "delay": rng.normal(0.2e-9, 0.1e-9, 60)},
              {"loss": "dB", "delay": "s"}, {"loss": "dB(S21)", "delay": "gd(S21)"})
    plain = write_sweep(d / "plain.h5", inductance, text="name: plain\nports: [in, out]\n")
    points, per_point = np.linspace(4e-9, 6e-9, 5), 12
    grid_l = np.repeat(points, per_point) * (1 + 0.05 * rng.standard_normal(points.size * per_point))
    grid = write_sweep(d / "grid.h5", grid_l, grid={"L1": np.repeat(points, per_point)},
                       extra_attrs={"per_point": per_point, "vary": ["L1=4n:6n:5"]})
    with h5py.File(grid, "r+") as f:
        f.create_dataset("pass", data=grid_l < 5.2e-9)
    nos = write_sweep(d / "nos.h5", inductance)  # as `--store specs` keeps it: no /s
    add_specs(nos, {"loss": rng.normal(0.3, 0.2, 60)}, {"loss": "dB"}, {"loss": "dB(S21)"})
    with h5py.File(nos, "r+") as f:
        del f["s"]
    sim = d / "sim.h5"
    write_simulation(sim, meta(1, seed=None), series_l(FREQ, [5e-9])[0], {"L1": 5e-9, "R0": 50.0})
    ts = d / "part.s2p"
    ts.write_text(touchstone_text(FREQ, series_l(FREQ, [4e-9])[0], 50.0))
    return SimpleNamespace(dir=d, sweep=sweep, plain=plain, grid=grid, sim=sim, touchstone=ts, nos=nos,
                           inductance=inductance, grid_l=grid_l, points=points, per_point=per_point)


@pytest.fixture(autouse=True)
def _headless(monkeypatch):
    """No display: the command must write a file (or say to)."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


@pytest.fixture(scope="session")
def plot():
    from typer.testing import CliRunner

    from pmrf_cli.cli.app import app

    def run(*args):
        result = CliRunner().invoke(app, ["plot", *map(str, args)])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            import traceback

            exc = result.exception
            pytest.fail("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        return result

    return run
