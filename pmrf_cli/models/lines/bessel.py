"""Ratios of modified Bessel functions of complex argument, for the skin effect in round wires.

`i0_over_i1(x)` = I0(x)/I1(x) and `k0_over_k1(x)` = K0(x)/K1(x) for Re x > 0 (in use,
x = sqrt(j w mu sigma) r, so arg x = pi/4), to full float64 accuracy:

* I0/I1: Gauss's continued fraction I1/I0 = x/(2 + x^2/(4 + x^2/(6 + ...))) for |x| < 40,
  the Hankel asymptotic series beyond;
* K0/K1: the ascending series for |x| < 1, Steed's (Temme's) continued fraction CF2 beyond:
  K1/K0 = (x + 1/2 - h/4)/x with h = 1/(b1 + a2/(b2 + a3/(b3 + ...))), b_i = 2(x + i),
  a_i = -(i - 1/2)^2.

Continued fractions are evaluated backwards over a fixed number of terms with `lax.fori_loop`,
so all of it jits, vmaps and differentiates.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import Array, lax

EULER_GAMMA = 0.5772156649015329
_I_SWITCH, _I_CF_TERMS, _I_ASYM_TERMS = 40.0, 80, 16
_K_SWITCH, _K_CF_TERMS, _K_SERIES_TERMS = 1.0, 100, 24


# Loop bodies are module-level functions of (x, t), so eager calls reuse one traced loop.
def _i_cf_step(j, carry):
    x2, t = carry
    return x2, 2.0 * (_I_CF_TERMS - 1 - j) + x2 / t


def _i1_over_i0_cf(x) -> Array:
    _, t = lax.fori_loop(0, _I_CF_TERMS - 1, _i_cf_step, (x * x, jnp.full_like(x, 2.0 * _I_CF_TERMS)))
    return x / t


def _asym_coeffs(nu: int) -> np.ndarray:
    """a_k(nu) of the Hankel expansions, k = 0.._I_ASYM_TERMS."""
    a = [1.0]
    for k in range(1, _I_ASYM_TERMS + 1):
        a.append(a[-1] * (4 * nu**2 - (2 * k - 1) ** 2) / (8 * k))
    return np.array(a)


_A0, _A1 = _asym_coeffs(0), _asym_coeffs(1)


def _i0_over_i1_asym(x) -> Array:
    """I0/I1 from I_nu(x) ~ e^x / sqrt(2 pi x) sum_k (-1)^k a_k(nu) / x^k (|x| large, Re x > 0)."""
    p0, p1, xk = jnp.ones_like(x), jnp.ones_like(x), jnp.ones_like(x)
    for k in range(1, _I_ASYM_TERMS + 1):
        xk = xk * x
        sign = -1.0 if k % 2 else 1.0
        p0, p1 = p0 + sign * _A0[k] / xk, p1 + sign * _A1[k] / xk
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


def _k_cf_step(j, carry):
    x, t = carry
    i = _K_CF_TERMS - 1 - j
    return x, 2.0 * (x + i) - (i + 0.5) ** 2 / t


def _k0_over_k1_cf(x) -> Array:
    _, t = lax.fori_loop(0, _K_CF_TERMS - 1, _k_cf_step, (x, 2.0 * (x + _K_CF_TERMS)))
    return x / (x + 0.5 - 0.25 / t)


def k0_over_k1(x) -> Array:
    """K0(x)/K1(x) for complex x with Re x > 0."""
    small = jnp.abs(x) < _K_SWITCH
    xs = jnp.where(small, x, 0.5 + 0j)
    xb = jnp.where(small, 2.0 + 0j, x)
    return jnp.where(small, _k0_over_k1_series(xs), _k0_over_k1_cf(xb))
