"""Ideal non-reciprocal and matched parts: attenuator, isolator, circulator, and a VCCS.

S-parameters of the attenuator, isolator and circulator are referred to each port's own `z0`
(every port is matched to its reference). Levels are in dB: `loss` is the forward insertion
loss, `isolation` the reverse loss (default infinite: no reverse transmission).

In a circuit these enter by structured stamps with real, frequency-independent entries and a
static pattern, not the dense complex descriptor derived from S. The attenuator and isolator use
the descriptor (`matched_stamp`): from b = S a, (I - Sv) V - (I + Sv) Z I = 0 with
Sv = Z^1/2 S Z^-1/2 (it exists for every S, a 0 dB through included). The circulator uses its
admittance Y = Z^-1/2 (I + S)^-1 (I - S) Z^-1/2 (`circulator_admittance`): no extra unknowns;
it ties every port to every other (`PortStamp.coupled`), so its circuit is solved dense (a
circulator among matching parts compiled in ~2.2-3 s from the S-derived descriptor, ~1.3 s now). S is circulant,
S = fwd P + rev P^2 (P the cyclic shift), so (I + S)^-1 is too, in closed form; it exists
unless fwd = rev = 1 (loss = isolation = 0 dB, a non-passive part the netlist refuses).
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli.cplx import Cx, cis
from pmrf_cli.models.base import Model, as_array, freq_array, omega
from pmrf_cli.models.stamp import ChainParts, PortStamp


def db_to_gain(db) -> Array:
    """Voltage-wave magnitude 10^(-dB/20) of a loss in dB (inf dB -> 0)."""
    return 10.0 ** (-jnp.asarray(db) / 20.0)


def _matrix(f, entries: dict[tuple[int, int], Array], p: int) -> Array:
    """(F, p, p) complex matrix with the given (row, col) entries, zeros elsewhere."""
    zero = jnp.zeros(jnp.shape(f), dtype=complex)
    rows = [[entries.get((i, j), zero) + zero for j in range(p)] for i in range(p)]
    return jnp.stack([jnp.stack(r, -1) for r in rows], -2)


def matched_stamp(gains: dict[tuple[int, int], Array], z0, p: int) -> PortStamp:
    """Descriptor stamp M V + N I = 0 of a matched p-port whose S has the real, frequency-
    independent entries `gains` {(row, col): S_row,col} and zeros elsewhere (the diagonal too):
    M = I - Sv, N = -(I + Sv) Z, Sv_ij = sqrt(z_i / z_j) S_ij (see the module docstring). The
    entries are scalars, not arrays over the grid: the solver broadcasts them where it reads them."""
    z = jnp.broadcast_to(jnp.asarray(z0, float), (p,))
    zero = Cx()
    m = [[Cx(1.0) if i == j else zero for j in range(p)] for i in range(p)]
    n = [[Cx(-z[i]) if i == j else zero for j in range(p)] for i in range(p)]
    for (i, j), g in gains.items():
        sv = jnp.sqrt(z[i] / z[j]) * g
        m[i][j] = Cx(-sv)
        n[i][j] = Cx(-sv * z[j])
    pattern = np.eye(p, dtype=bool)
    for i, j in gains:
        pattern[i, j] = True
    return PortStamp(nports=p, m=m, n=n, m_pattern=pattern, n_pattern=pattern.copy())


def matched_chain(s21, s12, z0) -> ChainParts:
    """Chain form of a matched 2-port (S11 = S22 = 0) with real, frequency-independent S21 and
    S12: per-sample scalars, not arrays over the grid, so a ladder of such blocks stores and reads
    a few numbers per part (the general `Model.chain`, from S on the grid, stores 12 arrays).
    With p = S12 S21: A = sqrt(z1/z2) (1 + p), B = r (1 - p), C = (1 - p) / r,
    D = sqrt(z2/z1) (1 + p), mu = 2 S21, nu = 2 S12, r = sqrt(z1 z2)."""
    z = jnp.broadcast_to(jnp.asarray(z0, float), (2,))
    r, t = jnp.sqrt(z[0] * z[1]), jnp.sqrt(z[0] / z[1])
    p = s12 * s21
    return ChainParts(Cx(t * (1 + p)), Cx(r * (1 - p)), Cx((1 - p) / r), Cx((1 + p) / t), mu=Cx(2 * s21), nu=Cx(2 * s12))


def circulant_inverse(c0, c1, c2) -> tuple[Array, Array, Array]:
    """First column of the inverse of the 3 x 3 circulant c0 I + c1 P + c2 P^2 (P e_k = e_k+1)."""
    det = c0**3 + c1**3 + c2**3 - 3 * c0 * c1 * c2
    return (c0 * c0 - c1 * c2) / det, (c2 * c2 - c0 * c1) / det, (c1 * c1 - c0 * c2) / det


def circulator_admittance(fwd, rev, z0) -> list[list[Array]]:
    """Y (3 x 3 nested list, real) of the matched circulator S = fwd P + rev P^2 on references z0."""
    d0, d1, d2 = circulant_inverse(1.0, fwd, rev)
    # (I + S)^-1 (I - S): the cyclic convolution of (d0, d1, d2) with (1, -fwd, -rev)
    e = (d0 - d1 * rev - d2 * fwd, d1 - d0 * fwd - d2 * rev, d2 - d0 * rev - d1 * fwd)
    g = 1.0 / jnp.sqrt(jnp.broadcast_to(jnp.asarray(z0, float), (3,)))
    return [[e[(i - j) % 3] * g[i] * g[j] for j in range(3)] for i in range(3)]


class Attenuator(Model):
    """Matched attenuator of `dB` decibels: S11 = S22 = 0, S21 = S12 = 10^(-dB/20)."""

    dB: Array = eqx.field(converter=as_array)

    @property
    def nports(self) -> int:
        return 2

    def gains(self) -> dict[tuple[int, int], Array]:
        """The non-zero S entries {(row, col): value}."""
        k = db_to_gain(self.dB)
        return {(0, 1): k, (1, 0): k}

    def s(self, freq) -> Array:
        return _matrix(freq_array(freq), self.gains(), 2)

    def stamp(self, freq) -> PortStamp:
        return matched_stamp(self.gains(), self.port_z0(), 2)

    def chain(self, freq) -> ChainParts:
        k = db_to_gain(self.dB)
        return matched_chain(k, k, self.port_z0())


class Isolator(Model):
    """Ideal isolator, port 1 -> 2: S21 = 10^(-loss/20), S12 = 10^(-isolation/20), matched."""

    loss: Array = eqx.field(default=0.0, converter=as_array)
    isolation: Array = eqx.field(default=np.inf, converter=as_array)

    @property
    def nports(self) -> int:
        return 2

    def gains(self) -> dict[tuple[int, int], Array]:
        """The non-zero S entries {(row, col): value}."""
        return {(1, 0): db_to_gain(self.loss), (0, 1): db_to_gain(self.isolation)}

    def s(self, freq) -> Array:
        return _matrix(freq_array(freq), self.gains(), 2)

    def stamp(self, freq) -> PortStamp:
        return matched_stamp(self.gains(), self.port_z0(), 2)

    def chain(self, freq) -> ChainParts:
        return matched_chain(db_to_gain(self.loss), db_to_gain(self.isolation), self.port_z0())


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

    def gains(self) -> dict[tuple[int, int], Array]:
        """The non-zero S entries {(row, col): value}."""
        fwd, rev = db_to_gain(self.loss), db_to_gain(self.isolation)
        return {(1, 0): fwd, (2, 1): fwd, (0, 2): fwd, (0, 1): rev, (1, 2): rev, (2, 0): rev}

    def s(self, freq) -> Array:
        return _matrix(freq_array(freq), self.gains(), 3)

    def stamp(self, freq) -> PortStamp:
        y = circulator_admittance(db_to_gain(self.loss), db_to_gain(self.isolation), self.port_z0())
        return PortStamp(nports=3, y=[[Cx(v) for v in row] for row in y],
                         y_pattern=np.ones((3, 3), bool), coupled=True)


_VCCS_PATTERN = np.array([[0, 0], [1, 0]], bool)


class VCCS(Model):
    """Voltage-controlled current source, transconductance `gm` (S), delay `tau` (s).

    Port 1 (in+, in-) senses V_in and draws no current; port 2 (out+, out-) carries
    I_out = gm exp(-j w tau) V_in flowing into out+, through the source, and out of out-: the
    drain current of a FET with gate-source voltage V_in. In a circuit its nodes are
    [in+, in-, out+, out-] (or [in, out] to ground, or [in, out, common]); so Y = [[0, 0],
    [gm e^{-j w tau}, 0]], and a load R from out+ to out- gives V_out = -gm R V_in (common source).
    """

    DC = "open"

    gm: Array = eqx.field(converter=as_array)
    tau: Array = eqx.field(default=0.0, converter=as_array)

    @property
    def nports(self) -> int:
        return 2

    def transconductance(self, freq) -> Array:
        """gm exp(-j w tau) on the grid, (F,)."""
        return self._y21(freq).to_complex(jnp.shape(freq_array(freq)))

    def _y21(self, freq) -> Cx:
        """gm exp(-j w tau) as a `Cx` (cos and sin of w tau computed once per point)."""
        cos, sin = cis(omega(freq) * self.tau)
        return Cx(self.gm * cos, -self.gm * sin)

    def stamp(self, freq) -> PortStamp:
        zero = Cx()
        return PortStamp(nports=2, y=[[zero, zero], [self._y21(freq), zero]], y_pattern=_VCCS_PATTERN)

    def chain(self, freq) -> ChainParts:
        """A = C = D = 0, B = -1/y21 (V1 = I2 / y21, I1 = 0), in homogeneous form: m = [[0, 1],
        [0, 0]], mu = -y21, nu = 0 (no reverse transmission)."""
        zero = Cx()
        return ChainParts(zero, Cx(1.0), zero, zero, mu=-self._y21(freq), nu=zero)

    def s(self, freq) -> Array:
        z = self.port_z0()
        y21 = self.transconductance(freq)
        one = jnp.ones_like(y21)
        return _matrix(freq_array(freq), {(0, 0): one, (1, 1): one, (1, 0): -2 * jnp.sqrt(z[0] * z[1]) * y21}, 2)
