"""Ideal (lossless, TEM-mode) symmetric coupled line pair from even/odd-mode impedances.

Ports: 1 = line a input, 2 = line a output, 3 = line b input, 4 = line b output (so ports 1 and
3 are at the same end). Driving port 1, port 2 is the through port, port 3 the coupled port of
the backward-wave coupler and port 4 the isolated one; at the quarter-wave frequency with
z0e z0o = z0^2 the coupling is S31 = (z0e - z0o)/(z0e + z0o) and S11 = S41 = 0 (Pozar, sec. 7.6).

Each mode is a TEM line: the even mode (both lines at the same potential) has impedance z0e and
electrical length theta_e, the odd mode z0o and theta_o, in degrees at `f0`, scaling with f/f0.
With even/odd port sums and differences, V_e = V_a + V_b, V_o = V_a - V_b (same for currents),
each mode obeys its line's ABCD relations; these four equations are the descriptor stamp.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli.models.base import Model, as_array, freq_array
from pmrf_cli.models.stamp import PortStamp
from pmrf_cli.models.tline import C0


def descriptor_to_s(stamp: PortStamp, z0) -> Array:
    """S (F, P, P) on real references z0 (P,) from a descriptor stamp M V + N I = 0:
    with V = sqrt(z) (a + b), I = (a - b)/sqrt(z), S = -(M D - N/D)^-1 (M D + N/D)."""
    d = jnp.sqrt(z0)
    md, nd = stamp.m * d[None, None, :], stamp.n / d[None, None, :]
    return -jnp.linalg.solve(md - nd, md + nd)


class CoupledLine(Model):
    """Ideal coupled pair: even/odd impedances `z0e`, `z0o` (ohm), even/odd electrical lengths
    `theta_e`, `theta_o` (degrees) at frequency `f0` (Hz). Ports as in the module docstring."""

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

    def stamp(self, freq) -> PortStamp:
        f = freq_array(freq)
        rows_m, rows_n = [], []
        for z, th, sign in ((self.z0e, self.theta_e, 1.0), (self.z0o, self.theta_o, -1.0)):
            bl = jnp.deg2rad(th) * f / self.f0
            a, b, c = jnp.cos(bl) + 0j, 1j * z * jnp.sin(bl), 1j * jnp.sin(bl) / z
            one, zero = jnp.ones_like(a), jnp.zeros_like(a)
            # ports (a1, a2, b1, b2): V_m1 - A V_m2 + B I_m2 = 0 ; I_m1 - C V_m2 + D I_m2 = 0
            rows_m += [[one, -a, sign * one, -sign * a], [zero, -c, zero, -sign * c]]
            rows_n += [[zero, b, zero, sign * b], [one, a, sign * one, sign * a]]
        m = jnp.stack([jnp.stack(r, -1) for r in rows_m], -2)
        n = jnp.stack([jnp.stack(r, -1) for r in rows_n], -2)
        return PortStamp(nports=4, m=m, n=n)

    def s(self, freq) -> Array:
        return descriptor_to_s(self.stamp(freq), self.port_z0().astype(float))
