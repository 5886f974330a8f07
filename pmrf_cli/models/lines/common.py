"""Shared physics for the line models: constants, skin effect, roughness, elliptic integrals,
and a DC-safe chain form of a line given per-unit-length series impedance and shunt admittance.

Everything is written with `jnp` and `jnp.where` (no Python branching on values), so the line
functions can be jitted, vmapped and differentiated.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array, lax

from pmrf_cli import vecmath
from pmrf_cli.cplx import Cx, cis, stored
from pmrf_cli.models.stamp import ChainParts
from pmrf_cli.models.tline import C0, cosh_sinh

MU0 = 1.25663706127e-6  # vacuum permeability, H/m (CODATA 2022)
EPS0 = 1.0 / (MU0 * C0**2)  # vacuum permittivity, F/m
ETA0 = MU0 * C0  # impedance of free space, ohm
SIGMA_COPPER = 5.8e7  # annealed copper (100 % IACS), S/m
AGM_STEPS = 16  # enough for full float64 down to moduli of ~1e-100


def surface_resistance(f, sigma) -> Array:
    """Surface resistance Rs = sqrt(pi f mu0 / sigma) in ohm (0 for a perfect conductor)."""
    return jnp.sqrt(np.pi * MU0 * f) / jnp.sqrt(sigma)


def skin_depth(f, sigma) -> Array:
    """Skin depth delta = 1 / sqrt(pi f mu0 sigma) in m."""
    return 1.0 / jnp.sqrt(np.pi * MU0 * f * sigma)


def roughness_factor(f, sigma, rough) -> Array | float:
    """Hammerstad's roughness factor 1 + (2/pi) atan(1.4 (rough/delta)^2), `rough` the rms
    surface roughness in m; exactly 1 for a smooth (rough = 0) surface: the Python number 1.0
    where `rough` is a known zero (not a traced value), so no arctangent is taken per point."""
    if is_known_zero(rough):
        return 1.0
    on = rough > 0
    sig = jnp.where(on, sigma, 1.0)  # keeps 0 * inf out of the unused branch
    x = jnp.where(on, rough**2 * np.pi * MU0 * f * sig, 0.0)
    return 1.0 + (2.0 / np.pi) * jnp.arctan(1.4 * x)


def is_known_zero(x) -> bool:
    """True where `x` is a concrete value (not traced) that is zero everywhere."""
    return not isinstance(x, jax.core.Tracer) and bool(np.all(np.asarray(x) == 0))


def agm(a, b, steps: int = AGM_STEPS) -> Array:
    """Arithmetic-geometric mean by a fixed number of (quadratically convergent) steps."""
    for _ in range(steps):
        a, b = (a + b) / 2, jnp.sqrt(a * b)
    return (a + b) / 2


def complement(k) -> Array:
    """The complementary modulus k' = sqrt(1 - k^2), accurate near k = 1."""
    return jnp.sqrt((1 - k) * (1 + k))


def ellipk(k, kp=None) -> Array:
    """Complete elliptic integral of the first kind K(k) of modulus k (not parameter m = k^2):
    K(k) = pi / (2 AGM(1, k')). Pass `kp` when k' is known more accurately than from k."""
    kp = complement(k) if kp is None else kp
    return np.pi / (2 * agm(jnp.ones_like(kp), kp))


def ellip_ratio(k, kp=None) -> Array:
    """K(k) / K(k') = AGM(1, k) / AGM(1, k'), exact to float64 (no Hilberg approximation)."""
    kp = complement(k) if kp is None else kp
    return agm(jnp.ones_like(k), k) / agm(jnp.ones_like(kp), kp)


def zc_gamma(zs, ys) -> tuple[Array, Array]:
    """Characteristic impedance sqrt(Z'/Y') and propagation sqrt(Z' Y') of a TEM line from its
    series impedance Z' = R + jwL and shunt admittance Y' = G + jwC per metre. Both lie in the
    closed right half-plane, so the principal roots give Re(gamma) >= 0, Im(gamma) >= 0."""
    sz, sy = jnp.sqrt(zs), jnp.sqrt(ys)
    return sz / sy, sz * sy


def principal_sqrt(z) -> Cx:
    """The principal square root of a complex array (Re >= 0) from its real and imaginary parts:
    t = sqrt((|x| + |z|)/2) is free of cancellation, and the other part is y / 2t. Two real
    square roots and a division, where XLA's complex sqrt takes seven and eight."""
    x, y = jnp.real(z), jnp.imag(z)
    t = jnp.sqrt((jnp.abs(x) + jnp.hypot(x, y)) / 2)
    half = jnp.where(t > 0, y / (2 * jnp.where(t > 0, t, 1.0)), 0.0)
    right = x >= 0
    return Cx(jnp.where(right, t, jnp.abs(half)), jnp.where(right, half, jnp.where(y < 0, -t, t)))


def csqrt(z) -> Array:
    """sqrt(z), principal branch, of a real or complex array; complex by `principal_sqrt` (XLA's
    own complex square root is ~40 operations of overflow guards: compile time, for the
    per-sample formulas of the line models, whose values never come near overflow)."""
    z = jnp.asarray(z)
    if not jnp.iscomplexobj(z):
        return jnp.sqrt(z)
    return principal_sqrt(z).to_complex(jnp.shape(z))


def clog(z) -> Array:
    """log(z), principal branch, of a real or complex array; complex as log|z| + j arg z from a
    real logarithm and arctangent (`vecmath`), where XLA's complex logarithm is ~100 operations
    of scaling and guards."""
    z = jnp.asarray(z)
    if not jnp.iscomplexobj(z):
        return jnp.log(z)
    x, y = jnp.real(z), jnp.imag(z)
    return lax.complex(0.5 * vecmath.log(x * x + y * y), vecmath.atan2(y, x))


def rlgc_chain(zs, ys, length) -> ChainParts:
    """Chain form of a line from Z', Y' (per metre) and its length, finite at DC where Y' = 0:
    A = D = cosh(g), B = Z' l sinh(g)/g, C = Y' l sinh(g)/g with g^2 = Z' Y' l^2 (both even in g).
    cosh and sinh come from the real and imaginary parts of g (`tline.cosh_sinh`)."""
    x = zs * ys * length**2
    small = jnp.abs(x) < 1e-6
    g = principal_sqrt(jnp.where(small, 1.0, x))
    ch, sh = cosh_sinh(g)
    ch, shc = ch.to_complex(jnp.shape(x)), (sh / g).to_complex(jnp.shape(x))
    ch = jnp.where(small, 1 + x / 2 + x**2 / 24, ch)
    shc = jnp.where(small, 1 + x / 6 + x**2 / 120, shc)
    return ChainParts(ch, zs * length * shc, ys * length * shc, ch)


def cexp(z) -> Array:
    """exp(z) for a real or complex array; complex: exp(Re z) (cos Im z + j sin Im z) with the
    cosine and sine from `cplx.cis`. XLA's complex exponential takes them as cheap real `cos`
    and `sin`, which its fusion copies into every consumer: a per-sample exponential of a
    complex permittivity was recomputed at every frequency point of several fusions."""
    z = jnp.asarray(z)
    if not jnp.iscomplexobj(z):
        return jnp.exp(z)
    m = jnp.exp(jnp.real(z))
    c, s = cis(jnp.imag(z))
    return lax.complex(m * c, m * s)


def cpow(z, a) -> Array:
    """z ** a for complex z (principal branch), a real or complex: exp(a (log|z| + j arg z));
    plain `z ** a` when both are real.

    Written out from real log, atan2, exp, cos and sin (`vecmath`: vector code in large sweeps):
    a third less work than XLA's general complex power on a CPU, and log|z| and arg z are
    computed where z lives (once per sample when z does not depend on frequency, even if `a`
    does)."""
    z = jnp.asarray(z)
    if not jnp.iscomplexobj(z) and not jnp.iscomplexobj(a):
        return z**a
    log_abs = 0.5 * vecmath.log(jnp.real(z) ** 2 + jnp.imag(z) ** 2)
    arg = vecmath.atan2(jnp.imag(z), jnp.real(z))
    if vecmath.vectorised(log_abs):
        # their polynomials look cheap to XLA's fusion, which would copy them into each consumer
        log_abs, arg = stored((log_abs, arg), log_abs)
    if jnp.iscomplexobj(a):
        ar, ai = jnp.real(a), jnp.imag(a)
        re, im = ar * log_abs - ai * arg, ar * arg + ai * log_abs
    else:
        re, im = a * log_abs, a * arg
    m = jnp.exp(re)
    c, s = cis(im)
    return lax.complex(m * c, m * s)


def once(*zs) -> tuple:
    """The real or complex arrays `zs` (finite), each computed once, to memory, where it is
    formed. For per-sample quantities that per-point formulas read: XLA counts cheap-looking
    work (products, the cos and sin inside a complex exp or power) as free to copy into the
    fusions that read it, and there a per-sample value is recomputed at every frequency point
    (`cplx.stored`)."""
    out = []
    for z in zs:
        z = jnp.asarray(z)
        if jnp.iscomplexobj(z):
            re, im = stored((jnp.real(z), jnp.imag(z)), jnp.real(z))
            out.append(lax.complex(re, im))
        else:
            out.append(stored((z,), z)[0])
    return tuple(out)


def positive_f(f) -> Array:
    """`f` with zeros replaced by 1 Hz: a stand-in where a formula (a power of f/f0 with complex
    f0, a ratio that is 0/0 at DC) cannot be evaluated at f = 0; results there are then chosen
    with `jnp.where(f > 0, ...)`."""
    return jnp.where(f > 0, f, 1.0)
