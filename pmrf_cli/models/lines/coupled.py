"""Ideal (lossless, TEM-mode) symmetric coupled line pair from even/odd-mode impedances.

Ports: 1 = line a input, 2 = line a output, 3 = line b input, 4 = line b output (so ports 1 and
3 are at the same end). Driving port 1, port 2 is the through port, port 3 the coupled port of
the backward-wave coupler and port 4 the isolated one; at the quarter-wave frequency with
z0e z0o = z0^2 the coupling is S31 = (z0e - z0o)/(z0e + z0o) and S11 = S41 = 0 (Pozar, sec. 7.6).

Each mode is a TEM line: the even mode (both lines at the same potential) has impedance z0e and
electrical length theta_e, the odd mode z0o and theta_o, in degrees at `f0`, scaling with f/f0.
With even/odd port sums and differences, V_e = V_a + V_b, V_o = V_a - V_b (same for currents),
each mode obeys its line's ABCD relations; these four equations are the descriptor stamp.

`DielectricCoupledLine` is the same pair given by its physical length in a lossy, possibly
dispersive dielectric: each mode sees the effective permittivity eps_m(f) = er_m d(f), where d(f)
is the dielectric's normalised permittivity (1 - j tan delta, or the wideband Djordjevic-Svensson
eps(f)/er of `lines.dielectric`, equal to 1 - j tan delta at `f_er`); as for any TEM mode
(L fixed, C proportional to the permittivity) its impedance is z0_m / sqrt(d(f)) and its
propagation constant j w sqrt(eps_m(f)) / c. With tan delta = 0 it is exactly `CoupledLine.physical`.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli.cplx import cis
from pmrf_cli.models.base import Model, as_array, freq_array
from pmrf_cli.models.lines.common import csqrt
from pmrf_cli.models.lines.dielectric import (
    F_ER,
    F_HIGH,
    F_LOW,
    FREQUENCY_INVARIANT,
    check_dielectric,
    permittivity,
    wideband_of,
)
from pmrf_cli.models.stamp import PortStamp
from pmrf_cli.models.tline import C0, cosh_sinh


def modes_s(modes, z0) -> Array:
    """S (F, 4, 4) of the symmetric pair on one real reference z0 (a scalar) at every port, from
    its even and odd modes' (A = D, B, C): an even (odd) excitation of both lines at once sees
    the mode's line alone, so S_aa = S_bb = (Se + So) / 2 and S_ab = S_ba = (Se - So) / 2, with
    Se, So the modes' 2-port S on z0 (symmetric lines: S11 = S22 = (B - C z0^2) / den,
    S21 = 2 z0 / den, den = 2 A z0 + B + C z0^2). Element-wise: no per-point linear solve."""
    (se11, se21), (so11, so21) = [
        ((b - c * z0 * z0) * inv, 2.0 * z0 * inv)
        for a, b, c in modes
        for inv in [1.0 / (2.0 * a * z0 + b + c * z0 * z0)]
    ]
    same = jnp.stack([jnp.stack([se11 + so11, se21 + so21], -1), jnp.stack([se21 + so21, se11 + so11], -1)], -2)
    cross = jnp.stack([jnp.stack([se11 - so11, se21 - so21], -1), jnp.stack([se21 - so21, se11 - so11], -1)], -2)
    return 0.5 * jnp.concatenate([jnp.concatenate([same, cross], -1), jnp.concatenate([cross, same], -1)], -2)


def pair_s(model, freq) -> Array:
    """S of a coupled pair: element-wise from its modes where every port has one reference
    (`modes_s`), else from its descriptor stamp (`descriptor_to_s`)."""
    if jnp.ndim(model.z0) == 0:
        return modes_s(model.modes(freq), model.z0)
    return descriptor_to_s(model.stamp(freq), model.port_z0().astype(float))


def descriptor_to_s(stamp: PortStamp, z0) -> Array:
    """S (F, P, P) on real references z0 (P,) from a descriptor stamp M V + N I = 0:
    with V = sqrt(z) (a + b), I = (a - b)/sqrt(z), S = -(M D - N/D)^-1 (M D + N/D)."""
    d = jnp.sqrt(z0)
    md, nd = stamp.m * d[None, None, :], stamp.n / d[None, None, :]
    return -jnp.linalg.solve(md - nd, md + nd)


class CoupledLine(Model):
    """Ideal coupled pair: even/odd impedances `z0e`, `z0o` (ohm), even/odd electrical lengths
    `theta_e`, `theta_o` (degrees) at frequency `f0` (Hz). Ports as in the module docstring."""

    DC = "through"
    DC_THROUGH = ((0, 1), (2, 3))

    z0e: Array = eqx.field(converter=as_array)
    z0o: Array = eqx.field(converter=as_array)
    theta_e: Array = eqx.field(converter=as_array)
    theta_o: Array = eqx.field(converter=as_array)
    f0: Array = eqx.field(converter=as_array)

    @classmethod
    def physical(cls, z0e, z0o, length, ere, ero, **kw) -> "CoupledLine":
        """The pair of physical `length` (m) with even/odd effective permittivities `ere`, `ero`."""
        deg = 360.0 * jnp.asarray(length) / C0
        return cls(z0e, z0o, deg * jnp.sqrt(ere), deg * jnp.sqrt(ero), 1.0, **kw)

    @property
    def nports(self) -> int:
        return 4

    def modes(self, freq) -> list[tuple[Array, Array, Array]]:
        """The even and odd modes' ABCD entries (A = D, B, C), each (F,) complex."""
        f = freq_array(freq)
        out = []
        for z, th in ((self.z0e, self.theta_e), (self.z0o, self.theta_o)):
            cb, sb = cis(jnp.deg2rad(th) * f / self.f0)
            out.append((cb + 0j, 1j * z * sb, 1j * sb / z))
        return out

    def stamp(self, freq) -> PortStamp:
        return modes_stamp(self.modes(freq))

    def s(self, freq) -> Array:
        return pair_s(self, freq)


def modes_stamp(modes) -> PortStamp:
    """The pair's descriptor stamp from its even and odd modes' (A = D, B, C) entries."""
    rows_m, rows_n = [], []
    for (a, b, c), sign in zip(modes, (1.0, -1.0)):
        one, zero = jnp.ones_like(a), jnp.zeros_like(a)
        # ports (a1, a2, b1, b2): V_m1 - A V_m2 + B I_m2 = 0 ; I_m1 - C V_m2 + D I_m2 = 0
        rows_m += [[one, -a, sign * one, -sign * a], [zero, -c, zero, -sign * c]]
        rows_n += [[zero, b, zero, sign * b], [one, a, sign * one, sign * a]]
    m = jnp.stack([jnp.stack(r, -1) for r in rows_m], -2)
    n = jnp.stack([jnp.stack(r, -1) for r in rows_n], -2)
    return PortStamp(nports=4, m=m, n=n)


class DielectricCoupledLine(Model):
    """Coupled pair of physical `length` (m) in a lossy dielectric: even/odd impedances `z0e`,
    `z0o` (ohm) and effective permittivities `ere`, `ero` of the lossless pair, loss tangent
    `tand`, `dielectric` (static) "frequency-invariant" or "djordjevic-svensson" (`f_er`, `f_low`,
    `f_high`, Hz, as for `Microstrip`). Ports as `CoupledLine`; see the module docstring."""

    DC = "through"
    DC_THROUGH = ((0, 1), (2, 3))

    z0e: Array = eqx.field(converter=as_array)
    z0o: Array = eqx.field(converter=as_array)
    length: Array = eqx.field(converter=as_array)
    ere: Array = eqx.field(converter=as_array)
    ero: Array = eqx.field(converter=as_array)
    tand: Array = eqx.field(default=0.0, converter=as_array)
    dielectric: str = eqx.field(default=FREQUENCY_INVARIANT, static=True)
    f_er: Array = eqx.field(default=F_ER, converter=as_array)
    f_low: Array = eqx.field(default=F_LOW, converter=as_array)
    f_high: Array = eqx.field(default=F_HIGH, converter=as_array)

    def __check_init__(self):
        check_dielectric(self.dielectric)

    @property
    def nports(self) -> int:
        return 4

    def modes(self, freq) -> list[tuple[Array, Array, Array]]:
        """The even and odd modes' ABCD entries (A = D, B, C), each (F,) complex."""
        f = freq_array(freq)
        d = permittivity(1.0, self.tand, f, wideband_of(self)).complex
        sd = csqrt(d)
        out = []
        for z, er in ((self.z0e, self.ere), (self.z0o, self.ero)):
            gl = 2j * np.pi * f * jnp.sqrt(er) * sd / C0 * self.length
            ch, sh = cosh_sinh(gl)
            shape = jnp.shape(gl)
            ch, sh = ch.to_complex(shape), sh.to_complex(shape)
            zc = z / sd
            out.append((ch, zc * sh, sh / zc))
        return out

    def stamp(self, freq) -> PortStamp:
        return modes_stamp(self.modes(freq))

    def s(self, freq) -> Array:
        return pair_s(self, freq)
