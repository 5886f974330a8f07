"""S-parameter blocks: interpolation, range checks, and a 64-port block inside a circuit whose
compile time stays flat in the port count."""

import time

import equinox as eqx
import numpy as np
import pytest
import skrf as rf

import pmrf_cli as prf
from pmrf_cli.circuit import Circuit
from pmrf_cli.models import Resistor, SParameterBlock


@pytest.fixture(scope="module")
def coarse_block(oracle):
    """A 3-port block on a coarse 23-point grid covering the band."""
    fd = np.linspace(5e6, 3.1e9, 23)
    sd = oracle.random_passive(np.random.default_rng(8), fd.size, 3, reciprocal=False)
    return fd, sd


def test_block_exact_at_data_points(coarse_block, check):
    fd, sd = coarse_block
    blk = SParameterBlock(fd, sd, z0=[50.0, 75.0, 25.0])
    assert blk.nports == 3
    check.close(blk.s(prf.Frequency.from_values(fd)), sd, atol=0.0, what="at data points")
    np.testing.assert_array_equal(np.asarray(blk.port_z0()), [50.0, 75.0, 25.0])


def test_block_interpolation_matches_skrf(coarse_block, check, band, band_sk):
    fd, sd = coarse_block
    blk = SParameterBlock(fd, sd, z0=50.0)
    ntw = rf.Network(frequency=rf.Frequency.from_f(fd, unit="Hz"), s=sd, z0=50.0)
    ref = ntw.interpolate(band_sk, kind="linear")
    check.close(blk.s(band), ref.s, atol=1e-13, what="linear re/im interpolation")


def test_block_outside_its_data_is_an_error(coarse_block):
    fd, sd = coarse_block
    blk = SParameterBlock(fd, sd)
    with pytest.raises(ValueError, match="outside"):
        blk.s(prf.Frequency(1, 4, 11, "GHz"))
    with pytest.raises(Exception):
        eqx.filter_jit(lambda m, f: m.s(f))(blk, np.array([1e9, 4e9])).block_until_ready()


# --- a 64-port block in a circuit ---------------------------------------------------------------------
def _block_circuit(p, oracle, fd, seed):
    rng = np.random.default_rng(seed)
    sd = oracle.random_passive(rng, fd.size, p)
    r = rng.uniform(20.0, 200.0, p)
    comps = [("B", SParameterBlock(fd, sd, z0=50.0), tuple(f"n{k}" for k in range(p)))]
    comps += [(f"R{k}", Resistor(r[k]), (f"n{k}", "gnd")) for k in range(p)]
    return Circuit(comps, ports=["n0", "n1"]), sd, r


def _numpy_reference(fd, sd, r, f, z0=50.0):
    """Interpolate (re/im, linear), add the shunt conductances, reduce to the two port nodes."""
    w = np.interp(f, fd, np.arange(fd.size))
    i0 = np.minimum(np.floor(w).astype(int), fd.size - 2)
    t = (w - i0)[:, None, None]
    s = sd[i0] * (1 - t) + sd[i0 + 1] * t
    p = s.shape[-1]
    eye = np.eye(p)
    y = np.linalg.solve((eye + s).transpose(0, 2, 1), (eye - s).transpose(0, 2, 1)).transpose(0, 2, 1) / z0
    y = y + np.diag(1.0 / r)
    z = np.linalg.inv(y)[:, :2, :2] / z0  # normalised
    e2 = np.eye(2)
    return np.linalg.solve((z + e2).transpose(0, 2, 1), (z - e2).transpose(0, 2, 1)).transpose(0, 2, 1)


def test_64_port_block_in_circuit_compiles_flat(oracle, check):
    """Every port node has a shunt resistor; ports 1 and 2 are external, the others terminated by
    their resistors. Times jit compile + first evaluation (a 21-point grid: the point is the
    compile; the dense LU of the 192-unknown system costs ~20 ms per frequency point on CPU)."""
    freq = prf.Frequency(10, 3000, 21, "MHz")
    fd = np.linspace(5e6, 3.1e9, 11)
    times = {}
    for p in (8, 32, 64):
        c, sd, r = _block_circuit(p, oracle, fd, seed=p)
        t0 = time.perf_counter()
        s = eqx.filter_jit(lambda m: m.s(freq))(c)
        s = np.asarray(s.block_until_ready())
        times[p] = time.perf_counter() - t0
        check.close(s, _numpy_reference(fd, sd, r, freq.f), atol=1e-10, what=f"{p}-port block circuit")
        check.reciprocal(s)
        check.passive(s)
    print("compile + first evaluation (s):", {k: round(v, 2) for k, v in times.items()})
    # generous bounds only: the point is that nothing grows with the port count
    assert times[64] < 30.0, times
    assert max(times.values()) < 30.0, times
