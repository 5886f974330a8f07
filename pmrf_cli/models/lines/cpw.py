"""Coplanar waveguide (centre strip w, gaps s (field `gap`), substrate height h), optionally with a
metal backside (grounded CPW).

The formulas are those of scikit-rf's `CPW` (default, ADS-like mode) with a frequency-invariant
complex permittivity er (1 - j tan delta) (scikit-rf's `diel='frequencyinvariant'`) or, with
`dielectric="djordjevic-svensson"`, the wideband eps(f) of `lines.dielectric` in its place at
every frequency (scikit-rf's default `diel='djordjevicsvensson'`, used the same way):

* quasi-static, conformal mapping: G. Ghione and C. Naldi, Electron. Lett. 20(4), 1984 (air
  backside: k1 = w/(w+2s), k2 = sinh(pi w/4h)/sinh(pi (w+2s)/4h), eps = 1 + (er-1)/2 K(k2)K(k1')/
  (K(k2')K(k1)), zc = eta0/(4 sqrt(eps)) K(k1')/K(k1)) and Electron. Lett. 19(18), 1983 (metal
  backside: k3 = tanh(pi w/4h)/tanh(pi (w+2s)/4h));
* strip thickness: Gupta, Garg, Bahl, Bhartia, "Microstrip Lines and Slotlines", 2nd ed., eqs.
  7.98-7.100 (effective k and eps);
* dispersion: Frankel et al., IEEE MTT-39(6), 1991 with the G factor of Gevorgian et al., IEE
  Proc. MAP 144(2), 1997;
* conductor loss (t > 0 only, as in scikit-rf): G. Ghione, IEEE MTT-41(9), 1993, times
  Hammerstad's roughness factor (an addition: scikit-rf has no CPW roughness);
* dielectric loss as for microstrip.

Deviations from scikit-rf, both in favour of the published formulas: K(k)/K(k') is exact (an
AGM iteration) where scikit-rf uses Hilberg's approximation (error up to ~2 ppm); and in the
conductor loss K(k1), K(k1') are integrals of modulus k1, k1' as in Ghione's paper, where
scikit-rf passes the modulus to `scipy.special.ellipk`, whose argument is the parameter m = k^2.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli.formulas import cpw_thickness_widening
from pmrf_cli.models.base import as_array, freq_array
from pmrf_cli.models.lines.common import (
    ETA0,
    SIGMA_COPPER,
    complement,
    cpow,
    csqrt,
    ellip_ratio,
    ellipk,
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
from pmrf_cli.models.lines.microstrip import dielectric_loss
from pmrf_cli.models.tline import C0, TEMLine


def cpw_quasi_static(w, s, h, t, er, backside: bool) -> tuple[Array, Array]:
    """Quasi-static (zc, eps_eff) of a CPW; `backside` (static) selects a metal-backed substrate."""
    a, b = w, w + 2 * s
    k1 = a / b
    q1 = ellip_ratio(k1)
    if backside:
        q3 = ellip_ratio(jnp.tanh(np.pi * a / (4 * h)) / jnp.tanh(np.pi * b / (4 * h)))
        e = 1 + q3 / (q1 + q3) * (er - 1)
    else:
        q2 = ellip_ratio(jnp.sinh(np.pi * a / (4 * h)) / jnp.sinh(np.pi * b / (4 * h)))
        e = 1 + (er - 1) / 2 * q2 / q1
    d = cpw_thickness_widening(w, t, jnp)
    qe = ellip_ratio(k1 + (1 - k1 * k1) * d / (2 * s))
    zr = ETA0 / 2 / (qe + q3) if backside else ETA0 / 4 / qe
    e = e - (0.7 * (e - 1) * t / s) / (q1 + 0.7 * t / s)
    return zr / csqrt(e), e


def cpw_dispersion(z0, e0, er, w, s, h, f) -> tuple[Array, Array]:
    """(zc(f), eps_eff(f)) after Frankel / Gevorgian; equal to the quasi-static values at f = 0."""
    fte = C0 / 4 / (h * csqrt(er - 1))  # TE0 surface-wave cut-off
    p = jnp.log(w / h)
    u = 0.54 - (0.64 - 0.015 * p) * p
    v = 0.43 - (0.86 - 0.54 * p) * p
    g = jnp.exp(u * jnp.log(w / s) + v)
    x = jnp.where(f > 0, positive_f(f) ** 1.8 * cpow(fte, -1.8), 0.0)  # f**1.8 per point, shared
    sq0 = csqrt(e0)
    sq = sq0 + (csqrt(er) - sq0) * x / (x + g)
    return z0 * sq0 / sq, sq**2


def cpw_conductor_loss(w, s, t, eeff, rs) -> Array:
    """alpha_c (Np/m) after Ghione (1993) for real eps_eff and surface resistance rs; 0 for t = 0."""
    on = t > 0
    ts = jnp.where(on, t, 1.0)
    k1 = w / (w + 2 * s)
    kp = complement(k1)
    n = (1 - k1) * 8 * np.pi / (ts * (1 + k1))
    a, b = w / 2, w / 2 + s
    ac = (np.pi + jnp.log(n * a)) / a + (np.pi + jnp.log(n * b)) / b
    loss = rs * jnp.sqrt(eeff) * ac / (4 * ETA0 * ellipk(k1, kp) * ellipk(kp, k1) * (1 - k1 * k1))
    return jnp.where(on, loss, 0.0)


def cpw_properties(w, s, h, t, er, tand, sigma, rough, f, backside: bool,
                   band: Wideband | None = None) -> dict[str, Array]:
    """Quasi-static and dispersive zc / eps_eff, alpha_c and alpha_d of a CPW (`band`: the
    frequencies of a Djordjevic-Svensson substrate; None: frequency-invariant)."""
    f = jnp.asarray(f)
    diel = permittivity(er, tand, f, band)
    erc = diel.complex
    z_qs, e_qs = cpw_quasi_static(w, s, h, t, erc, backside)
    z_f, e_f = cpw_dispersion(z_qs, e_qs, erc, w, s, h, f)
    er_re = jnp.real(e_f)
    rs = surface_resistance(f, sigma) * roughness_factor(f, sigma, rough)
    alpha_c = cpw_conductor_loss(w, s, t, er_re, rs)
    alpha_d = dielectric_loss(diel.real, er_re, diel.tand, f)
    return dict(z_static=z_qs, eps_static=e_qs, zc=z_f, eps_eff=e_f, alpha_c=alpha_c, alpha_d=alpha_d)


def cpw_zc_gamma(w, s, h, t, er, tand, sigma, rough, f, backside: bool = False,
                 band: Wideband | None = None) -> tuple[Array, Array]:
    """(zc, gamma) of a CPW on the grid `f` (Hz)."""
    p = cpw_properties(w, s, h, t, er, tand, sigma, rough, f, backside, band)
    beta = 2 * np.pi * jnp.asarray(f) * jnp.sqrt(jnp.real(p["eps_eff"])) / C0
    return p["zc"], p["alpha_c"] + p["alpha_d"] + 1j * beta


class CPW(TEMLine):
    """Coplanar waveguide: centre strip width `w`, gap `gap`, substrate height `h`, metal
    thickness `t` (m; 0 = thin, no conductor loss), substrate `er` and `tand`, conductivity
    `sigma` (S/m), rms roughness `rough` (m), `length` (m); `backside` (static) = metal-backed;
    `dielectric` (static), `f_er`, `f_low`, `f_high` as for `Microstrip`. The thickness correction
    needs its widening 1.25 t/pi (1 + ln(4 pi w/t)) below the gap (beyond it the corrected
    modulus passes 1); the netlist checks that.

    The gap is the netlist's `s`; the field is called `gap` because `s` is the S-parameter
    method of every model. `with_params(s=...)` is accepted as an alias of `gap`.
    """

    w: Array = eqx.field(converter=as_array)
    gap: Array = eqx.field(converter=as_array)
    h: Array = eqx.field(converter=as_array)
    er: Array = eqx.field(converter=as_array)
    length: Array = eqx.field(converter=as_array)
    t: Array = eqx.field(default=0.0, converter=as_array)
    tand: Array = eqx.field(default=0.0, converter=as_array)
    sigma: Array = eqx.field(default=SIGMA_COPPER, converter=as_array)
    rough: Array = eqx.field(default=0.0, converter=as_array)
    backside: bool = eqx.field(default=False, static=True)
    dielectric: str = eqx.field(default=FREQUENCY_INVARIANT, static=True)
    f_er: Array = eqx.field(default=F_ER, converter=as_array)
    f_low: Array = eqx.field(default=F_LOW, converter=as_array)
    f_high: Array = eqx.field(default=F_HIGH, converter=as_array)

    def __check_init__(self):
        check_dielectric(self.dielectric)

    def with_params(self, **values) -> "CPW":
        """A copy with fields replaced; `s` is taken as the gap."""
        if "s" in values:
            values["gap"] = values.pop("s")
        return super().with_params(**values)

    def properties(self, freq) -> dict[str, Array]:
        """zc, eps_eff (quasi-static and dispersive), alpha_c and alpha_d on the grid."""
        args = (self.w, self.gap, self.h, self.t, self.er, self.tand, self.sigma, self.rough)
        return cpw_properties(*args, freq_array(freq), self.backside, wideband_of(self))

    def zc_gamma(self, freq) -> tuple[Array, Array]:
        """(zc, gamma) on the grid: impedance (ohm) and propagation (1/m)."""
        args = (self.w, self.gap, self.h, self.t, self.er, self.tand, self.sigma, self.rough)
        return cpw_zc_gamma(*args, freq_array(freq), self.backside, wideband_of(self))

