"""Ideal non-reciprocal and matched parts: attenuator, isolator, circulator, and a VCCS.

S-parameters of the attenuator, isolator and circulator are referred to each port's own `z0`
(every port is matched to its reference). Levels are in dB: `loss` is the forward insertion
loss, `isolation` the reverse loss (default infinite: no reverse transmission).
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli.models.base import Model, as_array, freq_array, omega
from pmrf_cli.models.stamp import PortStamp


def db_to_gain(db) -> Array:
    """Voltage-wave magnitude 10^(-dB/20) of a loss in dB (inf dB -> 0)."""
    return 10.0 ** (-jnp.asarray(db) / 20.0)


def _matrix(f, entries: dict[tuple[int, int], Array], p: int) -> Array:
    """(F, p, p) complex matrix with the given (row, col) entries, zeros elsewhere."""
    zero = jnp.zeros(jnp.shape(f), dtype=complex)
    rows = [[entries.get((i, j), zero) + zero for j in range(p)] for i in range(p)]
    return jnp.stack([jnp.stack(r, -1) for r in rows], -2)


class Attenuator(Model):
    """Matched attenuator of `dB` decibels: S11 = S22 = 0, S21 = S12 = 10^(-dB/20)."""

    dB: Array = eqx.field(converter=as_array)

    @property
    def nports(self) -> int:
        return 2

    def s(self, freq) -> Array:
        k = db_to_gain(self.dB)
        return _matrix(freq_array(freq), {(0, 1): k, (1, 0): k}, 2)


class Isolator(Model):
    """Ideal isolator, port 1 -> 2: S21 = 10^(-loss/20), S12 = 10^(-isolation/20), matched."""

    loss: Array = eqx.field(default=0.0, converter=as_array)
    isolation: Array = eqx.field(default=np.inf, converter=as_array)

    @property
    def nports(self) -> int:
        return 2

    def s(self, freq) -> Array:
        fwd, rev = db_to_gain(self.loss), db_to_gain(self.isolation)
        return _matrix(freq_array(freq), {(1, 0): fwd, (0, 1): rev}, 2)


class Circulator(Model):
    """Ideal 3-port circulator 1 -> 2 -> 3 -> 1: S21 = S32 = S13 = 10^(-loss/20), the reverse
    paths S12 = S23 = S31 = 10^(-isolation/20) (real, in phase with the through paths), matched.

    Passive exactly when 10^(-loss/20) + 10^(-isolation/20) <= 1: a matched circulator with
    finite isolation must have some insertion loss (a lossless matched 3-port is necessarily an
    ideal circulator). The isolator is passive for any loss and isolation >= 0 dB.
    """

    loss: Array = eqx.field(default=0.0, converter=as_array)
    isolation: Array = eqx.field(default=np.inf, converter=as_array)

    @property
    def nports(self) -> int:
        return 3

    def s(self, freq) -> Array:
        fwd, rev = db_to_gain(self.loss), db_to_gain(self.isolation)
        entries = {(1, 0): fwd, (2, 1): fwd, (0, 2): fwd, (0, 1): rev, (1, 2): rev, (2, 0): rev}
        return _matrix(freq_array(freq), entries, 3)


_VCCS_PATTERN = np.array([[0, 0], [1, 0]], bool)


class VCCS(Model):
    """Voltage-controlled current source, transconductance `gm` (S), delay `tau` (s).

    Port 1 (in+, in-) senses V_in and draws no current; port 2 (out+, out-) carries
    I_out = gm exp(-j w tau) V_in flowing into out+, through the source, and out of out-: the
    drain current of a FET with gate-source voltage V_in. In a circuit its nodes are
    [in+, in-, out+, out-] (or [in, out] to ground, or [in, out, common]); so Y = [[0, 0],
    [gm e^{-j w tau}, 0]], and a load R from out+ to out- gives V_out = -gm R V_in (common source).
    """

    gm: Array = eqx.field(converter=as_array)
    tau: Array = eqx.field(default=0.0, converter=as_array)

    @property
    def nports(self) -> int:
        return 2

    def transconductance(self, freq) -> Array:
        """gm exp(-j w tau) on the grid, (F,)."""
        return self.gm * jnp.exp(-1j * omega(freq) * self.tau)

    def stamp(self, freq) -> PortStamp:
        y21 = self.transconductance(freq)
        return PortStamp(nports=2, y=_matrix(freq_array(freq), {(1, 0): y21}, 2), y_pattern=_VCCS_PATTERN)

    def s(self, freq) -> Array:
        z = self.port_z0()
        y21 = self.transconductance(freq)
        one = jnp.ones_like(y21)
        return _matrix(freq_array(freq), {(0, 0): one, (1, 1): one, (1, 0): -2 * jnp.sqrt(z[0] * z[1]) * y21}, 2)
