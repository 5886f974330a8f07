"""TEM transmission lines: ideal or lossy, from physical or electrical length.

The line is described by its characteristic impedance `zc` (real here) and propagation
gamma = alpha + j beta: alpha from `loss` (dB/m, frequency independent), beta = w sqrt(er) / c.
Its ABCD matrix [[cosh gl, zc sinh gl], [sinh gl / zc, cosh gl]] has bounded entries for any
length, so the nodal solver stamps the line in descriptor form from it: a half-wave line (where
the admittance stamp's 1/sin(theta) blows up) costs no precision.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli.cplx import Cx, cis, stored
from pmrf_cli.models.base import Model, as_array, chain_to_s, freq_array
from pmrf_cli.models.stamp import ChainParts, PortStamp

C0 = 299_792_458.0
NEPER_PER_DB = np.log(10.0) / 20.0
_Y_PATTERN = np.array([[0, 1], [0, 0]], bool)
_K_PATTERN = np.array([[1], [1]], bool)
_M_PATTERN = np.array([[1, 1]], bool)
_N_PATTERN = np.array([[1]], bool)


def cosh_sinh(gl) -> tuple[Cx, Cx]:
    """cosh and sinh of a complex array gl = a + j b from its parts: cosh a cos b + j sinh a sin b
    and sinh a cos b + j cosh a sin b. Real cosh, sinh, cos and sin of the parts, shared by both
    results: about a third of the work of complex `jnp.cosh` and `jnp.sinh` (and it keeps the
    real/imaginary structure for the solvers)."""
    gl = Cx.of(gl)
    a = 0.0 if gl.re is None else gl.re
    b = 0.0 if gl.im is None else gl.im
    # computed once: XLA copied cosh and sinh of the loss, and the loss model behind it, into
    # each of the chain entries' fusions (a microstrip section 11 % faster)
    ca, sa = (np.cosh(a), np.sinh(a)) if isinstance(a, float) else stored((jnp.cosh(a), jnp.sinh(a)), a)
    cb, sb = cis(b)
    return Cx(ca * cb, sa * sb), Cx(sa * cb, ca * sb)


def line_chain(zc, gl) -> ChainParts:
    """Chain form of a TEM line of impedance `zc` and complex electrical length `gl` = gamma * l."""
    ch, sh = cosh_sinh(gl)
    zc = Cx.of(zc)
    return ChainParts(ch, zc * sh, sh / zc, ch)


def lossless_chain(zc, theta) -> ChainParts:
    """Chain form of a lossless line of real impedance `zc` and electrical length `theta` (rad):
    A = D = cos(theta) real, B = j zc sin(theta), C = j sin(theta) / zc imaginary."""
    c, s = cis(theta)
    return ChainParts(Cx(c), Cx(None, zc * s), Cx(None, s / zc), Cx(c))


def chain_stamp(parts: ChainParts) -> PortStamp:
    """Stamp of a reciprocal 2-port (mu = nu = 1) from its chain form, with one extra unknown:
    x, the current out of port 2. I1 = C V2 + D x, I2 = -x, and V1 - A V2 - B x = 0.
    """
    a, b, c, d = (Cx.of(v) for v in (parts.a, parts.b, parts.c, parts.d))
    zero = Cx()
    return PortStamp(
        nports=2,
        y=[[zero, c], [zero, zero]],
        k=[[d], [Cx(-1.0)]],
        m=[[Cx(1.0), -a]],
        n=[[-b]],
        y_pattern=_Y_PATTERN,
        k_pattern=_K_PATTERN,
        m_pattern=_M_PATTERN,
        n_pattern=_N_PATTERN,
    )


class TEMLine(Model):
    """Base for 2-port TEM lines: subclasses give `zc_gamma(freq)` and a `length` field, or
    override `electrical(freq) -> (zc, gamma * length)`.

    A line's chain form is `chain_of(medium(freq), length)`: the medium (by default (zc, gamma);
    for some lines (Z', Y') per metre) holds all the physics and does not depend on the length,
    so lines of one medium (the sections of a stepped-impedance filter that share a width) share
    its evaluation in a circuit (`circuit.stages`)."""

    DC = "through"

    @property
    def nports(self) -> int:
        return 2

    def zc_gamma(self, freq) -> tuple[Array, Array]:
        """(zc, gamma) on the grid: impedance (ohm) and propagation constant (1/m)."""
        raise NotImplementedError

    def electrical(self, freq) -> tuple[Array, Array]:
        """(zc, gamma * length) on the grid, each of shape (F,); from `zc_gamma` and `length`."""
        zc, gamma = self.zc_gamma(freq)
        return zc, gamma * self.length

    def medium(self, freq):
        """The length-independent quantities on the grid that `chain_of` takes: (zc, gamma)."""
        return self.zc_gamma(freq)

    @staticmethod
    def chain_of(medium, length) -> ChainParts:
        """The chain form of `length` metres of `medium`."""
        zc, gamma = medium
        return line_chain(zc, gamma * length)

    def chain(self, freq) -> ChainParts:
        if type(self).electrical is not TEMLine.electrical:
            return line_chain(*self.electrical(freq))
        return self.chain_of(self.medium(freq), self.length)

    def s(self, freq) -> Array:
        z = self.port_z0()
        return chain_to_s(self.chain(freq), z[0], z[1], jnp.shape(freq_array(freq)))

    def stamp(self, freq) -> PortStamp:
        return chain_stamp(self.chain(freq))


class TransmissionLine(TEMLine):
    """Ideal or lossy TEM line: impedance `zc` (ohm), `length` (m), effective permittivity `er`,
    `loss` in dB/m (`None`: lossless, which the solvers exploit: A and D stay real, B and C
    imaginary). `TransmissionLine.electrical_length(zc, theta, f0)` gives the lossless line of
    `theta` degrees at `f0` Hz.
    """

    zc: Array = eqx.field(converter=as_array)
    length: Array = eqx.field(converter=as_array)
    er: Array = eqx.field(default=1.0, converter=as_array)
    loss: Array | None = eqx.field(default=None, converter=lambda x: None if x is None else as_array(x))

    @classmethod
    def electrical_length(cls, zc, theta, f0, **kw) -> "TransmissionLine":
        """A lossless line of `theta` degrees at `f0` (in air: er = 1)."""
        return cls(zc, jnp.asarray(theta) / 360.0 * C0 / jnp.asarray(f0), **kw)

    def electrical(self, freq):
        f = freq_array(freq)
        beta = 2 * np.pi * f * jnp.sqrt(self.er) / C0
        alpha = 0.0 if self.loss is None else self.loss * NEPER_PER_DB
        gl = (alpha + 1j * beta) * self.length
        return jnp.broadcast_to(self.zc, jnp.shape(gl)) + 0j, gl

    def chain(self, freq) -> ChainParts:
        if self.loss is not None:
            return super().chain(freq)
        theta = 2 * np.pi * freq_array(freq) * jnp.sqrt(self.er) / C0 * self.length
        return lossless_chain(self.zc, theta)
