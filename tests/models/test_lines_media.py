"""Line media: agreement with scikit-rf's media and with published formulas / examples,
reciprocity, passivity, gradients, and use inside a Circuit.

Everything runs eagerly on grids of the same 50 points, so the small per-operation kernels JAX
compiles on first use are shared by all tests.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special as sp
import skrf as rf
import skrf.media.cpw as skrf_cpw
from skrf.media import MLine, Coaxial, DefinedGammaZ0, DistributedCircuit

from pmrf_cli.circuit.circuit import Circuit
from pmrf_cli.models import CPW, Coax, CoupledLine, Microstrip, RLGCLine, Stripline, TransmissionLine
from pmrf_cli.models.lines.common import ETA0, ellip_ratio, ellipk, surface_resistance
from pmrf_cli.models.lines.microstrip import microstrip_zc_gamma
from pmrf_cli.models.lines.stripline import stripline_conductor_loss, wheeler_z_air
from tests.models.conftest import rel

FREQ = rf.Frequency(0.1, 40, 50, "GHz")
F = FREQ.f
F_DC = np.concatenate([[0.0], F[1:]])  # the same size, with DC
C0 = 299_792_458.0
TOL = 1e-9


def at(f0: float) -> np.ndarray:
    """The 50-point grid with its first point moved to f0 (read results at index 0)."""
    return np.concatenate([[f0], F[1:]])


# --- exact elliptic integrals ---------------------------------------------------------------


def test_elliptic_ratio_and_k_are_exact():
    k = np.array([1e-80, 1e-12, 1e-3, 0.1, 0.5, np.sqrt(0.5), 0.9, 0.99])
    assert rel(ellip_ratio(k), sp.ellipk(k**2) / sp.ellipkm1(k**2)) < 1e-13
    assert rel(ellipk(k), sp.ellipk(k**2)) < 1e-13
    assert rel(ellipk(np.sqrt(1 - k**2), k), sp.ellipkm1(k**2)) < 1e-13


# --- agreement with scikit-rf -----------------------------------------------------------------

MLINES = [  # w, h, t, er, tand, sigma, rough
    (3.0e-3, 1.55e-3, 35e-6, 4.4, 0.02, 5.8e7, 0.5e-6),
    (0.6e-3, 0.635e-3, 0.0, 9.8, 0.0, 4.1e7, 0.0),
    (0.15e-3, 0.2e-3, 5e-6, 3.0, 1e-3, 5.8e7, 0.0),
]


@pytest.mark.parametrize("w,h,t,er,tand,sigma,rough", MLINES)
def test_microstrip_matches_skrf_mline(w, h, t, er, tand, sigma, rough):
    ref = MLine(FREQ, w=w, h=h, t=t, ep_r=er, tand=tand, rho=1 / sigma, rough=rough, diel="frequencyinvariant")
    zc, gamma = Microstrip(w, h, er, 0.01, t=t, tand=tand, sigma=sigma, rough=rough).zc_gamma(F)
    assert rel(zc, ref.z0_characteristic) < TOL
    assert rel(gamma, ref.gamma) < TOL


CPWS = [  # w, s, h, t, er, tand, sigma
    (3.0e-3, 0.3e-3, 1.55e-3, 35e-6, 4.5, 0.02, 5.8e7),
    (40e-6, 20e-6, 0.5e-3, 0.0, 12.9, 0.0, 5.8e7),
    (1.6e-3, 0.3e-3, 1.55e-3, 17e-6, 3.5, 2e-3, 4.1e7),
]


@pytest.fixture
def skrf_cpw_exact(monkeypatch):
    """scikit-rf's CPW with its two elliptic-integral shortcuts replaced by the exact functions:
    K(k)/K(k') instead of Hilberg's approximation, and K of modulus k where it passes k to
    scipy's ellipk (whose argument is the parameter m = k^2)."""
    ellipk_m = sp.ellipk
    monkeypatch.setattr(skrf_cpw, "ellipa", lambda k: ellipk_m(k**2) / sp.ellipkm1(k**2))
    monkeypatch.setattr(sp, "ellipk", lambda k: ellipk_m(np.asarray(k) ** 2))
    return skrf_cpw.CPW


@pytest.mark.parametrize("backside", [False, True])
@pytest.mark.parametrize("w,s,h,t,er,tand,sigma", CPWS)
def test_cpw_matches_skrf_formulas(skrf_cpw_exact, w, s, h, t, er, tand, sigma, backside):
    ref = skrf_cpw_exact(
        FREQ, w=w, s=s, h=h, t=t, ep_r=er, tand=tand, rho=1 / sigma,
        has_metal_backside=backside, diel="frequencyinvariant",
    )
    zc, gamma = CPW(w, s, h, er, 0.01, t=t, tand=tand, sigma=sigma, backside=backside).zc_gamma(F)
    assert rel(zc, ref.z0_characteristic) < TOL
    assert rel(gamma, ref.gamma) < TOL


@pytest.mark.parametrize("backside", [False, True])
def test_cpw_vs_stock_skrf_within_hilberg_error(backside):
    w, s, h, t, er = 3.0e-3, 0.3e-3, 1.55e-3, 35e-6, 4.5
    ref = skrf_cpw.CPW(FREQ, w=w, s=s, h=h, t=t, ep_r=er, has_metal_backside=backside, diel="frequencyinvariant")
    zc, gamma = CPW(w, s, h, er, 0.01, t=t, sigma=1 / 1.68e-8, backside=backside).zc_gamma(F)
    assert rel(zc, ref.z0_characteristic) < 3e-6  # Hilberg's K(k)/K(k') is good to ~2 ppm
    assert rel(jnp.imag(gamma), np.imag(ref.gamma)) < 3e-6


def test_cpw_gap_alias():
    line = CPW(0.5e-3, 0.2e-3, 0.8e-3, 6.0, 0.02)
    assert float(line.with_params(s=0.3e-3).gap) == 0.3e-3


COAXES = [  # din, dout, er, tand, sigma
    (0.91e-3, 2.95e-3, 2.3, 2e-4, 5.8e7),
    (3.04e-3, 7.0e-3, 1.0, 0.0, 4.1e7),
    (0.3e-3, 1.0e-3, 2.1, 1e-3, 1.4e7),
]


@pytest.mark.parametrize("din,dout,er,tand,sigma", COAXES)
def test_coax_matches_skrf_coaxial(din, dout, er, tand, sigma):
    f = np.concatenate([[0.0, 1e2, 1e4, 1e6], F[4:]])  # DC and the skin-effect transition too
    ref = Coaxial(rf.Frequency.from_f(f, unit="Hz"), Dint=din, Dout=dout, epsilon_r=er, tan_delta=tand, sigma=sigma)
    line = Coax(din, dout, 0.1, er, tand, sigma)
    zc, gamma = line.zc_gamma(f)
    assert rel(gamma[1:], ref.gamma[1:]) < TOL and rel(zc[1:], ref.z0_characteristic[1:]) < TOL
    z, y = line.rlgc(f)
    assert rel(z, ref.Z) < TOL and rel(y[1:], ref.Y[1:]) < TOL  # Y'(DC) = 0


def test_coax_network_matches_skrf_line_and_is_finite_at_dc():
    din, dout, er, tand, sigma = COAXES[0]
    ref = Coaxial(rf.Frequency.from_f(F_DC, unit="Hz"), z0_port=50, Dint=din, Dout=dout, epsilon_r=er,
                  tan_delta=tand, sigma=sigma).line(0.25, "m")
    s = Coax(din, dout, 0.25, er, tand, sigma).s(F_DC)
    assert np.max(np.abs(s[1:] - ref.s[1:])) < TOL
    rdc = 0.25 / (np.pi * (din / 2) ** 2 * sigma)  # DC: a series resistor
    assert abs(s[0, 1, 0] - 100 / (100 + rdc)) < 1e-12


def test_rlgc_matches_skrf_distributed_circuit_and_line():
    R, L, G, C, length = 5.0, 300e-9, 1e-3, 110e-12, 0.07
    ref = DistributedCircuit(FREQ, R=R, L=L, G=G, C=C)
    line = RLGCLine(R, L, G, C, length)
    zc, gamma = line.zc_gamma(F)
    assert rel(zc, ref.z0_characteristic) < TOL and rel(gamma, ref.gamma) < TOL
    net = DefinedGammaZ0(FREQ, gamma=np.asarray(gamma), z0=np.asarray(zc), z0_port=50).line(length, "m")
    assert np.max(np.abs(line.s(F) - net.s)) < TOL


def test_microstrip_network_matches_skrf_line():
    w, h, t, er, tand, sigma, rough = MLINES[0]
    ref = MLine(FREQ, z0_port=50, w=w, h=h, t=t, ep_r=er, tand=tand, rho=1 / sigma, rough=rough,
                diel="frequencyinvariant").line(0.031, "m")
    s = Microstrip(w, h, er, 0.031, t=t, tand=tand, sigma=sigma, rough=rough).s(F)
    assert np.max(np.abs(s - ref.s)) < TOL


# --- published values -----------------------------------------------------------------------


def test_coax_impedance_formula():
    for din, dout, er in [(0.91e-3, 2.95e-3, 2.3), (3.04e-3, 7.0e-3, 1.0), (1e-3, 4.6e-3, 2.1)]:
        zc, gamma = Coax(din, dout, 1.0, er, sigma=np.inf).zc_gamma(F)
        exact = ETA0 / (2 * np.pi * np.sqrt(er)) * np.log(dout / din)
        assert rel(zc, exact) < 1e-12
        assert rel(zc, 60 / np.sqrt(er) * np.log(dout / din)) < 1e-3  # the textbook "60"
        assert rel(jnp.imag(gamma), 2 * np.pi * F * np.sqrt(er) / C0) < 1e-12
    # APC-7 air line: 3.04 / 7.00 mm is the 50-ohm standard
    assert abs(float(Coax(3.04e-3, 7.0e-3, 1.0, sigma=np.inf).zc_gamma(F)[0][0].real) - 50.0) < 0.05


def test_stripline_cohn_exact_at_zero_thickness():
    b = 3.2e-3
    for wb in [0.05, 0.3, 0.83, 2.0, 8.0]:
        k = 1 / np.cosh(np.pi * wb / 2)
        exact = ETA0 / 4 * sp.ellipk(k**2) / sp.ellipkm1(k**2)
        zc, _ = Stripline(wb * b, b, 2.2, 1.0, sigma=np.inf).zc_gamma(F)
        assert rel(zc, exact / np.sqrt(2.2)) < 1e-12


def test_stripline_pozar_example():
    """Pozar, Microwave Engineering, Example 3.5: b = 0.32 cm, er = 2.2, 50 ohm -> W = 0.266 cm;
    at 10 GHz with tan d = 0.001, t = 0.01 mm, copper: alpha_d = 0.155, alpha_c = 0.122 Np/m."""
    b, w, t, er = 3.2e-3, 2.66e-3, 0.01e-3, 2.2
    z_thin = float(Stripline(w, b, er, 1.0, sigma=np.inf).zc_gamma(F)[0][0].real)
    assert abs(z_thin - 50) < 0.5  # Pozar's design formula is good to ~1 %
    rs = surface_resistance(10e9, 5.813e7)
    assert abs(float(rs) - 0.026) < 0.0005
    assert abs(float(stripline_conductor_loss(w, b, t, er, 50.0, rs)) - 0.122) < 0.0005
    zc, gamma = Stripline(w, b, er, 1.0, t=t, tand=1e-3, sigma=5.813e7).zc_gamma(at(10e9))
    assert abs(2 * np.pi * 10e9 * np.sqrt(er) / C0 * 1e-3 / 2 - 0.155) < 0.0005
    assert abs(float(gamma[0].real) - 0.277) < 0.002  # 0.155 + 0.122 (our Z is 49.5 ohm, not 50)


def test_stripline_thickness_factor():
    b, w = 3.2e-3, 1.0e-3
    z = [float(Stripline(w, b, 1.0, 1.0, t=t, sigma=np.inf).zc_gamma(F)[0][0].real)
         for t in (0.0, 1e-9, 10e-6, 50e-6, 200e-6)]
    assert abs(z[1] - z[0]) < 1e-4 * z[0]  # continuous at t = 0
    assert all(a > c for a, c in zip(z, z[1:]))  # thicker strip, lower impedance
    assert rel(wheeler_z_air(w, b, 0.0), z[0]) < 5e-3  # Wheeler's formula is ~0.5 % from exact


def test_microstrip_published_values():
    def static(w, h, er):
        p = Microstrip(w, h, er, 1.0).properties(F)
        return float(jnp.real(p["z_static"])), float(jnp.real(p["eps_static"]))

    # Pozar, Example 3.7: er = 2.2, W/d = 3.081 gives 50 ohm and eps_eff = 1.87 (his eps_eff is
    # the older Hammerstad formula, 1.871; Hammerstad-Jensen 1980 gives 1.881).
    z, e = static(3.081e-3, 1e-3, 2.2)
    assert abs(z - 50.0) < 0.05 and abs(e - 1.87) < 0.015
    # 50 ohm on 1.6 mm FR-4 (er = 4.4) is the familiar 3.0 mm wide track (W/h = 1.9)
    z, e = static(3.04e-3, 1.6e-3, 4.4)
    assert abs(z - 50.0) < 0.5 and 3.2 < e < 3.45
    # 50 ohm on 25 mil alumina (er = 9.8) needs W/h of about 0.95-0.97
    z, e = static(0.62e-3, 0.635e-3, 9.8)
    assert abs(z - 50.0) < 0.5 and 6.5 < e < 6.65


def test_coupled_line_quarter_wave_coupler():
    """z0e z0o = z0^2 and 90 degrees: S11 = S41 = 0, |S31| = (z0e - z0o)/(z0e + z0o) (Pozar 7.6)."""
    c = 10 ** (-10 / 20)  # 10 dB coupler
    z0e, z0o = 50 * np.sqrt((1 + c) / (1 - c)), 50 * np.sqrt((1 - c) / (1 + c))
    s = CoupledLine(z0e, z0o, 90.0, 90.0, 1e9).s(at(1e9))[0]
    assert abs(s[0, 0]) < 1e-12 and abs(s[3, 0]) < 1e-12
    assert abs(abs(s[2, 0]) - c) < 1e-12 and abs(abs(s[1, 0]) - np.sqrt(1 - c**2)) < 1e-12
    assert abs(np.angle(s[1, 0] / s[2, 0]) + np.pi / 2) < 1e-12  # through lags coupled by 90 degrees


def test_coupled_line_uncoupled_limit_is_two_lines():
    s = CoupledLine(60.0, 60.0, 70.0, 70.0, 2e9).s(F)
    line = TransmissionLine.electrical_length(60.0, 70.0, 2e9).s(F)
    assert np.max(np.abs(s[:, :2, :2] - line)) < 1e-12 and np.max(np.abs(s[:, 2:, 2:] - line)) < 1e-12
    assert np.max(np.abs(s[:, :2, 2:])) < 1e-12


def test_coupled_line_matches_even_odd_superposition():
    """With equal references, S = [[Se + So, Se - So], [Se - So, Se + So]] / 2 over (line a | line b)."""
    z0e, z0o, te, to, f0 = 95.0, 32.0, 75.0, 88.0, 4e9
    se = TransmissionLine.electrical_length(z0e, te, f0, z0=40.0).s(F)
    so = TransmissionLine.electrical_length(z0o, to, f0, z0=40.0).s(F)
    s = CoupledLine(z0e, z0o, te, to, f0, z0=40.0).s(F)
    assert np.max(np.abs(s[:, :2, :2] - (se + so) / 2)) < 1e-12
    assert np.max(np.abs(s[:, :2, 2:] - (se - so) / 2)) < 1e-12
    assert np.max(np.abs(s[:, 2:, 2:] - (se + so) / 2)) < 1e-12


# --- reciprocity, passivity, DC -------------------------------------------------------------


def _random_lines(rng):
    u = lambda lo, hi: float(rng.uniform(lo, hi))  # noqa: E731
    for _ in range(2):
        yield Microstrip(u(0.1e-3, 3e-3), u(0.1e-3, 1.6e-3), u(2, 12), u(1e-3, 0.05),
                         t=u(0, 40e-6), tand=u(0, 0.03), sigma=u(1e7, 6e7), rough=u(0, 2e-6))
        yield CPW(u(20e-6, 2e-3), u(10e-6, 0.5e-3), u(0.2e-3, 1.6e-3), u(2, 13), u(1e-3, 0.05),
                  t=u(0, 30e-6), tand=u(0, 0.03), sigma=u(1e7, 6e7), backside=bool(rng.integers(2)))
        yield Stripline(u(0.1e-3, 3e-3), u(0.5e-3, 3e-3), u(1, 10), u(1e-3, 0.05),
                        t=u(1e-6, 50e-6), tand=u(0, 0.03), sigma=u(1e7, 6e7))
        yield Coax(u(0.2e-3, 1e-3), u(2e-3, 5e-3), u(0.5, 2), u(1, 3), tand=u(0, 0.01), sigma=u(1e7, 6e7),
                   rough=u(0, 2e-6))
        yield RLGCLine(u(0, 20), u(1e-7, 1e-6), u(0, 1e-2), u(5e-11, 2e-10), u(1e-3, 0.5))
        yield CoupledLine(u(50, 120), u(20, 50), u(10, 200), u(10, 200), u(1e9, 10e9), z0=u(20, 80))


def assert_reciprocal_passive(s, reciprocal=True):
    s = np.asarray(s)
    assert np.all(np.isfinite(s))
    if reciprocal:
        assert np.max(np.abs(s - np.swapaxes(s, -1, -2))) < 1e-12
    p = np.eye(s.shape[-1]) - np.conj(np.swapaxes(s, -1, -2)) @ s
    assert np.min(np.linalg.eigvalsh(p)) >= -1e-12


def test_lines_reciprocal_and_passive():
    for model in _random_lines(np.random.default_rng(5)):
        assert_reciprocal_passive(model.s(F_DC))  # DC included
        assert_reciprocal_passive(model.with_params(z0=37.0).s(F_DC))


# --- gradients --------------------------------------------------------------------------------

GRAD_CASES = [
    (Microstrip(1.2e-3, 0.8e-3, 4.4, 0.03, t=35e-6, tand=0.02, rough=0.4e-6), "w"),
    (CPW(0.5e-3, 0.2e-3, 0.8e-3, 6.0, 0.02, t=20e-6, tand=0.01, backside=True), "w"),
    (Stripline(1.0e-3, 2.0e-3, 3.0, 0.04, t=20e-6, tand=0.002), "w"),
    (Coax(0.5e-3, 2.0e-3, 0.2, 2.1, tand=1e-3), "din"),
    (RLGCLine(3.0, 3e-7, 1e-3, 1.1e-10, 0.1), "C"),
    (CoupledLine(90.0, 30.0, 80.0, 95.0, 5e9, z0=40.0), "z0o"),
]


@pytest.mark.parametrize("model,field", GRAD_CASES, ids=lambda x: x if isinstance(x, str) else type(x).__name__)
def test_gradient_matches_finite_differences(model, field):
    def loss(v):
        s = model.with_params(**{field: v}).s(F)
        return jnp.sum(jnp.abs(s[:, 1, 0]) ** 2 + 0.3 * jnp.abs(s[:, 0, 0]) ** 2)

    v0 = float(getattr(model, field))
    g = float(jax.grad(loss)(jnp.asarray(v0)))
    h = 1e-5 * v0
    fd = (float(loss(jnp.asarray(v0 + h))) - float(loss(jnp.asarray(v0 - h)))) / (2 * h)
    assert np.isfinite(g) and abs(g - fd) <= 1e-6 * abs(fd)


# --- inside a circuit -------------------------------------------------------------------------


def test_stepped_impedance_lowpass_circuit_matches_skrf_cascade():
    h, t, er, tand, sigma = 0.8e-3, 35e-6, 4.3, 0.015, 5.8e7
    sections = [(3.5e-3, 4.0e-3), (0.3e-3, 9.0e-3), (3.5e-3, 4.0e-3)]  # (w, length): low, high, low Z
    lines = [Microstrip(w, h, er, ln, t=t, tand=tand, sigma=sigma) for w, ln in sections]
    nodes = ["p1", "a", "b", "p2"]
    comps = [(f"TL{i}", m, [nodes[i], nodes[i + 1]]) for i, m in enumerate(lines)]
    nets = [MLine(FREQ, z0_port=50, w=w, h=h, t=t, ep_r=er, tand=tand, rho=1 / sigma, rough=0.0,
                  diel="frequencyinvariant").line(ln, "m") for w, ln in sections]
    ref = nets[0] ** nets[1] ** nets[2]
    for solver in ("auto", "sparse"):
        s = Circuit(comps, ports=["p1", "p2"], solver=solver).s(F)
        assert np.max(np.abs(s - ref.s)) < 1e-9
    s21 = np.abs(ref.s[:, 1, 0])
    assert s21[0] > 0.99 and s21[np.argmin(np.abs(F - 6e9))] < 0.5  # a low-pass (3 dB near 3.5 GHz)


def test_coupled_line_stamp_in_circuit_matches_s():
    ports = ["a1", "a2", "b1", "b2"]
    for z0 in (50.0, 30.0):
        cl = CoupledLine(80.0, 35.0, 85.0, 100.0, 3e9, z0=z0)
        s = Circuit([("CL", cl, ports)], ports=ports, z0=z0, solver="sparse").s(F)
        assert np.max(np.abs(s - cl.s(F))) < 1e-12


def test_line_functions_jit_and_vmap():
    """The pure (geometry, f) -> (zc, gamma) functions trace without Python branching on values."""
    fn = jax.jit(jax.vmap(lambda w: microstrip_zc_gamma(w, 0.8e-3, 35e-6, 4.4, 0.02, 5.8e7, 0.3e-6, F)))
    widths = np.array([0.4e-3, 1.2e-3, 2.5e-3])
    zc, gamma = fn(jnp.asarray(widths))
    for i, w in enumerate(widths):
        z1, g1 = Microstrip(w, 0.8e-3, 4.4, 1.0, t=35e-6, tand=0.02, sigma=5.8e7, rough=0.3e-6).zc_gamma(F)
        assert rel(zc[i], z1) < 1e-13 and rel(gamma[i], g1) < 1e-13
