"""Symmetric stripline: a strip of width w and thickness t centred between ground planes b apart.

* Impedance: Cohn's exact conformal-mapping result for a zero-thickness strip (S. B. Cohn,
  "Characteristic impedance of the shielded-strip transmission line", IRE Trans. MTT-2, 1954):
  zc = eta0 / (4 sqrt(er)) K(k)/K(k'), k = sech(pi w / 2b), k' = tanh(pi w / 2b), with the
  elliptic-integral ratio evaluated exactly (AGM). A thick strip (t > 0) scales this by
  Wheeler's thickness factor Z_W(t)/Z_W(0), where Z_W is H. A. Wheeler's closed form
  ("Transmission-line properties of a strip line between parallel planes", IEEE Trans.
  MTT-26, 1978; about 0.5 % accurate), so t = 0 stays exact and the model is continuous in t.
* Conductor loss (t > 0 only; it diverges for a zero-thickness strip): the Wheeler
  incremental-inductance fits quoted by Pozar (Microwave Engineering, eqs. 3.198-3.199):
  alpha_c = 2.7e-3 Rs er Z A / (30 pi (b - t)) for sqrt(er) Z < 120, else 0.16 Rs B / (Z b), with
  A = 1 + 2w/(b-t) + (b+t)/(pi (b-t)) ln((2b-t)/t), B = 1 + b/(0.5w + 0.7t) (0.5 + 0.414 t/w
  + ln(4 pi w/t)/(2 pi)); Rs includes Hammerstad's roughness factor.
* Dielectric: the line is homogeneous, so its permittivity er (1 - j tan delta) enters exactly;
  with `dielectric="djordjevic-svensson"` the wideband eps(f) of `lines.dielectric` does (and
  Re eps(f) replaces er in the conductor loss's impedance).

The parts combine as per-unit-length Z' = R (1 + j) + j w L and Y' = j w C (1 - j tan delta)
with L = Z_air / c, C = er / (Z_air c), R = 2 alpha_c zc (skin-effect surface impedance: the
internal reactance equals R). scikit-rf has no stripline medium.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli.models.base import as_array, freq_array
from pmrf_cli.models.lines.common import (
    ETA0,
    SIGMA_COPPER,
    ellip_ratio,
    rlgc_chain,
    roughness_factor,
    surface_resistance,
    zc_gamma,
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
from pmrf_cli.models.stamp import ChainParts
from pmrf_cli.models.tline import C0, TEMLine


def cohn_z_air(w, b) -> Array:
    """Exact impedance (ohm) of a zero-thickness strip of width w centred between planes b apart, in air."""
    x = np.pi * w / (2 * b)
    return ETA0 / 4 * ellip_ratio(1 / jnp.cosh(x), jnp.tanh(x))


def wheeler_z_air(w, b, t) -> Array:
    """Wheeler's (1978) stripline impedance in air, thickness t >= 0."""
    on = t > 0
    x = jnp.where(on, t / b, 0.5)
    m = 2 / (1 + 2 / 3 * x / (1 - x))
    dw = x / (np.pi * (1 - x)) * (1 - 0.5 * jnp.log((x / (2 - x)) ** 2 + (0.0796 * x / (w / b + 1.1 * x)) ** m))
    wp = w / (b - t) + jnp.where(on, dw, 0.0)  # W' / (b - t)
    r = 4 / (np.pi * wp)
    return 30.0 * jnp.log(1 + r * (2 * r + jnp.sqrt((2 * r) ** 2 + 6.27)))


def stripline_z_air(w, b, t) -> Array:
    """Impedance in air: Cohn exact at t = 0, times Wheeler's thickness factor."""
    return cohn_z_air(w, b) * wheeler_z_air(w, b, t) / wheeler_z_air(w, b, jnp.zeros_like(t))


def stripline_conductor_loss(w, b, t, er, z, rs) -> Array:
    """alpha_c (Np/m) from Pozar's eqs. 3.198-3.199 for impedance z (ohm) and surface resistance rs."""
    on = t > 0
    ts = jnp.where(on, t, b / 2)
    a = 1 + 2 * w / (b - ts) + (b + ts) / (np.pi * (b - ts)) * jnp.log((2 * b - ts) / ts)
    bb = 1 + b / (0.5 * w + 0.7 * ts) * (0.5 + 0.414 * ts / w + jnp.log(4 * np.pi * w / ts) / (2 * np.pi))
    wide = 2.7e-3 * rs * er * z * a / (30 * np.pi * (b - ts))
    narrow = 0.16 * rs * bb / (z * b)
    return jnp.where(on, jnp.where(jnp.sqrt(er) * z < 120, wide, narrow), 0.0)


def stripline_rlgc(w, b, t, er, tand, sigma, rough, f, band: Wideband | None = None) -> tuple[Array, Array]:
    """Z' (ohm/m) and Y' (S/m) of a stripline on the grid `f` (Hz) (`band`: the frequencies of a
    Djordjevic-Svensson dielectric; None: frequency-invariant)."""
    f = jnp.asarray(f)
    diel = permittivity(er, tand, f, band)
    z_air = stripline_z_air(w, b, t)
    z = z_air / jnp.sqrt(diel.real)
    rs = surface_resistance(f, sigma) * roughness_factor(f, sigma, rough)
    r = 2 * z * stripline_conductor_loss(w, b, t, diel.real, z, rs)
    wf = 2 * np.pi * f
    zs = r * (1 + 1j) + 1j * wf * z_air / C0
    if band is None:
        ys = 1j * wf * er / (z_air * C0) * (1 - 1j * tand)
    else:
        ys = 1j * wf * diel.complex / (z_air * C0)
    return zs, ys


def stripline_zc_gamma(w, b, t, er, tand, sigma, rough, f, band: Wideband | None = None) -> tuple[Array, Array]:
    """(zc, gamma) of a stripline on the grid `f` (Hz)."""
    return zc_gamma(*stripline_rlgc(w, b, t, er, tand, sigma, rough, f, band))


class Stripline(TEMLine):
    """Symmetric stripline: strip width `w`, ground-plane spacing `b`, strip thickness `t` (m),
    dielectric `er` and `tand`, conductivity `sigma` (S/m), rms roughness `rough` (m), `length` (m);
    `dielectric` (static), `f_er`, `f_low`, `f_high` as for `Microstrip`. Needs t < b."""

    w: Array = eqx.field(converter=as_array)
    b: Array = eqx.field(converter=as_array)
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

    def rlgc(self, freq) -> tuple[Array, Array]:
        """(Z', Y') per metre on the grid."""
        args = (self.w, self.b, self.t, self.er, self.tand, self.sigma, self.rough)
        return stripline_rlgc(*args, freq_array(freq), wideband_of(self))

    def zc_gamma(self, freq) -> tuple[Array, Array]:
        """(zc, gamma) on the grid: impedance (ohm) and propagation (1/m)."""
        return zc_gamma(*self.rlgc(freq))

    def medium(self, freq) -> tuple[Array, Array]:
        """(Z', Y') per metre: the chain form below is finite at DC, where zc is not."""
        return self.rlgc(freq)

    @staticmethod
    def chain_of(medium, length) -> ChainParts:
        return rlgc_chain(*medium, length)
