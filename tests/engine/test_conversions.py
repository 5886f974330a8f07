"""Network parameter conversions and renormalisation against scikit-rf, 1-4 ports."""

import numpy as np
import pytest
import skrf as rf
import skrf.network as skn

from pmrf_cli import conversions as cv
from pmrf_cli.models import Inductor, Renormalized, SParameterBlock, TransmissionLine

NF = 7


def _random_s(p, seed):
    rng = np.random.default_rng(seed)
    # generic (not passive, not reciprocal) matrices, away from the I +- S singularities
    return 0.4 * (rng.normal(size=(NF, p, p)) + 1j * rng.normal(size=(NF, p, p))) / np.sqrt(p)


def _z0s(p, seed):
    rng = np.random.default_rng(100 + seed)
    return [50.0, rng.uniform(10.0, 150.0, p)]


@pytest.mark.parametrize("p", [1, 2, 3, 4])
def test_s_z_y_against_skrf(p, check):
    s = _random_s(p, p)
    for z0 in _z0s(p, p):
        zref = np.broadcast_to(z0, (p,))
        z = np.asarray(cv.s2z(s, z0))
        y = np.asarray(cv.s2y(s, z0))
        check.close(z, skn.s2z(s, zref), atol=1e-9 * np.abs(z).max(), what="s2z")
        check.close(y, skn.s2y(s, zref), atol=1e-9 * np.abs(y).max(), what="s2y")
        check.close(cv.z2s(z, z0), s, atol=1e-12, what="z2s")
        check.close(cv.y2s(y, z0), s, atol=1e-12, what="y2s")
        check.close(cv.z2s(skn.s2z(s, zref), z0), s, atol=1e-12, what="z2s of skrf Z")
        check.close(cv.y2s(skn.s2y(s, zref), z0), s, atol=1e-12, what="y2s of skrf Y")
        # Z and Y are inverses
        check.close(z @ y, np.broadcast_to(np.eye(p), z.shape), atol=1e-10, what="Z Y = I")


@pytest.mark.parametrize("z0", [50.0, (50.0, 75.0), (12.5, 200.0)])
def test_abcd_against_skrf(z0, check):
    s = _random_s(2, 7)
    zref = np.broadcast_to(np.asarray(z0, float), (2,))
    a = np.asarray(cv.s2abcd(s, z0))
    check.close(a, skn.s2a(s, zref), atol=1e-9 * np.abs(a).max(), what="s2abcd")
    check.close(cv.abcd2s(a, z0), s, atol=1e-12, what="abcd2s")
    check.close(cv.abcd2s(skn.s2a(s, zref), z0), skn.a2s(skn.s2a(s, zref), zref), atol=1e-12, what="abcd2s vs skrf")


@pytest.mark.parametrize("p", [1, 2, 3, 4])
def test_renormalize_against_skrf(p, check):
    s = _random_s(p, 20 + p)
    rng = np.random.default_rng(p)
    cases = [(50.0, 75.0), (50.0, rng.uniform(10, 150, p)), (rng.uniform(10, 150, p), rng.uniform(10, 150, p))]
    for z_from, z_to in cases:
        zf, zt = np.broadcast_to(z_from, (p,)), np.broadcast_to(z_to, (p,))
        ref = skn.renormalize_s(s, zf, zt, s_def="power")
        got = np.asarray(cv.renormalize_s(s, z_from, z_to))
        check.close(got, ref, atol=1e-12, what="renormalize_s")
        check.close(cv.renormalize_s(got, z_to, z_from), s, atol=1e-12, what="renormalize back")
        # same as going through Z
        check.close(got, cv.z2s(cv.s2z(s, z_from), z_to), atol=1e-11, what="renormalize via Z")


def test_model_parameter_methods_and_renormalized_wrapper(check, band, band_sk):
    freq, fsk = band, band_sk
    nf = freq.npoints
    ind = Inductor(3e-9)
    check.close(ind.abcd(freq), rf.media.DefinedGammaZ0(fsk).inductor(3e-9).a, atol=1e-12, what="Model.abcd")
    # a lossy line has Z, Y and ABCD at every frequency
    line = TransmissionLine(35.0, 0.13, er=2.2, loss=3.0)
    gamma = 3.0 * np.log(10) / 20 + 1j * fsk.w * np.sqrt(2.2) / 299792458.0
    ref = rf.media.DefinedGammaZ0(fsk, z0_port=50.0, z0=35.0, gamma=gamma).line(0.13, "m")
    check.close(line.z(freq), ref.z, atol=1e-9 * np.abs(ref.z).max(), what="Model.z")
    check.close(line.y(freq), ref.y, atol=1e-9 * np.abs(ref.y).max(), what="Model.y")
    check.close(line.abcd(freq), ref.a, atol=1e-9 * np.abs(ref.a).max(), what="Model.abcd (line)")
    with pytest.raises(ValueError):
        SParameterBlock(freq.f, np.zeros((nf, 3, 3)), z0=50.0).abcd(freq)
    s = _random_s(3, 3)[0:1].repeat(nf, 0) * 0.5
    blk = SParameterBlock(freq.f, s, z0=50.0)
    check.close(blk.y(freq), skn.s2y(s, 50.0), atol=1e-12, what="Model.y")
    z_new = np.array([25.0, 75.0, 100.0])
    ren = Renormalized(blk, z0=z_new)
    ntw = rf.Network(frequency=fsk, s=s, z0=50.0)
    ntw.renormalize(z_new)
    check.close(ren.s(freq), ntw.s, atol=1e-12, what="Renormalized")
    check.close(blk.renormalized(z_new).s(freq), ntw.s, atol=1e-12, what="Model.renormalized")
    assert ren.nports == 3
