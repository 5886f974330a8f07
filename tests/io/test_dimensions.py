"""Named dimensions: xarray (h5netcdf) opens results files with sample/frequency/port axes."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from pmrf_cli.io import dimensions
from pmrf_cli.io.dimensions import label_dimensions
from pmrf_cli.io.results import ResultsMeta, SweepWriter, write_simulation

xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

FREQ = np.linspace(1e9, 2e9, 5)
PORTS = ("in", "out", "cpl")


def meta(samples=12, seed=3, **kw):
    return ResultsMeta(
        netlist_text="name: t\n", port_names=PORTS, port_z0=np.full(3, 50.0), frequency=FREQ,
        parameter_paths=("L1", "X1.C"), samples=samples, seed=seed, precision="double",
        pmrf_version="0", jax_version="0", device="cpu", command="test", **kw,
    )


def data(start, n):
    k = np.arange(start, start + n)[:, None, None, None]
    s = k + 1j * np.arange(FREQ.size)[None, :, None, None] + 10 * np.arange(3)[:, None] + 100 * np.arange(3)
    return s.astype(complex), {"L1": k.ravel() * 1.0, "X1.C": -k.ravel() * 1.0}


def sweep(path, n=12, chunk=5, stop=None, **kw):
    w = SweepWriter.create(path, meta(n, **kw), chunk)
    for a in range(0, n if stop is None else stop, chunk):
        s, p = data(a, min(chunk, n - a))
        w.write(a, s, p)
    w.close()
    return path


def test_sweep_opens_with_named_dimensions(tmp_path):
    path = sweep(tmp_path / "x.h5")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert ds["s"].dims == ("sample", "frequency", "to_port", "from_port")
        assert ds.sizes["sample"] == 12
        np.testing.assert_array_equal(ds["frequency"].values, FREQ)
        assert list(ds["to_port"].values) == list(PORTS) == list(ds["from_port"].values)
        s21 = ds["s"].sel(to_port="out", from_port="in").values
        with h5py.File(path, "r") as f:
            np.testing.assert_array_equal(s21, f["s"][:, :, 1, 0])  # S21 = s[..., 1, 0]
        assert ds["frequency"].attrs["units"] == "Hz"
    with xr.open_dataset(path, engine="h5netcdf", group="parameters") as p:
        assert p["L1"].dims == ("sample",) and p["X1.C"].dims == ("sample",)
        np.testing.assert_array_equal(p["L1"].values, np.arange(12.0))


def test_simulation_has_no_sample_dimension(tmp_path):
    path = tmp_path / "sim.h5"
    s, p = data(0, 1)
    write_simulation(path, meta(1, seed=None), s[0], {k: float(v[0]) for k, v in p.items()})
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert ds["s"].dims == ("frequency", "to_port", "from_port")
        assert "sample" not in ds.sizes
        assert complex(ds["s"].sel(to_port="cpl", from_port="out", frequency=2e9)) == s[0, -1, 2, 1]
    with h5py.File(path, "r") as f:
        assert "sample" not in f


def test_specs_grid_and_yield_datasets_are_labelled(tmp_path):
    n, pp = 12, 4
    path = sweep(tmp_path / "x.h5", grid={"L1": np.repeat([1.0, 2.0, 3.0], pp)})
    with h5py.File(path, "r+") as f:
        f.create_group("specs").create_dataset("loss", data=np.linspace(-1, 1, n))
        f.create_dataset("pass", data=np.linspace(-1, 1, n) >= 0)
        f.create_dataset("yield", data=np.array([0.0, 0.5, 1.0]))
        st = f.require_group("statistics")  # the sweep writer's, or made here
        if "db_mean" not in st:
            st.create_dataset("db_mean", data=np.zeros((FREQ.size, 3, 3)))
        label_dimensions(f)
        label_dimensions(f)  # twice is the same as once
        assert len(f["sample"].attrs["REFERENCE_LIST"]) == 6  # s, L1, X1.C, grid L1, loss, pass
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert ds["pass"].dims == ("sample",) and ds["yield"].dims == ("grid_point",)
    for group in ("specs", "grid"):
        with xr.open_dataset(path, engine="h5netcdf", group=group) as g:
            assert all(v.dims == ("sample",) for v in g.data_vars.values())
    with xr.open_dataset(path, engine="h5netcdf", group="statistics") as st:
        assert st["db_mean"].dims == ("frequency", "to_port", "from_port")
    with xr.open_datatree(path, engine="h5netcdf", phony_dims="sort") as tree:  # a group sees the root's coordinates
        assert tree["statistics"]["db_mean"].sel(to_port="cpl", from_port="in").dims == ("frequency",)


def test_interrupted_and_resumed_sweep_keeps_its_dimensions(tmp_path):
    ref = sweep(tmp_path / "ref.h5")
    path = sweep(tmp_path / "x.h5", stop=5)  # stopped after the first chunk
    with SweepWriter.resume(path, meta()) as w:
        for a in range(w.samples_done, 12, 5):
            s, p = data(a, min(5, 12 - a))
            w.write(a, s, p)
    with xr.open_dataset(path, engine="h5netcdf") as a, xr.open_dataset(ref, engine="h5netcdf") as b:
        assert a["s"].dims == b["s"].dims
        np.testing.assert_array_equal(a["s"].values, b["s"].values)


def test_scales_hold_no_sample_data(tmp_path):
    path = tmp_path / "x.h5"
    SweepWriter.create(path, meta(100000), 50000).close()
    with h5py.File(path, "r") as f:
        assert f["sample"].id.get_storage_size() == 0
        assert f["to_port"].dtype.kind == "S" and f["to_port"].attrs["_Encoding"] == "utf-8"


def test_sample_labels_stop_at_the_attribute_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(dimensions, "MAX_SAMPLE_LABELS", 2)
    path = sweep(tmp_path / "x.h5")
    with h5py.File(path, "r") as f:
        assert len(f["sample"].attrs["REFERENCE_LIST"]) == 2  # /s and the first parameter
        assert len(f["parameters"]["X1.C"].dims[0]) == 0
