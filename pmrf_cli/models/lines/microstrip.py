"""Microstrip line: Hammerstad-Jensen quasi-static model, Kirschning-Jansen dispersion, losses.

The formulas are those of scikit-rf's `MLine` defaults (model 'hammerstadjensen', disp
'kirschningjansen', ADS-like mode). The substrate is a frequency-invariant complex permittivity
er (1 - j tan delta) (scikit-rf's `diel='frequencyinvariant'`) or, with `dielectric=
"djordjevic-svensson"`, scikit-rf's default wideband Debye model (`lines.dielectric`): then the
complex eps(f) replaces er (1 - j tan delta) in every formula below, at each frequency, and
Re eps(f), tan delta(f) enter the dielectric loss, as scikit-rf does:

* quasi-static zc and eps_eff: E. Hammerstad and O. Jensen, "Accurate models for microstrip
  computer-aided design", IEEE MTT-S Symp. Dig., 1980, with their strip-thickness correction
  (du1 = t/pi ln(1 + 4e/t tanh^2 sqrt(6.517 u)), dur = du1 (1 + sech sqrt(er - 1))/2, all
  lengths normalised to h); the complex permittivity is carried through these formulas, which
  gives zc its small imaginary part;
* eps_eff(f): M. Kirschning and R. H. Jansen, Electron. Lett. 18(6), 1982 (fn in GHz mm);
* zc(f): R. H. Jansen and M. Kirschning, "power-current" formulation, AEU 37, 1983 (scikit-rf
  names it `kirsching_zl` and uses it with the 'kirschningjansen' dispersion);
* conductor loss, by Wheeler's incremental-inductance rule as in Qucs: alpha_c = Rs/(zc w) Ki Kr,
  Ki = exp(-1.2 (zc/eta0)^0.7), Kr = Hammerstad's roughness factor; only for t > 0 (as in
  scikit-rf, a zero-thickness strip carries no conductor loss);
* dielectric loss alpha_d = pi er/(er - 1) (eps_eff - 1)/sqrt(eps_eff) tan(delta) / lambda0.

gamma = alpha_c + alpha_d + j 2 pi f sqrt(Re eps_eff(f)) / c. Differences from scikit-rf: the
conductivity `sigma` replaces the resistivity `rho`, roughness defaults to 0 (scikit-rf: 0.15 um),
and f = 0 is allowed (dispersion vanishes there).

Complex exponentials and powers go through `lines.common.cexp` and `cpow`, whose cosines and
sines XLA computes once (its own complex `exp` and `**` recompute them in every fusion).
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli import vecmath
from pmrf_cli.models.base import as_array, freq_array
from pmrf_cli.models.lines.common import (
    ETA0,
    SIGMA_COPPER,
    cexp,
    clog,
    cpow,
    csqrt,
    once,
    positive_f,
    roughness_factor,
    surface_resistance,
)
from pmrf_cli.models.lines.dielectric import (
    F_ER,
    F_HIGH,
    F_LOW,
    FREQUENCY_INVARIANT,
    Wideband,
    check_dielectric,
    permittivity,
    wideband_of,
)
from pmrf_cli.models.tline import C0, TEMLine


def _cap(x, limit: float) -> Array:
    """min(x, limit) for real or complex x (complex: compared on the real part)."""
    return jnp.where(jnp.real(x) < limit, x, limit)


def _hj_z_air(u) -> Array:
    """Hammerstad-Jensen impedance of a microstrip of normalised width u in air."""
    fu = 6 + (2 * np.pi - 6) * cexp(-cpow(30.666 / u, 0.7528))
    return ETA0 / (2 * np.pi) * clog(fu / u + csqrt(1 + (2 / u) ** 2))


def _hj_eps(u, er) -> Array:
    """Hammerstad-Jensen effective permittivity of a zero-thickness strip."""
    a = 1 + clog((u**4 + (u / 52) ** 2) / (u**4 + 0.432)) / 49 + clog(1 + (u / 18.1) ** 3) / 18.7
    b = 0.564 * cpow((er - 0.9) / (er + 3), 0.053)
    return (er + 1) / 2 + (er - 1) / 2 * cpow(1 + 10 / u, -a * b)


def hammerstad_jensen(w, h, t, er) -> tuple[Array, Array, Array]:
    """Quasi-static (zc, eps_eff, ur) with the strip-thickness correction; ur = w_eff / h."""
    u = w / h
    on = t > 0
    tn = jnp.where(on, t / h, 1.0)
    du1 = jnp.where(on, tn / np.pi * jnp.log(1 + 4 * np.e / tn * jnp.tanh(jnp.sqrt(6.517 * u)) ** 2), 0.0)
    x = csqrt(er - 1)
    dur = du1 * (1 + 2 / (cexp(x) + cexp(-x))) / 2
    u1, ur = u + du1, u + dur
    zr, z1 = _hj_z_air(ur), _hj_z_air(u1)
    e = _hj_eps(ur, er)
    return zr / csqrt(e), e * (z1 / zr) ** 2, ur


class NormalisedFrequency:
    """fn = f h in GHz mm, with its real powers (fn / c)^a formed as f^a (per frequency, shared by
    every sample and section) times (h / c)^a (per sample): one product per point instead of a
    power. f = 0 is replaced by 1 Hz (`positive_f`); the callers select the static values there."""

    def __init__(self, f, h) -> None:
        self.f, self.h = positive_f(f) * 1e-9, h * 1e3
        self.value = self.f * self.h

    def pow(self, a: float, c: float = 1.0) -> Array:
        """(fn / c) ** a."""
        return self.f**a * (self.h / c) ** a


def kirschning_jansen_eps(u, fn: NormalisedFrequency, er, e0) -> Array:
    """Dispersive eps_eff(f) after Kirschning-Jansen (fn in GHz mm). Per-sample factors are
    formed first and computed once (`once`), then the per-point formula."""
    c1, k3, p2, de = once(
        0.27488 - 0.065683 * cexp(-8.7513 * u),
        0.0363 * cexp(-4.6 * u) * (1 + 2.751 * (1 - cexp(-((er / 15.916) ** 8)))),  # p3 / (1 - exp(-fn^4.97...)) * p4
        0.33622 * (1 - cexp(-0.03442 * er)),
        er - e0,
    )
    p1 = c1 + (0.6315 + 0.525 / (1 + 0.0157 * fn.value) ** 20) * u
    p34 = k3 * (1 - jnp.exp(-fn.pow(4.97, 38.7)))
    pf = p1 * p2 * cpow((0.1844 + p34) * fn.value, 1.5763)
    return er - de / (1 + pf)


def jansen_kirschning_z(u, fn: NormalisedFrequency, er, e0, ef, z0) -> Array:
    """Dispersive zc(f) after Jansen-Kirschning (power-current definition); fn in GHz mm.
    Per-sample factors are formed first and computed once (`once`), then the per-point
    formulas (the names follow the paper's R1..R17)."""
    r1 = _cap(0.03891 * cpow(er, 1.4), 20.0)
    r2 = _cap(0.2671 * u**7, 20.0)
    r3 = 4.766 * cexp(-3.228 * cpow(u, 0.641))
    r4 = 0.016 + cpow(0.0514 * er, 4.524)
    r6 = _cap(22.20 * cpow(u, 1.92), 20.0)
    r10 = 0.00044 * cpow(er, 2.136) + 0.0184
    r12 = 1 / (1 + 0.00245 * u**2)
    r7, k8, k9, k15, k16, k17 = once(
        1.206 - 0.3144 * cexp(-r1) * (1 - cexp(-r2)),
        0.004625 * r3 * cpow(er, 1.674),
        5.086 * r4 / (0.3838 + 0.386 * r4) * cexp(-r6) * (er - 1) ** 6 / (1 + 10 * (er - 1) ** 6),
        0.707 * r10,
        0.0503 * er**2 * (1 - cexp(-((u / 15) ** 6))),
        1.1241 * r12,
    )
    r5 = (fn.value / 28.843) ** 12
    r8 = 1 + 1.275 * (1 - cexp(-k8 * fn.pow(2.745, 18.365)))
    r9 = k9 * (r5 / (1 + 1.2992 * r5))
    r11 = (fn.value / 19.47) ** 6 / (1 + 0.0962 * (fn.value / 19.47) ** 6)
    r13 = 0.9408 * cpow(ef, r8) - 0.9603
    r14 = (0.9408 - r9) * cpow(e0, r8) - 0.9603
    r15 = k15 * fn.pow(1.097, 12.3)
    r16 = 1 + k16 * r11
    r17 = r7 * (1 - k17 / r16 * cexp(-0.026 * fn.pow(1.15656) - r15))
    return z0 * cpow(r13 / r14, r17)


def dielectric_loss(er, eeff, tand, f) -> Array:
    """alpha_d (Np/m) of a partly filled line: pi er/(er-1) (eeff-1)/sqrt(eeff) tan(delta) f/c
    (0 for an air substrate, er = 1, where the filling-factor ratio is 0/0)."""
    filled = er != 1
    ers = jnp.where(filled, er, 2.0)
    loss = np.pi * ers / (ers - 1) * (eeff - 1) / jnp.sqrt(eeff) * tand * f / C0
    return jnp.where(filled, loss, 0.0)


def microstrip_properties(w, h, t, er, tand, sigma, rough, f, band: Wideband | None = None) -> dict[str, Array]:
    """All intermediate results: quasi-static and dispersive zc / eps_eff, alpha_c, alpha_d
    (`band`: the frequencies of a Djordjevic-Svensson substrate; None: frequency-invariant)."""
    f = jnp.asarray(f)
    diel = permittivity(er, tand, f, band)
    erc = diel.complex
    z_qs, e_qs, ur = once(*hammerstad_jensen(w, h, t, erc))
    fn = NormalisedFrequency(f, h)
    e_f = kirschning_jansen_eps(ur, fn, erc, e_qs)
    z_f = jansen_kirschning_z(ur, fn, erc, e_qs, e_f, z_qs)
    dc = f > 0
    e_f, z_f = jnp.where(dc, e_f, e_qs), jnp.where(dc, z_f, z_qs)
    zr, er_re = jnp.real(z_f), jnp.real(e_f)
    ki = jnp.exp(-1.2 * jnp.exp(0.7 * vecmath.log(zr / ETA0)))  # (zr/eta0)^0.7: a log and an exp cost half a power
    rs = surface_resistance(f, sigma) * roughness_factor(f, sigma, rough)
    alpha_c = jnp.where(t > 0, rs / (zr * w) * ki, 0.0)
    alpha_d = dielectric_loss(diel.real, er_re, diel.tand, f)
    return dict(z_static=z_qs, eps_static=e_qs, zc=z_f, eps_eff=e_f, alpha_c=alpha_c, alpha_d=alpha_d)


def microstrip_zc_gamma(w, h, t, er, tand, sigma, rough, f, band: Wideband | None = None) -> tuple[Array, Array]:
    """(zc, gamma) of a microstrip line on the grid `f` (Hz)."""
    p = microstrip_properties(w, h, t, er, tand, sigma, rough, f, band)
    beta = 2 * np.pi * jnp.asarray(f) * jnp.sqrt(jnp.real(p["eps_eff"])) / C0
    return p["zc"], p["alpha_c"] + p["alpha_d"] + 1j * beta


class Microstrip(TEMLine):
    """Microstrip: strip width `w`, substrate height `h`, strip thickness `t` (m; 0 = thin
    strip, no conductor loss), substrate `er` and `tand`, conductivity `sigma` (S/m), rms
    roughness `rough` (m) and `length` (m); `dielectric` (static) "frequency-invariant" or
    "djordjevic-svensson" (er and tand given at `f_er`, relaxations from `f_low` to `f_high`, Hz).
    The thickness correction is Wheeler's thin-strip one: the netlist asks t < h and 2 t < w."""

    w: Array = eqx.field(converter=as_array)
    h: Array = eqx.field(converter=as_array)
    er: Array = eqx.field(converter=as_array)
    length: Array = eqx.field(converter=as_array)
    t: Array = eqx.field(default=0.0, converter=as_array)
    tand: Array = eqx.field(default=0.0, converter=as_array)
    sigma: Array = eqx.field(default=SIGMA_COPPER, converter=as_array)
    rough: Array = eqx.field(default=0.0, converter=as_array)
    dielectric: str = eqx.field(default=FREQUENCY_INVARIANT, static=True)
    f_er: Array = eqx.field(default=F_ER, converter=as_array)
    f_low: Array = eqx.field(default=F_LOW, converter=as_array)
    f_high: Array = eqx.field(default=F_HIGH, converter=as_array)

    def __check_init__(self):
        check_dielectric(self.dielectric)

    def properties(self, freq) -> dict[str, Array]:
        """zc, eps_eff (quasi-static and dispersive), alpha_c and alpha_d on the grid."""
        args = (self.w, self.h, self.t, self.er, self.tand, self.sigma, self.rough)
        return microstrip_properties(*args, freq_array(freq), wideband_of(self))

    def zc_gamma(self, freq) -> tuple[Array, Array]:
        """(zc, gamma) on the grid: impedance (ohm) and propagation (1/m)."""
        args = (self.w, self.h, self.t, self.er, self.tand, self.sigma, self.rough)
        return microstrip_zc_gamma(*args, freq_array(freq), wideband_of(self))

