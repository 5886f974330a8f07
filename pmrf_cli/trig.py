"""Cosine and sine of a float64 array together: vectorised, from one argument reduction.

XLA:CPU evaluates float64 `cos` and `sin` one element at a time (about 19 ns per element for
both on the reference machine, one core), while products, sums and selects run as vector code
(3 ns for both here). A line's electrical length and every complex exponential or power need
both at every (sample, frequency) point.

`sincos` reduces x once, r = x - k pi/2 with k = round(2x/pi) (Cody-Waite: pi/2 split into four
parts of 27 significant bits, so each k * part is exact for |k| < 2^26, i.e. |x| < 1e8), and
evaluates the Taylor polynomials of sin and cos on |r| <= pi/4 up to r^17 and r^18, whose
truncation errors (|r|^19/19!, |r|^20/20!) are below 1e-19: the results are within 2 ulp of the
correctly rounded values, and the quadrant k mod 4 swaps and signs them. Beyond |x| = 1e8 the
reduction loses accuracy gradually (a line a hundred million radians long is not a circuit).
Derivatives are those of the polynomials: within 2 ulp of (-sin x, cos x).

The polynomials add ~50 operations per call site to the program, which compile: 0.1-0.35 s more
for a microstrip circuit's sweep kernel, whose run time they cut by 8-15 % (lossy lines,
microstrip, RLGC). So they are taken where that pays: per-point arrays (not per-sample scalars)
in a program that evaluates at least `VECTOR_TRIG_POINTS` points (`workload.evaluation_points`);
elsewhere, and for other dtypes, `jnp.cos` and `jnp.sin`.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import jax.numpy as jnp
from jax import Array

from pmrf_cli.workload import points_evaluated

#: (sample, frequency) points from which a program's per-point cosines and sines are vectorised:
#: a 10-section microstrip ladder saves ~8.5 ns per section and point on 2 cores, against
#: ~0.25 s more compile time, which 5e6 points x 5 sections repay
VECTOR_TRIG_POINTS = 5_000_000


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


def sincos(x) -> tuple[Array, Array]:
    """(cos x, sin x) of a real array: `reduced_sincos` for a float64 array of per-point values
    in a program of at least `VECTOR_TRIG_POINTS` points, else `jnp.cos` and `jnp.sin`."""
    x = jnp.asarray(x)
    points = points_evaluated()
    if x.dtype == jnp.float64 and x.ndim > 0 and points is not None and points >= VECTOR_TRIG_POINTS:
        return reduced_sincos(x)
    return jnp.cos(x), jnp.sin(x)
