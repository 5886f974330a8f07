"""Spec scoring against independent computations: numpy from S, closed forms, finite differences,
known Wilson intervals. Library-level (no CLI), small grids, few compilations."""

from __future__ import annotations

import math

import jax
import numpy as np
import pytest

from pmrf_cli.frequency import Frequency
from pmrf_cli.netlist import flatten, parse_netlist
from pmrf_cli.netlist.build import circuit_builder
from pmrf_cli.netlist.flatten import nominal_values
from pmrf_cli.specs.bind import bind_specs
from pmrf_cli.specs.score import sample_margins
from pmrf_cli.specs.yields import wilson_interval

C0 = 299_792_458.0

LC = """name: lc
frequency: {start: 100 MHz, stop: 2 GHz, points: 39}
parameters:
  L: 8 nH
  C: 3 pF
  Lim: -1
components:
  L1: {type: inductor, nodes: [in, n1], L: L}
  C1: {type: capacitor, nodes: [n1, gnd], C: C}
  L2: {type: inductor, nodes: [n1, out], L: L}
ports: [in, out]
specs:
  loss: {measure: dB(S21), band: [100 MHz, 600 MHz], min: Lim}
  match: {measure: dB(S11), band: [100 MHz, 600 MHz], max: -15}
  window: {measure: mag(S21), band: [1 GHz, 1.5 GHz], min: 0.2, max: 0.9}
  corner: {measure: dB(S21), at: 1.23 GHz, min: -6}
  ph: {measure: phase(S21), at: 500 MHz, min: -120, max: 0}
  ratio: {measure: "vswr(S11) + re(S21) - im(S(out,in))", band: [300 MHz, 400 MHz], max: 3}
  delay: {measure: gd(S21), band: [100 MHz, 1 GHz], max: 1 ns}
"""


def _margins(text: str, freq=None):
    flat = flatten(parse_netlist(text, "t.yaml"))
    f = flat.frequency_hz if freq is None else freq
    specs = bind_specs(flat, f)
    model = circuit_builder(flat)(nominal_values(flat))
    s = model.s(Frequency.from_values(f))
    return specs, np.asarray(jax.jit(lambda: sample_margins(specs, f)(model, s))()), np.asarray(s), f


def test_margins_equal_numpy_from_s():
    specs, m, s, f = _margins(LC)
    db = lambda x: 20 * np.log10(np.abs(x))  # noqa: E731
    band = lambda a, b: (f >= a) & (f <= b)  # noqa: E731
    expect = {}
    expect["loss"] = np.min(db(s[band(1e8, 6e8), 1, 0]) - (-1))
    expect["match"] = np.min(-15 - db(s[band(1e8, 6e8), 0, 0]))
    w = np.abs(s[band(1e9, 1.5e9), 1, 0])
    expect["window"] = np.min(np.minimum(w - 0.2, 0.9 - w))
    k = np.searchsorted(f, 1.23e9)
    t = (1.23e9 - f[k - 1]) / (f[k] - f[k - 1])
    expect["corner"] = (1 - t) * db(s[k - 1, 1, 0]) + t * db(s[k, 1, 0]) + 6
    p = np.degrees(np.angle(s[np.nonzero(f == 5e8)[0][0], 1, 0]))
    expect["ph"] = min(p + 120, 0 - p)
    sel = band(3e8, 4e8)
    g = np.abs(s[sel, 0, 0])
    val = (1 + g) / (1 - g) + s[sel, 1, 0].real - s[sel, 1, 0].imag
    expect["ratio"] = np.min(3 - val)
    for spec, got in zip(specs, m):
        if spec.name in expect:
            assert got == pytest.approx(expect[spec.name], rel=1e-12, abs=1e-12), spec.name


def test_group_delay_of_a_matched_line_is_its_length_over_the_speed():
    text = """frequency: {start: 0.5 GHz, stop: 3 GHz, points: 6}
components:
  T: {type: tline, nodes: [a, b], z0: 50 ohm, length: 37 mm, er: 2.2}
ports: [a, b]
specs:
  d: {measure: gd(S21), band: [0.5 GHz, 3 GHz], max: 0}
  e: {measure: gd(S21), at: 1.7 GHz, min: 0}
"""
    _, m, _, _ = _margins(text)
    tau = 0.037 * math.sqrt(2.2) / C0
    assert -m[0] == pytest.approx(tau, rel=1e-12)
    assert m[1] == pytest.approx(tau, rel=1e-12)


def test_group_delay_agrees_with_central_differences():
    """gd of an LC ladder at 700 MHz: forward-mode derivative vs -d(phase)/d(omega) on a fine grid."""
    f0, h = 7e8, 1e3
    flat = flatten(parse_netlist(LC.split("specs:")[0] + "specs:\n  g: {measure: gd(S21), at: 700 MHz, max: 0}\n", "t.yaml"))
    model = circuit_builder(flat)(nominal_values(flat))
    s = np.asarray(model.s(Frequency.from_values([f0 - h, f0 + h])))
    phase = np.unwrap(np.angle(s[:, 1, 0]))
    gd_fd = -(phase[1] - phase[0]) / (2 * np.pi * 2 * h)
    f = np.array([6e8, 7e8, 8e8])
    bound = bind_specs(flat, f)
    gd = -float(sample_margins(bound, f)(model, model.s(Frequency.from_values(f)))[0])
    assert gd == pytest.approx(gd_fd, rel=1e-6)


def test_nan_fails():
    from pmrf_cli.specs.score import margins

    _, _, s, f = _margins(LC)
    flat = flatten(parse_netlist(LC, "t.yaml"))
    specs = bind_specs(flat, f)
    bad = s.copy()
    bad[0, 1, 0] = np.nan
    m = np.asarray(margins(specs[:1], bad))
    assert np.isnan(m[0]) and not (m[0] >= 0)


@pytest.mark.parametrize(
    "k,n,low,high", [(5, 10, 0.236593, 0.763407), (0, 10, 0.0, 0.277533), (10, 10, 0.722467, 1.0)],
)
def test_wilson_interval_known_values(k, n, low, high):
    lo, hi = wilson_interval(k, n, 0.95)
    assert lo == pytest.approx(low, abs=2e-6) and hi == pytest.approx(high, abs=2e-6)


@pytest.mark.parametrize("k,n,conf", [(81, 263, 0.95), (3, 1000, 0.99), (997, 1000, 0.9)])
def test_wilson_interval_solves_its_quadratic(k, n, conf):
    """The ends are the roots p of (k/n - p)^2 = z^2 p (1 - p) / n."""
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + conf / 2)
    ph = k / n
    roots = np.sort(np.roots([1 + z * z / n, -(2 * ph + z * z / n), ph * ph]).real)
    assert wilson_interval(k, n, conf) == pytest.approx(tuple(roots), abs=1e-12)


def test_wilson_interval_other_confidence():
    lo90, hi90 = wilson_interval(30, 100, 0.90)
    lo99, hi99 = wilson_interval(30, 100, 0.99)
    assert lo99 < lo90 < 0.3 < hi90 < hi99
