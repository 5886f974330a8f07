"""Cosine and sine, logarithm and two-argument arctangent of float64 arrays, as vector code.

XLA:CPU evaluates float64 `cos`, `sin`, `log` and `atan2` one element at a time through the C
library (about 10, 10, 4.5 and 5-12 ns per element on the reference machine, one core), while
products, sums, divisions, square roots, selects and its own `exp` run as vector code. Lines
need cosines and sines at every (sample, frequency) point, and every complex power (microstrip's
dispersion) a logarithm and an arctangent as well. Here each is an argument reduction and a
polynomial, written in those vector operations:

* `reduced_sincos`: r = x - k pi/2 with k = round(2x/pi) (Cody-Waite: pi/2 split into four
  parts of 27 significant bits, so each k * part is exact for |k| < 2^26, i.e. |x| < 1e8), and
  the Taylor polynomials of sin and cos on |r| <= pi/4 up to r^17 and r^18, whose truncation
  errors (|r|^19/19!, |r|^20/20!) are below 1e-19; the quadrant k mod 4 swaps and signs them.
  Beyond |x| = 1e8 the reduction loses accuracy gradually (a line a hundred million radians
  long is not a circuit). Derivatives are those of the polynomials: within 2 ulp of (-sin, cos).
* `reduced_log`: x = m 2^e from the bits of x, with m in [sqrt(1/2), sqrt(2)); then
  ln m = 2 atanh s, s = (m - 1)/(m + 1), |s| <= 0.172, by its series to s^25 (truncation below
  1e-20) and ln x = e ln 2 + ln m with ln 2 in two parts. Zero, negative, infinite, NaN and
  subnormal arguments give what `jnp.log` gives. Derivative: 1/x.
* `reduced_atan2`: the ratio t = min(|x|, |y|) / max(|x|, |y|) in [0, 1], t -> (t - 1)/(t + 1)
  above tan(pi/8) (adding pi/4), the Taylor series of atan to t^43 on |t| <= tan(pi/8)
  (truncation below 1e-18), then the octant and quadrant from the comparisons and signs, with
  pi/2 and pi in two parts: signed zeros, infinities and NaN as `jnp.arctan2`. Derivative:
  (x dy - y dx)/(x^2 + y^2).

Each is within 2 ulp of the C library (tests). The polynomials add 30-60 operations per call
site to the program, which compile: 0.1-0.35 s more for a microstrip circuit's sweep kernel,
whose run time they cut. So they are taken where that pays: per-point arrays (not per-sample
scalars) in a large program (`workload.is_large`: at least `workload.LARGE_PROGRAM_POINTS`
points, stated by `workload.evaluation_points`); elsewhere, and for other dtypes, the `jnp`
functions.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, localcontext

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array, lax

from pmrf_cli.workload import is_large, points_evaluated

def _pi() -> Decimal:
    """pi to 50 digits by Machin's formula, 16 atan(1/5) - 4 atan(1/239), in decimal arithmetic."""

    def atan_inv(n: int) -> Decimal:
        total, power, k, x2 = Decimal(0), Decimal(1) / n, 0, Decimal(n * n)
        while power > Decimal(10) ** -55:
            total += (-power if k % 2 else power) / (2 * k + 1)
            power /= x2
            k += 1
        return total

    with localcontext() as ctx:
        ctx.prec = 60
        return 16 * atan_inv(5) - 4 * atan_inv(239)


def _ln2() -> Decimal:
    """ln 2 to 60 digits."""
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(2).ln()


def _split(value: Decimal, bits: int, parts: int) -> tuple[float, ...]:
    """`value` as `parts` floats whose sum is it to ~(parts x bits) bits, all but the last
    truncated to `bits` significant bits (so their products with integers below 2^(53 - bits)
    are exact)."""
    out = []
    with localcontext() as ctx:
        ctx.prec = 60
        for _ in range(parts - 1):
            mant, exp = math.frexp(float(value))
            head = math.ldexp(math.floor(mant * 2.0**bits) / 2.0**bits, exp)
            out.append(head)
            value -= Decimal(head)
    out.append(float(value))
    return tuple(out)


_PI = _pi()
_LN2 = _ln2()
_HALF_PI_PARTS = tuple(part / 2 for part in _split(_PI, 27, 4))  # halving a float is exact
_TWO_OVER_PI = 2 / float(_PI)
#: Taylor coefficients of (sin r - r) / r^3 and (cos r - 1) / r^2 in powers of r^2, highest first
_SIN = tuple((-1) ** n / math.factorial(2 * n + 1) for n in range(8, 0, -1))
_COS = tuple((-1) ** n / math.factorial(2 * n) for n in range(9, 0, -1))


def _horner(coefficients: tuple[float, ...], x2: Array) -> Array:
    acc = coefficients[0]
    for c in coefficients[1:]:
        acc = acc * x2 + c
    return acc


def reduced_sincos(x: Array) -> tuple[Array, Array]:
    """(cos x, sin x) of a float64 array by the reduction and polynomials above, always."""
    k = jnp.round(x * _TWO_OVER_PI)
    r = x
    for part in _HALF_PI_PARTS:
        r = r - k * part
    r2 = r * r
    sin_r = r + r * r2 * _horner(_SIN, r2)
    cos_r = 1.0 + r2 * _horner(_COS, r2)
    quadrant = k - 4.0 * jnp.floor(k * 0.25)  # k mod 4, as 0.0 .. 3.0
    odd = (quadrant == 1.0) | (quadrant == 3.0)
    cos_x, sin_x = jnp.where(odd, sin_r, cos_r), jnp.where(odd, cos_r, sin_r)
    cos_x = jnp.where((quadrant == 1.0) | (quadrant == 2.0), -cos_x, cos_x)
    sin_x = jnp.where(quadrant >= 2.0, -sin_x, sin_x)
    return cos_x, sin_x


def vectorised(x: Array) -> bool:
    """Whether the functions here take their polynomial forms for `x`: a float64 array of
    per-point values in a large program (`workload.is_large`)."""
    return x.dtype == jnp.float64 and x.ndim > 0 and is_large(points_evaluated())


def sincos(x) -> tuple[Array, Array]:
    """(cos x, sin x) of a real array: `reduced_sincos` where `vectorised`, else `jnp.cos` and
    `jnp.sin`."""
    x = jnp.asarray(x)
    return reduced_sincos(x) if vectorised(x) else (jnp.cos(x), jnp.sin(x))


_LN2_HI, _LN2_LO = _split(_LN2, 32, 2)
_SMALLEST_NORMAL = float(np.finfo(np.float64).tiny)
_SQRT_HALF = math.sqrt(0.5)
#: Taylor coefficients of (atanh s - s) / s^3 in powers of s^2 (1/3, 1/5, ... 1/25), highest first
_ATANH = tuple(1.0 / (2 * n + 1) for n in range(12, 0, -1))
_FRACTION_BITS = 52
_EXPONENT_BIAS = 1023
_FRACTION_MASK = np.uint64((1 << _FRACTION_BITS) - 1)
_ONE_BITS = np.uint64(_EXPONENT_BIAS << _FRACTION_BITS)  # the bits of 1.0
_TWO_52_BITS = np.uint64((_EXPONENT_BIAS + 52) << _FRACTION_BITS)  # of 2^52: an integer below 2^52 in its fraction


@jax.custom_jvp
def reduced_log(x: Array) -> Array:
    """ln x of a float64 array by the reduction and series above, always."""
    tiny = x < _SMALLEST_NORMAL
    scaled = jnp.where(tiny, x * 2.0**54, x)
    # the exponent and fraction fields by unsigned shifts and masks, the exponent made a float
    # through the bits of 2^52 (no 64-bit arithmetic shift or integer conversion, which AVX2 lacks)
    bits = lax.bitcast_convert_type(scaled, jnp.uint64)
    biased = lax.bitcast_convert_type((bits >> np.uint64(_FRACTION_BITS)) | _TWO_52_BITS, jnp.float64) - 2.0**52
    m = lax.bitcast_convert_type((bits & _FRACTION_MASK) | _ONE_BITS, jnp.float64)  # in [1, 2)
    high = m > 2 * _SQRT_HALF
    m = jnp.where(high, 0.5 * m, m)  # in [sqrt(1/2), sqrt(2)): exact
    e = biased - jnp.where(high, _EXPONENT_BIAS - 1.0, float(_EXPONENT_BIAS)) - jnp.where(tiny, 54.0, 0.0)
    f = m - 1.0  # exact
    s = f / (2.0 + f)
    s2 = s * s
    ln_m = 2.0 * s + 2.0 * s * s2 * _horner(_ATANH, s2)
    out = e * _LN2_HI + (ln_m + e * _LN2_LO)
    out = jnp.where(x == 0, -jnp.inf, out)
    out = jnp.where(x == jnp.inf, jnp.inf, out)
    return jnp.where(x < 0, jnp.nan, jnp.where(x != x, x, out))


@reduced_log.defjvp
def _reduced_log_jvp(primals, tangents):
    (x,), (dx,) = primals, tangents
    return reduced_log(x), dx / x


#: `reduced_log`'s view of float64 values as their bits, in a lowered program's StableHLO text
#: (pmrf takes no other such view: its random draws view bits as floats, not floats as bits)
_FLOAT_BITS = re.compile(r"bitcast_convert [^\n]*xf64>\) -> tensor<[^\n]*xui64>")


def takes_reduced_log(program_text: str) -> bool:
    """Whether a lowered program (its StableHLO text, `Lowered.as_text()`) takes `reduced_log`."""
    return _FLOAT_BITS.search(program_text) is not None


def log(x) -> Array:
    """ln x of a real array: `reduced_log` where `vectorised`, else `jnp.log`."""
    x = jnp.asarray(x)
    return reduced_log(x) if vectorised(x) else jnp.log(x)


_PI_HI, _PI_LO = _split(_PI, 32, 2)
_HALF_PI_HI, _HALF_PI_LO = _PI_HI / 2, _PI_LO / 2
_QUARTER_PI_HI, _QUARTER_PI_LO = _PI_HI / 4, _PI_LO / 4
_TAN_PI_8 = math.sqrt(2.0) - 1.0
#: Taylor coefficients of (atan t - t) / t^3 in powers of t^2 (-1/3, 1/5, ..., -1/43), highest first
_ATAN = tuple((-1) ** n / (2 * n + 1) for n in range(21, 0, -1))


@jax.custom_jvp
def reduced_atan2(y: Array, x: Array) -> Array:
    """atan2(y, x) of float64 arrays by the reduction and series above, always."""
    ax, ay = jnp.abs(x), jnp.abs(y)
    steep = ay > ax
    num, den = jnp.where(steep, ax, ay), jnp.where(steep, ay, ax)
    t = num / jnp.where(den > 0, den, 1.0)  # both zero: 0
    t = jnp.where(den == jnp.inf, jnp.where(num == jnp.inf, 1.0, 0.0), t)
    high = t > _TAN_PI_8
    t = jnp.where(high, (t - 1.0) / (t + 1.0), t)
    t2 = t * t
    a = t + t * t2 * _horner(_ATAN, t2)
    a = jnp.where(high, _QUARTER_PI_HI + (a + _QUARTER_PI_LO), a)  # atan(num / den), in [0, pi/4]
    left = (x < 0) | ((x == 0) & jnp.signbit(x))
    # the octant: a, pi/2 - a, pi/2 + a or pi - a, each added to its multiple of pi/2 in two parts
    base_hi = jnp.where(steep, _HALF_PI_HI, jnp.where(left, _PI_HI, 0.0))
    base_lo = jnp.where(steep, _HALF_PI_LO, jnp.where(left, _PI_LO, 0.0))
    a = base_hi + (jnp.where(steep == left, a, -a) + base_lo)
    a = jnp.where(jnp.signbit(y), -a, a)
    return jnp.where((x != x) | (y != y), x + y, a)


@reduced_atan2.defjvp
def _reduced_atan2_jvp(primals, tangents):
    (y, x), (dy, dx) = primals, tangents
    return reduced_atan2(y, x), (x * dy - y * dx) / (x * x + y * y)


def atan2(y, x) -> Array:
    """atan2(y, x) of real arrays of one shape: `reduced_atan2` where `vectorised`, else
    `jnp.arctan2`."""
    y, x = jnp.asarray(y), jnp.asarray(x)
    if vectorised(x) and vectorised(y) and x.shape == y.shape:
        return reduced_atan2(y, x)
    return jnp.arctan2(y, x)
