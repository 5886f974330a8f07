"""The component-library examples from the command line: each matches the same circuit built
directly from `pmrf_cli.models` and `Circuit` (values copied from the files by hand, on purpose),
the microstrip low-pass matches scikit-rf's `MLine` sections cascaded, and a sweep varies the
substrate."""

from __future__ import annotations

import warnings

import h5py
import numpy as np
import pytest

from pmrf_cli.circuit import Circuit
from pmrf_cli.models import (
    CPW,
    VCCS,
    Attenuator,
    CapacitorQ,
    Capacitor,
    Coax,
    CoupledLine,
    InductorQ,
    Isolator,
    Microstrip,
    Resistor,
    RLGCLine,
    Stripline,
)

EXACT = 1e-12

# --- microstrip_lpf.yaml --------------------------------------------------------------------------
MS_SUBSTRATE = dict(h=0.8e-3, t=35e-6, er=4.4, tand=0.02, sigma=5.8e7)
MS_SECTIONS = [(5.5e-3, 4.1e-3), (0.3e-3, 14.9e-3), (5.5e-3, 13.2e-3), (0.3e-3, 14.9e-3), (5.5e-3, 4.1e-3)]


def microstrip_lpf(er=4.4, h=0.8e-3):
    sub = dict(MS_SUBSTRATE, er=er, h=h)
    nodes = ["in", "n1", "n2", "n3", "n4", "out"]
    parts = [
        (f"TL{k + 1}", Microstrip(w, sub["h"], sub["er"], ln, t=sub["t"], tand=sub["tand"], sigma=sub["sigma"]),
         [nodes[k], nodes[k + 1]])
        for k, (w, ln) in enumerate(MS_SECTIONS)
    ]
    return Circuit(parts, ports=["in", "out"])


# --- coupled_bpf.yaml -----------------------------------------------------------------------------
def coupled_bpf(coc=0.0):
    f0 = 2e9
    zs = [(70.61, 39.24), (56.64, 44.77), (56.64, 44.77), (70.61, 39.24)]
    ends = ["in", "n1", "n2", "n3", "out"]
    parts = []
    for k, (ze, zo) in enumerate(zs):
        oa, ob = f"oa{k}", f"ob{k}"
        parts += [
            (f"K{k}", CoupledLine(ze, zo, 90.0, 90.0, f0), [ends[k], oa, ob, ends[k + 1]]),
            (f"Ca{k}", Capacitor(coc), [oa, "gnd"]),
            (f"Cb{k}", Capacitor(coc), [ob, "gnd"]),
        ]
    return Circuit(parts, ports=["in", "out"])


# --- lossy_parts.yaml -----------------------------------------------------------------------------
def lossy_parts():
    parts = [
        ("Cable", Coax(0.91e-3, 2.95e-3, 0.15, er=2.1, tand=2e-4, sigma=5.8e7), ["in", "n1"]),
        ("Iso", Isolator(0.4, 22.0), ["n1", "n2"]),
        ("Pad", Attenuator(3.0), ["n2", "n3"]),
        ("Inner", Stripline(1.1e-3, 1.5e-3, 3.0, 20e-3, t=18e-6, tand=0.002), ["n3", "n4"]),
        ("LG", InductorQ(8e-9, 35.0, fq=1e9, qmode="sqrt"), ["n4", "g"]),
        ("RB", Resistor(100.0), ["g", "gnd"]),
        ("CGS", CapacitorQ(0.8e-12, 80.0), ["g", "gnd"]),
        ("FET", VCCS(60e-3, 6e-12), ["g", "gnd", "d", "gnd"]),
        ("RDS", Resistor(250.0), ["d", "gnd"]),
        ("CDS", CapacitorQ(0.25e-12, 80.0, qmode="constant"), ["d", "gnd"]),
        ("Feed", RLGCLine(8.0, 420e-9, 0.0, 105e-12, 6e-3), ["d", "o1"]),
        ("Cblk", CapacitorQ(8e-12, 120.0, fq=1e9), ["o1", "o2"]),
        ("Out", CPW(1.0e-3, 0.25e-3, 0.5e-3, 3.55, 12e-3, t=35e-6, tand=0.0027, backside=True), ["o2", "out"]),
    ]
    return Circuit(parts, ports=["in", "out"])


DIRECT = {"microstrip_lpf": microstrip_lpf, "coupled_bpf": coupled_bpf, "lossy_parts": lossy_parts}


@pytest.fixture(scope="module")
def simulated(cli, paths, tmp_path_factory):
    """`simulated(name)`: (frequency, S, port z0) of `pmrf simulate examples/NAME.yaml`, run once per module."""
    cache = {}

    def get(name):
        if name not in cache:
            out = tmp_path_factory.mktemp(name) / "r.h5"
            res = cli("simulate", paths.examples / f"{name}.yaml", "-o", out)
            assert res.exit_code == 0, res.stderr
            with h5py.File(out, "r") as h:
                cache[name] = (h["frequency"][()], h["s"][()], h.attrs["port_z0"])
        return cache[name]

    return get


@pytest.mark.parametrize("name", list(DIRECT))
def test_example_matches_the_direct_circuit(name, simulated, check):
    f, s, z0 = simulated(name)
    assert s.shape == (f.size, 2, 2) and s.dtype == np.complex128
    check.close(z0, [50.0, 50.0], atol=0, what=f"{name}: port z0")
    check.close(s, np.asarray(DIRECT[name]().s(f)), atol=EXACT, what=f"{name} vs models + Circuit")


def test_microstrip_lpf_matches_skrf_mline_cascade(simulated, check):
    import skrf
    from skrf.media import MLine

    f, s, _ = simulated("microstrip_lpf")
    freq = skrf.Frequency.from_f(f, unit="Hz")
    sub = MS_SUBSTRATE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-rf's skin-depth warnings
        nets = [
            MLine(freq, z0_port=50, w=w, h=sub["h"], t=sub["t"], ep_r=sub["er"], tand=sub["tand"],
                  rho=1 / sub["sigma"], rough=0.0, diel="frequencyinvariant").line(ln, "m")
            for w, ln in MS_SECTIONS
        ]
    ref = nets[0]
    for n in nets[1:]:
        ref = ref ** n
    check.close(s, ref.s, atol=1e-9, what="microstrip_lpf vs scikit-rf MLine cascade")
    s21 = np.abs(s[:, 1, 0])
    at = lambda x: s21[np.argmin(np.abs(f - x))]  # noqa: E731
    assert at(10e6) > 0.99 and 0.5 < at(1.5e9) < 0.8 and at(3e9) < 0.1  # a low-pass, 3 dB near 1.5 GHz


def test_coupled_bpf_is_the_designed_band_pass(simulated):
    f, s, _ = simulated("coupled_bpf")
    db = 20 * np.log10(np.abs(s[:, 1, 0]))
    at = lambda x: db[np.argmin(np.abs(f - x))]  # noqa: E731
    assert at(2e9) > -1e-9  # lossless, odd order: 0 dB at the centre
    assert -0.6 < at(1.9e9) < -0.4 and -0.6 < at(2.1e9) < -0.4  # 0.5 dB ripple band edges
    assert at(1.5e9) < -40 and at(2.5e9) < -40


def test_lossy_parts_is_an_amplifier(simulated):
    f, s, _ = simulated("lossy_parts")
    gain = 20 * np.log10(np.abs(s[:, 1, 0]))
    assert gain.max() > 5 and np.all(np.abs(s[:, 0, 1]) < 1e-10)  # gain forward, nothing back (ideal VCCS)
    assert np.all(np.abs(s[:, 0, 0]) < 0.1)  # the isolator matches the input


def test_coupled_bpf_open_end_capacitance_from_the_command_line(paths, simulate_h5, check):
    r = simulate_h5(paths.examples / "coupled_bpf.yaml", "--set", "Coc=0.05p", "--freq", "1.8GHz:2.2GHz:9")
    check.close(r.s, np.asarray(coupled_bpf(0.05e-12).s(r.f)), atol=EXACT, what="coupled_bpf with Coc")
    nominal = np.asarray(coupled_bpf().s(r.f))
    assert np.max(np.abs(r.s - nominal)) > 1e-2  # the end effect detunes the filter


def test_microstrip_lpf_sweep_varies_the_substrate(paths, cli, tmp_path, check):
    out = tmp_path / "sweep.h5"
    res = cli("sweep", paths.examples / "microstrip_lpf.yaml", "-o", out, "--batch", 8, "--freq", "1GHz:3GHz:5", "-q")
    assert res.exit_code == 0, res.stderr
    with h5py.File(out, "r") as h:
        f, s = h["frequency"][()], h["s"][()]
        er, hh = h["parameters"]["er"][()], h["parameters"]["h"][()]
        w = h["parameters"]["Wlo"][()]
    assert s.shape == (8, 5, 2, 2)
    assert np.all(np.isfinite(s))
    assert np.all(np.abs(er / 4.4 - 1) <= 0.05) and np.all(np.abs(hh / 0.8e-3 - 1) <= 0.05)
    assert np.unique(er).size == 8 and np.unique(hh).size == 8 and np.all(w == 5.5e-3)
    assert np.ptp(np.abs(s[:, -1, 1, 0])) > 1e-3  # the response moves with the substrate
    check.close(s[5], np.asarray(microstrip_lpf(er[5], hh[5]).s(f)), atol=EXACT, what="sample 5 vs models")
