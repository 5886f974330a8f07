"""How a model enters a composition: its port relations for the nodal solver and its chain form.

A `PortStamp` states a model's P port relations at every frequency, in the general hybrid form

    I = Y V + K x,    M V + N x = 0,

with k extra current unknowns x (k equations). Special cases:

* admittance form, ``I = Y V`` (k = 0; only where Y always exists: a capacitor, a VCCS);
* descriptor form, ``M V + N I = 0`` (K = identity, x = the port currents). Every linear P-port
  has one with bounded entries, ideal parts included: an S-block gives ``M = I - Sv``,
  ``N = -(I + Sv) diag(z0)``;
* chain form of a 2-port (k = 1, x = the current out of port 2): I1 = C V2 + D x, I2 = -x,
  V1 - A V2 - B x = 0. Bounded for any line length, and one unknown instead of two; an ideal
  transformer likewise needs one.

V and I are port voltages and the currents flowing into each port's + terminal. Each of `y`, `m`,
`n` is either an array of shape (F, P, P) or a P x P nested list of `cplx.Cx` entries (which keep
exact zeros and purely real or imaginary parts for the unrolled solver). A static boolean
`pattern` marks entries that may be non-zero, so the unrolled solver skips structural zeros;
`None` means dense (for nested lists, the entries that are not exact zeros). `coupled` (static)
marks relations that tie every port to every other (a circulator's admittance): the circuit
then prefers the dense solver (see `circuit.circuit.MAX_UNROLLED_COUPLED_PORTS`).

A `ChainParts` is a 2-port's transfer matrix in homogeneous form: the true ABCD is ``m / mu``
and ``det(ABCD) = nu / mu``, with `mu` and `nu` finite where the plain ABCD is not (a series
capacitor at DC, a shunt inductor at DC, an S-block with S21 = 0). Entries are `cplx.Cx` values
(or anything `Cx.of` takes), so cascades fold exact zeros and ones and skip the zero real or
imaginary parts of reactive elements; `mu = nu = None` means both are 1 (reciprocal parts of unit
determinant, the common case).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from pmrf_cli.cplx import Cx, stack_cx

Entry = Any  # a jax array of shape (F,) or a Python number


@dataclass(frozen=True)
class PortStamp:
    """Port relations of a P-port: admittance (`y`) or descriptor (`m`, `n`) form."""

    nports: int
    y: Any = None
    m: Any = None
    n: Any = None
    y_pattern: np.ndarray | None = None
    m_pattern: np.ndarray | None = None
    n_pattern: np.ndarray | None = None
    k: Any = None
    k_pattern: np.ndarray | None = None
    coupled: bool = False

    @property
    def is_admittance(self) -> bool:
        """True when the stamp is in pure admittance form (no extra unknowns)."""
        return self.m is None

    @property
    def nbranch(self) -> int:
        """Number of extra current unknowns."""
        if self.m is None:
            return 0
        return len(self.m) if isinstance(self.m, (list, tuple)) else int(self.m.shape[-2])

    def shape(self, which: str) -> tuple[int, int]:
        """(rows, cols) of `y`, `m`, `n` or `k`."""
        p, b = self.nports, self.nbranch
        return {"y": (p, p), "m": (b, p), "n": (b, b), "k": (p, b)}[which]

    def pattern(self, which: str) -> np.ndarray:
        """The static non-zero pattern of `y`, `m` or `n` (dense when not given)."""
        p = getattr(self, f"{which}_pattern")
        if p is not None:
            return np.asarray(p, bool)
        v = getattr(self, which)
        if which == "k" and v is None:
            return np.eye(self.nports, self.nbranch, dtype=bool)
        if v is None:
            return np.zeros(self.shape(which), bool)
        if isinstance(v, (list, tuple)):
            return np.array([[not Cx.of(e).is_zero for e in row] for row in v], bool).reshape(self.shape(which))
        return np.ones(self.shape(which), bool)

    def entry(self, which: str, i: int, j: int) -> Cx:
        """One entry of `y`, `m` or `n` as a `Cx`."""
        v = getattr(self, which)
        if which == "k" and v is None:
            return Cx(1.0 if i == j else 0.0)
        if isinstance(v, (list, tuple)):
            return Cx.of(v[i][j])
        return Cx.of(v[..., i, j])

    def array(self, which: str, nfreq: int):
        """`y`, `m` or `n` as a complex array of shape (F, P, P)."""
        v = getattr(self, which)
        if which == "k" and v is None:
            return jnp.broadcast_to(jnp.eye(self.nports, self.nbranch, dtype=complex), (nfreq,) + self.shape("k"))
        if isinstance(v, (list, tuple)):
            rows, cols = self.shape(which)
            return stack_cx([[Cx.of(e) for e in row] for row in v], (nfreq,)).reshape((nfreq, rows, cols)) if rows == cols else _stack_rect(v, nfreq, rows, cols)
        return jnp.broadcast_to(v, (nfreq,) + self.shape(which))


def _stack_rect(v, nfreq: int, rows: int, cols: int):
    """A rows x cols nested list of Cx -> complex (F, rows, cols)."""
    flat = [Cx.of(e).to_complex((nfreq,)) for row in v for e in row]
    return jnp.stack(flat, -1).reshape(nfreq, rows, cols)


@dataclass(frozen=True)
class ChainParts:
    """A 2-port's ABCD matrix in homogeneous form: ABCD = m / mu, det(ABCD) = nu / mu."""

    a: Entry
    b: Entry
    c: Entry
    d: Entry
    mu: Entry | None = None
    nu: Entry | None = None

    def reversed(self) -> "ChainParts":
        """The same 2-port with its ports swapped."""
        return ChainParts(self.d, self.b, self.c, self.a, self.nu, self.mu)


def is_one(x: Cx) -> bool:
    """Whether `x` is the constant 1 (known at trace time)."""
    return isinstance(x.re, float) and x.re == 1.0 and x.im is None


def ratio_stamp(p: Cx, q: Cx) -> PortStamp:
    """The stamp of a one-port of admittance q / p: q V - p I = 0 (homogeneous: p = 0 is a
    short, q = 0 an open), or the admittance q itself where p is the constant 1."""
    one = np.ones((1, 1), bool)
    if is_one(p):
        return PortStamp(nports=1, y=[[q]], y_pattern=one)
    return PortStamp(nports=1, m=[[q]], n=[[-p]], m_pattern=one, n_pattern=one)


def ratio_shunt_chain(p: Cx, q: Cx) -> ChainParts:
    """The chain form of a one-port of admittance q / p from a node to ground, [[p, 0], [q, p]]
    / p, or [[1, 0], [q, 1]] where p is the constant 1."""
    if is_one(p):
        return ChainParts(Cx(1.0), Cx(), q, Cx(1.0))
    return ChainParts(p, Cx(), q, p, mu=p, nu=p)


_STAMP_PARTS = ("y", "m", "n", "k")
_STAMP_STATIC = ("nports", "y_pattern", "m_pattern", "n_pattern", "k_pattern", "coupled")


def _stamp_flatten(st: PortStamp):
    return tuple(getattr(st, k) for k in _STAMP_PARTS), tuple(getattr(st, k) for k in _STAMP_STATIC)


def _stamp_unflatten(static, parts) -> PortStamp:
    return PortStamp(**dict(zip(_STAMP_STATIC, static)), **dict(zip(_STAMP_PARTS, parts)))


# pytrees, so `cplx.materialize` can stage them (a list of Cx rows flattens into its parts)
jax.tree_util.register_pytree_node(PortStamp, _stamp_flatten, _stamp_unflatten)
jax.tree_util.register_pytree_node(
    ChainParts,
    lambda c: ((c.a, c.b, c.c, c.d, c.mu, c.nu), None),
    lambda _, parts: ChainParts(*parts),
)
