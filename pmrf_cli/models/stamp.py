"""How a model enters a composition: its port relations for the nodal solver and its chain form.

A `PortStamp` states a model's P port relations at every frequency in one of two forms:

* admittance form, ``I = Y V`` (no extra unknowns; only where Y always exists), or
* descriptor form, ``M V + N I = 0`` (P equations; the P port currents become unknowns of the
  solver). Every linear P-port has a descriptor with bounded entries, ideal parts included: an
  S-block gives ``M = I - Sv``, ``N = -(I + Sv) diag(z0)``; a line gives its ABCD entries.

V and I are port voltages and the currents flowing into each port's + terminal. Each of `y`, `m`,
`n` is either an array of shape (F, P, P) or a P x P nested list of `cplx.Cx` entries (which keep
exact zeros and purely real or imaginary parts for the unrolled solver). A static boolean
`pattern` marks entries that may be non-zero, so the unrolled solver skips structural zeros;
`None` means dense (for nested lists, the entries that are not exact zeros).

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

    @property
    def is_admittance(self) -> bool:
        """True when the stamp is in admittance form."""
        return self.y is not None

    def pattern(self, which: str) -> np.ndarray:
        """The static non-zero pattern of `y`, `m` or `n` (dense when not given)."""
        p = getattr(self, f"{which}_pattern")
        if p is not None:
            return np.asarray(p, bool)
        v = getattr(self, which)
        if isinstance(v, (list, tuple)):
            return np.array([[not Cx.of(e).is_zero for e in row] for row in v], bool)
        return np.ones((self.nports, self.nports), bool)

    def entry(self, which: str, i: int, j: int) -> Cx:
        """One entry of `y`, `m` or `n` as a `Cx`."""
        v = getattr(self, which)
        if isinstance(v, (list, tuple)):
            return Cx.of(v[i][j])
        return Cx.of(v[..., i, j])

    def array(self, which: str, nfreq: int):
        """`y`, `m` or `n` as a complex array of shape (F, P, P)."""
        v = getattr(self, which)
        if isinstance(v, (list, tuple)):
            return stack_cx([[Cx.of(e) for e in row] for row in v], (nfreq,))
        return jnp.broadcast_to(v, (nfreq, self.nports, self.nports))


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
