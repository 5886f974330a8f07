"""The wideband Djordjevic-Svensson dielectric: the permittivity itself, every line medium that
takes it against scikit-rf (MLine, CPW, Coaxial) or against its own frequency-invariant form at
each frequency (stripline, coupled lines), traceability, and shared media in a circuit.

Grids are small and evaluated eagerly; the few jitted checks use one small shape each.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special as sp
import skrf as rf
import skrf.media.cpw as skrf_cpw
from skrf.media import MLine, Coaxial

from pmrf_cli.circuit import Circuit
from pmrf_cli.circuit.stages import _medium_key
from pmrf_cli.models import CPW, Coax, CoupledLine, DielectricCoupledLine, Microstrip, Stripline
from pmrf_cli.models.lines.dielectric import Wideband, djordjevic_svensson, permittivity
from tests.models.conftest import rel

FREQ = rf.Frequency(0.1, 40, 50, "GHz")  # test_lines_media's grid: eager kernels are shared
FP = FREQ.f  # scikit-rf's media need f > 0
F = np.concatenate([[0.0], FP[1:]])  # the same size, with DC
DS = "djordjevic-svensson"
TOL = 1e-8  # the issue's bound; agreement is ~6e-13 (scikit-rf's older CODATA constants)


BANDS = [(1e9, 1e3, 1e12), (5e9, 1e4, 1e11)]  # f_er, f_low, f_high


@pytest.mark.parametrize("f_er,f_low,f_high", BANDS)
def test_permittivity_matches_skrf_and_its_definition(f_er, f_low, f_high):
    er, tand = 4.4, 0.02
    ref = MLine(FREQ, w=1e-3, h=1e-3, ep_r=er, tand=tand, f_epr_tand=f_er, f_low=f_low, f_high=f_high)
    eps = djordjevic_svensson(er, tand, FP, Wideband(f_er, f_low, f_high))
    assert rel(eps, ref.ep_r_f) < 1e-14
    # exactly er (1 - j tand) at f_er; real (lossless) at DC; Re falls with f (Kramers-Kronig)
    at = djordjevic_svensson(er, tand, np.array([f_er, 0.0]), Wideband(f_er, f_low, f_high))
    assert abs(at[0] - er * (1 - 1j * tand)) < 1e-14 * er and at[1].imag == 0
    assert np.all(np.diff(np.real(eps)) < 0)
    # the frequency-invariant form is the plain complex permittivity, scalars as given
    p = permittivity(er, tand, FP)
    assert p.complex == er * (1 - 1j * tand) and p.real == er and p.tand == tand


MLINES = [  # w, h, t, er, tand, sigma, rough
    (3.0e-3, 1.55e-3, 35e-6, 4.4, 0.02, 5.8e7, 0.5e-6),
    (0.15e-3, 0.2e-3, 5e-6, 3.0, 1e-3, 4.1e7, 0.0),
]


@pytest.mark.parametrize("geometry,band", list(zip(MLINES, BANDS)))
def test_microstrip_matches_skrf_default_dielectric(geometry, band):
    (w, h, t, er, tand, sigma, rough), (f_er, f_low, f_high) = geometry, band
    ref = MLine(FREQ, w=w, h=h, t=t, ep_r=er, tand=tand, rho=1 / sigma, rough=rough,
                f_epr_tand=f_er, f_low=f_low, f_high=f_high)  # diel='djordjevicsvensson': the default
    line = Microstrip(w, h, er, 0.01, t=t, tand=tand, sigma=sigma, rough=rough, dielectric=DS,
                      f_er=f_er, f_low=f_low, f_high=f_high)
    zc, gamma = line.zc_gamma(FP)
    assert rel(zc, ref.z0_characteristic) < TOL
    assert rel(gamma, ref.gamma) < TOL
    s = line.s(F)  # the network too (50-ohm ports), and finite at DC
    sref = MLine(FREQ, z0_port=50, w=w, h=h, t=t, ep_r=er, tand=tand, rho=1 / sigma, rough=rough, f_epr_tand=f_er,
                 f_low=f_low, f_high=f_high).line(0.01, "m").s
    assert np.max(np.abs(np.asarray(s)[1:] - sref[1:])) < TOL and np.all(np.isfinite(s))


def test_microstrip_wideband_differs_from_frequency_invariant_as_the_issue_saw():
    # the issue: an FR-4 line compared with scikit-rf's default differed by 0.13 in S
    kw = dict(t=35e-6, tand=0.02)
    a = Microstrip(3e-3, 1.55e-3, 4.4, 0.3, **kw).s(FP)
    b = Microstrip(3e-3, 1.55e-3, 4.4, 0.3, dielectric=DS, **kw).s(FP)
    assert np.max(np.abs(a - b)) > 0.1


@pytest.fixture
def skrf_cpw_exact(monkeypatch):
    """scikit-rf's CPW with its elliptic-integral shortcuts replaced by the exact functions (as in
    test_lines_media: pmrf evaluates K(k)/K(k') exactly)."""
    ellipk_m = sp.ellipk
    monkeypatch.setattr(skrf_cpw, "ellipa", lambda k: ellipk_m(k**2) / sp.ellipkm1(k**2))
    monkeypatch.setattr(sp, "ellipk", lambda k: ellipk_m(np.asarray(k) ** 2))
    return skrf_cpw.CPW


@pytest.mark.parametrize("backside", [False, True])
def test_cpw_matches_skrf_default_dielectric(skrf_cpw_exact, backside):
    w, s, h, t, er, tand, sigma = 1.6e-3, 0.3e-3, 1.55e-3, 17e-6, 4.5, 0.018, 4.1e7
    ref = skrf_cpw_exact(FREQ, w=w, s=s, h=h, t=t, ep_r=er, tand=tand, rho=1 / sigma, has_metal_backside=backside,
                         f_epr_tand=2e9)
    zc, gamma = CPW(w, s, h, er, 0.01, t=t, tand=tand, sigma=sigma, backside=backside, dielectric=DS,
                    f_er=2e9).zc_gamma(FP)
    assert rel(zc, ref.z0_characteristic) < TOL
    assert rel(gamma, ref.gamma) < TOL


def test_coax_matches_skrf_coaxial_with_the_same_permittivity():
    # scikit-rf's Coaxial has no dielectric models; it takes a complex permittivity per frequency
    er, tand, band = 2.3, 2e-3, (3e9, 1e4, 1e11)
    eps = MLine(FREQ, ep_r=er, tand=tand, f_epr_tand=band[0], f_low=band[1], f_high=band[2]).ep_r_f
    ref = Coaxial(FREQ, Dint=0.91e-3, Dout=2.95e-3, dielectric={"ep_r": eps}, sigma=5.8e7)
    line = Coax(0.91e-3, 2.95e-3, 0.1, er, tand, 5.8e7, dielectric=DS, f_er=band[0], f_low=band[1], f_high=band[2])
    zc, gamma = line.zc_gamma(FP)
    assert rel(zc, ref.z0_characteristic) < TOL and rel(gamma, ref.gamma) < TOL


def _pointwise(model_of, er, tand, band):
    """(zc, gamma) of the frequency-invariant model with er = Re eps(f), tand = tan delta(f), one
    frequency at a time: what the wideband model must equal point by point."""
    p = permittivity(er, tand, FP, Wideband(*band))
    out = [model_of(float(r), float(t)).zc_gamma(np.array([f])) for f, r, t in zip(FP, p.real, p.tand)]
    return np.array([o[0][0] for o in out]), np.array([o[1][0] for o in out])


def test_stripline_is_the_invariant_model_at_each_frequencys_permittivity():
    band = (1e9, 1e3, 1e12)
    geo = dict(t=17e-6, sigma=5.8e7)
    zc, gamma = Stripline(1.2e-3, 3.2e-3, 4.4, 0.01, tand=0.02, dielectric=DS, **geo).zc_gamma(FP)
    zr, gr = _pointwise(lambda r, t: Stripline(1.2e-3, 3.2e-3, r, 0.01, tand=t, **geo), 4.4, 0.02, band)
    assert rel(zc, zr) < 1e-13 and rel(gamma, gr) < 1e-13


def test_coupled_line_modes_follow_the_dielectric():
    z0e, z0o, length, ere, ero = 70.0, 36.0, 20e-3, 3.3, 2.9
    # lossless: exactly the ideal physical pair
    ideal = CoupledLine.physical(z0e, z0o, length, ere, ero).s(F)
    assert np.max(np.abs(DielectricCoupledLine(z0e, z0o, length, ere, ero).s(F) - ideal)) < 1e-13
    # lossy and wideband: each mode is a TEM line of permittivity er_m d(f), impedance z0_m / sqrt(d)
    pair = DielectricCoupledLine(z0e, z0o, length, ere, ero, tand=0.02, dielectric=DS)
    d = permittivity(1.0, 0.02, FP, Wideband(1e9, 1e3, 1e12)).complex
    for (a, b, c), z, er in zip(pair.modes(FP), (z0e, z0o), (ere, ero)):
        gl = 2j * np.pi * FP * np.sqrt(er * d) / 299_792_458.0 * length
        zc = z / np.sqrt(d)
        assert rel(a, np.cosh(gl)) < 1e-12 and rel(b, zc * np.sinh(gl)) < 1e-12 and rel(c, np.sinh(gl) / zc) < 1e-12
    s = np.asarray(pair.s(FP))
    assert np.allclose(s, np.swapaxes(s, -1, -2), atol=1e-13)  # reciprocal
    assert np.max(np.linalg.svd(s, compute_uv=False)) <= 1 + 1e-12  # passive
    assert np.max(np.linalg.svd(s[-1], compute_uv=False)) < 0.99  # and lossy at 40 GHz


def test_wideband_lines_jit_vmap_and_grad():
    f = jnp.asarray(FP[::4])

    def loss(tand, f_er):
        line = Microstrip(1e-3, 0.8e-3, 4.4, 0.05, t=35e-6, tand=tand, dielectric=DS, f_er=f_er)
        return jnp.sum(jnp.abs(line.s(f)[:, 1, 0]))

    # one compiled program: values and gradients of five samples
    h = 1e-6
    tand = jnp.array([0.02, 0.02 + h, 0.02 - h, 0.02, 0.02])
    f_er = jnp.array([1e9, 1e9, 1e9, 1e8, 1e10])
    value, grad = jax.jit(jax.vmap(jax.value_and_grad(loss)))(tand, f_er)
    fd = (value[1] - value[2]) / (2 * h)
    assert abs(grad[0] - fd) < 1e-6 * abs(fd) and grad[0] < 0  # more loss tangent, less transmission
    assert np.all(np.isfinite(value)) and len({float(value[i]) for i in (0, 3, 4)}) == 3  # f_er matters


def test_wideband_lines_of_one_medium_share_it():
    # the staging contract: a line is chain_of(medium(freq), length); a static dielectric choice
    # and equal fields keep two sections in one medium
    a = Microstrip(1e-3, 0.8e-3, 4.4, 0.01, tand=0.02, dielectric=DS)
    b = a.with_params(length=0.02)
    c = Microstrip(1e-3, 0.8e-3, 4.4, 0.01, tand=0.02)
    assert _medium_key(a, "chain") == _medium_key(b, "chain") != _medium_key(c, "chain")
    circuit = Circuit([("A", a, ("p1", "m")), ("B", b, ("m", "p2"))], ports=("p1", "p2"))
    joined = Microstrip(1e-3, 0.8e-3, 4.4, 0.03, tand=0.02, dielectric=DS)
    assert np.max(np.abs(circuit.s(FP[::4]) - joined.s(FP[::4]))) < 1e-12


def test_unknown_dielectric_is_refused():
    with pytest.raises(ValueError, match="unknown dielectric"):
        Coax(1e-3, 3e-3, 0.1, dielectric="debye")
