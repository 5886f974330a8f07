"""Ratios of modified Bessel functions of complex argument, for the skin effect in round wires.

`i0_over_i1(x)` = I0(x)/I1(x) and `k0_over_k1(x)` = K0(x)/K1(x) for Re x > 0 (in use,
x = sqrt(j w mu sigma) r, so arg x = pi/4), to full float64 accuracy:

* I0/I1: Gauss's continued fraction I1/I0 = x/(2 + x^2/(4 + x^2/(6 + ...))) for |x| < 40
  (56 terms: full precision up to |x| = 40 on the skin-effect ray arg x = pi/4), the Hankel
  asymptotic series beyond;
* K0/K1: the ascending series for |x| < 1.5 (14 terms: (x^2/4)^k / k!^2 < 1e-24 there), Steed's (Temme's) continued fraction CF2 beyond:
  K1/K0 = (x + 1/2 - h/4)/x with h = 1/(b1 + a2/(b2 + a3/(b3 + ...))), b_i = 2(x + i),
  a_i = -(i - 1/2)^2 (40 terms: 1e-15 from |x| = 1.5 on).

Continued fractions are evaluated backwards over a fixed number of terms, unrolled, in real
arithmetic (XLA's complex division guards against overflow that these bounded terms cannot
reach, at twice the cost): XLA fuses each fraction into one loop over the points, its terms in
registers (a `fori_loop` wrote every term to memory and back). All of it jits, vmaps and
differentiates. Every branch is evaluated at every point (they are selected element-wise), so
the term counts are the least that keep full precision, measured against 400-term fractions.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import Array, lax

EULER_GAMMA = 0.5772156649015329
_I_SWITCH, _I_CF_TERMS, _I_ASYM_TERMS = 40.0, 56, 16
_K_SWITCH, _K_CF_TERMS, _K_SERIES_TERMS = 1.5, 40, 14


def _over(a, b, tr, ti) -> tuple[Array, Array]:
    """(a + j b) / (tr + j ti) in real arithmetic, each part by its own division: a value that
    feeds one use only, so XLA fuses a whole continued fraction into one loop over the points
    (a shared reciprocal would be written to memory at every term)."""
    d = tr * tr + ti * ti
    return (a * tr + b * ti) / d, (b * tr - a * ti) / d


def _i1_over_i0_cf(x) -> Array:
    x2 = x * x
    xr, xi = jnp.real(x2), jnp.imag(x2)
    tr, ti = jnp.full(jnp.shape(x), 2.0 * _I_CF_TERMS), jnp.zeros(jnp.shape(x))
    for j in range(_I_CF_TERMS - 1):  # unrolled: one fusion, the terms stay in registers
        qr, qi = _over(xr, xi, tr, ti)
        tr, ti = 2.0 * (_I_CF_TERMS - 1 - j) + qr, qi
    return x / lax.complex(tr, ti)


def _asym_coeffs(nu: int) -> np.ndarray:
    """a_k(nu) of the Hankel expansions, k = 0.._I_ASYM_TERMS."""
    a = [1.0]
    for k in range(1, _I_ASYM_TERMS + 1):
        a.append(a[-1] * (4 * nu**2 - (2 * k - 1) ** 2) / (8 * k))
    return np.array(a)


_A0, _A1 = _asym_coeffs(0), _asym_coeffs(1)


def _i0_over_i1_asym(x) -> Array:
    """I0/I1 from I_nu(x) ~ e^x / sqrt(2 pi x) sum_k (-1)^k a_k(nu) / x^k (|x| large, Re x > 0):
    both sums are polynomials in 1/x, by Horner's rule (one division, not one per term)."""
    y = 1.0 / x
    p0, p1 = _A0[-1] * (-1.0) ** _I_ASYM_TERMS, _A1[-1] * (-1.0) ** _I_ASYM_TERMS
    for k in range(_I_ASYM_TERMS - 1, -1, -1):
        sign = -1.0 if k % 2 else 1.0
        p0, p1 = p0 * y + sign * _A0[k], p1 * y + sign * _A1[k]
    return p0 / p1


def i0_over_i1(x) -> Array:
    """I0(x)/I1(x) for complex x with Re x > 0."""
    big = jnp.abs(x) >= _I_SWITCH
    xs = jnp.where(big, 1.0 + 0j, x)
    xb = jnp.where(big, x, _I_SWITCH + 0j)
    return jnp.where(big, _i0_over_i1_asym(xb), 1.0 / _i1_over_i0_cf(xs))


def _k0_over_k1_series(x) -> Array:
    q = x * x / 4
    log_term = jnp.log(x / 2)
    i0 = i1 = s0 = s1 = 0.0
    term0, term1 = jnp.ones_like(x), jnp.ones_like(x)  # q^k/(k!)^2 and q^k/(k!(k+1)!)
    harmonic = 0.0
    for k in range(_K_SERIES_TERMS):
        if k:
            term0 = term0 * q / k**2
            term1 = term1 * q / (k * (k + 1))
        psi1 = harmonic - EULER_GAMMA  # psi(k + 1)
        psi2 = psi1 + 1.0 / (k + 1)  # psi(k + 2)
        i0, i1 = i0 + term0, i1 + term1
        s0 = s0 + term0 * harmonic
        s1 = s1 + term1 * (psi1 + psi2)
        harmonic += 1.0 / (k + 1)
    i1 = i1 * x / 2
    k0 = -(log_term + EULER_GAMMA) * i0 + s0
    k1 = 1 / x + log_term * i1 - x / 4 * s1
    return k0 / k1


def _k0_over_k1_cf(x) -> Array:
    xr, xi = jnp.real(x), jnp.imag(x)
    tr, ti = 2.0 * (xr + _K_CF_TERMS), 2.0 * xi
    for i in range(_K_CF_TERMS - 1, 0, -1):
        qr, qi = _over(-((i + 0.5) ** 2), 0.0, tr, ti)
        tr, ti = 2.0 * (xr + i) + qr, 2.0 * xi + qi
    return x / (x + 0.5 - 0.25 / lax.complex(tr, ti))


def k0_over_k1(x) -> Array:
    """K0(x)/K1(x) for complex x with Re x > 0."""
    small = jnp.abs(x) < _K_SWITCH
    xs = jnp.where(small, x, 0.5 + 0j)
    xb = jnp.where(small, 2.0 + 0j, x)
    return jnp.where(small, _k0_over_k1_series(xs), _k0_over_k1_cf(xb))
