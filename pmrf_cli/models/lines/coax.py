"""Coaxial line from its geometry and materials.

Per-unit-length parameters (SI units throughout):

* external inductance L = mu0/(2 pi) ln(D/d), capacitance C = 2 pi eps0 er / ln(D/d), and
  G = w C tan(delta) (a frequency-invariant complex permittivity er (1 - j tan delta); with
  `dielectric="djordjevic-svensson"` the wideband eps(f) of `lines.dielectric` replaces it, as
  scikit-rf's `Coaxial(dielectric={'ep_r': eps(f)})` takes it);
* conductor impedance from Schelkunoff's exact solution for round conductors (S. A. Schelkunoff,
  Bell Syst. Tech. J. 13, 1934, eqs. 65 and 74): the solid inner rod of radius a gives
  Zs/(2 pi a) I0(g a)/I1(g a), the outer conductor (an infinitely thick shield from radius b)
  Zs/(2 pi b) K0(g b)/K1(g b), with g = sqrt(j w mu0 sigma), Zs = sqrt(j w mu0 / sigma). This
  covers the whole range from the DC resistance 1/(pi a^2 sigma) to the skin-effect limit; the
  Bessel ratios are evaluated in `lines.bessel`. With an rms roughness `rough` > 0 the conductor
  impedance is multiplied by Hammerstad's factor 1 + (2/pi) atan(1.4 (rough/delta)^2).

Then zc = sqrt(Z'/Y'), gamma = sqrt(Z' Y'). This is scikit-rf's `Coaxial` with its default
conductor model (smooth bulk conductors, `tout=None`); its roughness model (a layered surface
impedance given per conductor) differs from the Hammerstad factor used here. Lossless limit:
zc = eta0 / (2 pi sqrt(er)) ln(D/d) (the familiar 60/sqrt(er) ln(D/d)).
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array, lax

from pmrf_cli.models.base import as_array, freq_array
from pmrf_cli.models.lines.bessel import i0_over_i1, k0_over_k1
from pmrf_cli.models.lines.common import (
    EPS0,
    MU0,
    SIGMA_COPPER,
    positive_f,
    rlgc_chain,
    roughness_factor,
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
from pmrf_cli.models.tline import TEMLine


def coax_rlgc(din, dout, er, tand, sigma, rough, f, band: Wideband | None = None) -> tuple[Array, Array]:
    """Series impedance Z' (ohm/m) and shunt admittance Y' (S/m) of a coaxial line; (F,) each
    (`band`: the frequencies of a Djordjevic-Svensson dielectric; None: frequency-invariant)."""
    f = jnp.asarray(f)
    a, b = din / 2, dout / 2
    perfect = jnp.isinf(sigma)
    sig = jnp.where(perfect, 1.0, sigma)
    fs = positive_f(f)
    # g = sqrt(j w mu sigma) and zs = sqrt(j w mu / sigma): real roots times (1 + j), not
    # XLA's general complex square root
    k, rs = jnp.sqrt(np.pi * fs * MU0 * sig), jnp.sqrt(np.pi * fs * MU0 / sig)
    g, zs = lax.complex(k, k), lax.complex(rs, rs)
    inner = zs / (2 * np.pi * a) * i0_over_i1(g * a)
    outer = zs / (2 * np.pi * b) * k0_over_k1(g * b)
    rdc = 1.0 / (np.pi * a**2 * sig)
    cond = jnp.where(f > 0, (inner + outer) * roughness_factor(fs, sig, rough), rdc + 0j)
    cond = jnp.where(perfect, 0j, cond)
    logr = jnp.log(b / a)
    wf = 2 * np.pi * f
    zser = cond + 1j * wf * MU0 / (2 * np.pi) * logr
    yshunt = 1j * wf * (2 * np.pi * EPS0 * permittivity(er, tand, f, band).complex) / logr
    return zser, yshunt


def coax_zc_gamma(din, dout, er, tand, sigma, rough, f, band: Wideband | None = None) -> tuple[Array, Array]:
    """(zc, gamma) of a coaxial line on the grid `f` (Hz); zc is infinite at DC."""
    return zc_gamma(*coax_rlgc(din, dout, er, tand, sigma, rough, f, band))


class Coax(TEMLine):
    """Coaxial line: inner diameter `din` and outer diameter `dout` (m), dielectric `er` and
    `tand`, conductor conductivity `sigma` (S/m, both conductors; `inf` = perfect), rms surface
    roughness `rough` (m, 0 = smooth) and `length` (m); `dielectric` (static), `f_er`, `f_low`,
    `f_high` as for `Microstrip`. Needs dout > din."""

    din: Array = eqx.field(converter=as_array)
    dout: Array = eqx.field(converter=as_array)
    length: Array = eqx.field(converter=as_array)
    er: Array = eqx.field(default=1.0, converter=as_array)
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
        args = (self.din, self.dout, self.er, self.tand, self.sigma, self.rough)
        return coax_rlgc(*args, freq_array(freq), wideband_of(self))

    def zc_gamma(self, freq) -> tuple[Array, Array]:
        """(zc, gamma) on the grid: impedance (ohm) and propagation (1/m)."""
        return zc_gamma(*self.rlgc(freq))

    def medium(self, freq) -> tuple[Array, Array]:
        """(Z', Y') per metre: the chain form below is finite at DC, where zc is not."""
        return self.rlgc(freq)

    @staticmethod
    def chain_of(medium, length) -> ChainParts:
        return rlgc_chain(*medium, length)
