"""What is drawn is what the file holds: percentile bands, Smith coordinates, masks, yield."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from matplotlib.figure import Figure

from pmrf_cli.plot.lines import draw_lines, line_data
from pmrf_cli.plot.masks import masks_from_netlist
from pmrf_cli.plot.measures import bands, db, group_delay, phase
from pmrf_cli.plot.smith import draw_smith, gamma_of_z, smith_data
from pmrf_cli.plot.source import evenly_spaced, open_source
from pmrf_cli.plot.yield_curve import wilson, yield_data

S21, S11 = (1, 0), (0, 0)


def stored(path, i, j):
    with h5py.File(path, "r") as f:
        return f["s"][:, :, i, j]


@pytest.mark.parametrize("kind,fn", [("db", db), ("phase", phase), ("gd", None)])
def test_envelope_is_numpy_percentiles_of_stored_s(files, kind, fn):
    source = open_source(files.sweep)
    data = line_data(source, kind, [S21, S11])
    for tc, (i, j) in zip(data.traces, [S21, S11]):
        s = stored(files.sweep, i, j)
        values = group_delay(s, source.frequency) if kind == "gd" else fn(s)
        q = np.percentile(values, [5, 25, 50, 75, 95], axis=0)
        b = tc.bands
        np.testing.assert_array_equal(np.array([b.p5, b.p25, b.median, b.p75, b.p95]), q)


def test_drawn_median_and_band_are_the_bands(files):
    source = open_source(files.sweep)
    data = line_data(source, "db", [S21])
    fig = Figure()
    (ax,) = draw_lines(fig, data)
    median = [line for line in ax.get_lines() if line.get_label() == "median"][0]
    np.testing.assert_array_equal(median.get_xdata(), source.frequency / 1e9)  # GHz
    np.testing.assert_array_equal(median.get_ydata(), data.traces[0].bands.median)
    outer = [c for c in ax.collections if c.get_label() == "5-95 %"][0]
    ys = outer.get_paths()[0].vertices[:, 1]
    assert np.isclose(ys.min(), data.traces[0].bands.p5.min()) and np.isclose(ys.max(), data.traces[0].bands.p95.max())
    assert ax.get_xlabel() == "frequency (GHz)" and ax.get_ylabel() == "S21 magnitude (dB)"


def test_group_delay_axis_in_engineering_units(files):
    data = line_data(open_source(files.sweep), "gd", [S21])
    (ax,) = draw_lines(Figure(), data)
    assert ax.get_ylabel() == "S21 group delay (ps)"  # ~16 ps for 5 nH into 100 ohm


def test_bands_leave_nan_samples_out():
    v = np.arange(20.0).reshape(10, 2)
    w = np.vstack([v, np.full((1, 2), np.nan)])
    np.testing.assert_array_equal(bands(w).median, bands(v).median)


def test_large_sweeps_use_an_evenly_spaced_subsample(files):
    source = open_source(files.sweep)
    data = line_data(source, "db", [S21], cap=7)
    idx = evenly_spaced(60, 7)
    assert idx.tolist() == [0, 8, 17, 25, 34, 42, 51]
    q = np.percentile(db(stored(files.sweep, 1, 0))[idx], 50, axis=0)
    np.testing.assert_array_equal(data.traces[0].bands.median, q)
    assert "percentiles over 7 of them" in data.note


def test_blocks_read_the_same_as_one_read(files, monkeypatch):
    from pmrf_cli.plot import source as src

    whole = line_data(open_source(files.sweep), "phase", [S21]).traces[0].bands
    monkeypatch.setattr(src, "BLOCK_BYTES", 1)  # one sample per read
    split = line_data(open_source(files.sweep), "phase", [S21]).traces[0].bands
    np.testing.assert_array_equal(whole.p95, split.p95)


def test_smith_points_are_the_reflection_coefficient(files):
    source = open_source(files.sim)
    data = smith_data(source, [S11])
    (ax,) = draw_smith(Figure(), data)
    line = [ln for ln in ax.get_lines() if ln.get_label() == "nominal"][0]
    gamma = source.s[:, 0, 0]
    np.testing.assert_allclose(line.get_xdata(), gamma.real, rtol=0, atol=0)
    np.testing.assert_allclose(line.get_ydata(), gamma.imag, rtol=0, atol=0)


def test_smith_cloud_is_every_sample_at_every_frequency(files):
    data = smith_data(open_source(files.sweep), [S11])
    (ax,) = draw_smith(Figure(), data)
    cloud = ax.collections[0].get_offsets()
    s = stored(files.sweep, 0, 0)
    np.testing.assert_array_equal(np.asarray(cloud), np.column_stack([s.real.ravel(), s.imag.ravel()]))


def test_smith_grid_circles_pass_through_their_impedances():
    # z = 1 + 1j lies on the r = 1 circle (centre 1/2, radius 1/2) and the x = 1 arc (centre 1 + 1j, radius 1)
    g = complex(gamma_of_z(np.array(1 + 1j)))
    assert np.isclose(abs(g - 0.5), 0.5) and np.isclose(abs(g - (1 + 1j)), 1.0)
    assert gamma_of_z(np.array(1.0)) == 0  # the matched load is the centre


def test_masks_from_the_netlist(files):
    masks = {m.name: m for m in masks_from_netlist(open_source(files.sweep).netlist_text, ("in", "out"))}
    assert set(masks) == {"loss", "match", "corner", "delay"}  # 'balance' is not a simple measure
    assert masks["loss"].kind == "db" and masks["loss"].trace == S21 and masks["loss"].band == (10e6, 800e6)
    assert masks["loss"].low == -1 and masks["loss"].high is None
    assert masks["match"].trace == S11 and masks["match"].high == -14
    assert masks["corner"].at == 1e9 and masks["corner"].band is None
    assert masks["delay"].kind == "gd" and masks["delay"].high == 1.5e-9


def test_masks_drawn_on_their_trace(files):
    source = open_source(files.sweep)
    masks = masks_from_netlist(source.netlist_text, source.port_names)
    ax21, ax11 = draw_lines(Figure(), line_data(source, "db", [S21, S11]), masks)
    texts21 = {t.get_text() for t in ax21.texts}
    assert texts21 == {"loss", "corner"} and {t.get_text() for t in ax11.texts} == {"match"}
    limit = [ln for ln in ax21.get_lines() if ln.get_xdata().tolist() == [0.01, 0.8]]
    assert limit and limit[0].get_ydata().tolist() == [-1.0, -1.0]


def test_wilson_interval_known_values():
    lo, hi = wilson(np.array([5, 0, 10]), np.array([10, 10, 10]))
    np.testing.assert_allclose(lo, [0.2366, 0.0, 0.7225], atol=1e-4)
    np.testing.assert_allclose(hi, [0.7634, 0.2775, 1.0], atol=1e-4)


def test_yield_per_grid_point(files):
    data = yield_data(open_source(files.grid), None)
    assert data.axis == "L1" and len(data.curves) == 1
    c = data.curves[0]
    np.testing.assert_array_equal(c.x, files.points)
    expect = (files.grid_l < 5.2e-9).reshape(5, files.per_point).mean(axis=1)
    np.testing.assert_array_equal(c.yield_, expect)
    lo, hi = wilson(expect * files.per_point, np.full(5, files.per_point))
    np.testing.assert_array_equal(c.low, lo)
    assert np.all(c.low <= c.yield_) and np.all(c.yield_ <= c.high)
