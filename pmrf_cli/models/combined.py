"""Two-terminal parts in series or in parallel, as one two-terminal part.

`circuit.reduce` builds these from a circuit's elements: a parallel LC tank in a series arm, a
series LC trap to ground, an R + L branch. Each part's impedance is carried as a ratio
Z = p / q (`TwoTerminal.ratio`), so the combination is exact for shorts, opens and resonances:

    series:   p = p1 q2 + p2 q1,  q = q1 q2        (Z = Z1 + Z2)
    parallel: p = p1 p2,          q = q1 p2 + q2 p1  (Y = Y1 + Y2)

The combination's chain form, [[q, p], [0, q]] / q in series and [[p, 0], [q, p]] / p as a
shunt, and its stamp, q V - p I = 0, are homogeneous in (p, q): a tank at resonance (q = 0) is
an open and a trap at resonance (p = 0) a short, with no division. Where the constants fold
(every part impedance-like in series, or admittance-like in parallel) the forms are those of a
single R, L or C: an impedance with a current unknown, or an admittance without one.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp

from pmrf_cli.cplx import Cx
from pmrf_cli.models.lumped import TwoTerminal
from pmrf_cli.models.stamp import ChainParts, PortStamp, is_one, ratio_shunt_chain, ratio_stamp


def _zero(x: Cx):
    """Where x is 0: True, False (known at trace time) or a boolean array."""
    parts = [part for part in (x.re, x.im) if part is not None]
    if any(isinstance(part, float) for part in parts):
        return False  # a nonzero constant part (Cx folds zero constants to None)
    out = True
    for part in parts:
        out = jnp.logical_and(out, part == 0)
    return out


def _guarded(p: Cx, q: Cx, open_: bool) -> tuple[Cx, Cx]:
    """(p, q), but an open (1, 0) or a short (0, 1) where both are 0: two opens in series or two
    shorts in parallel, whose ratio would be 0 / 0. The node between them floats there, a point
    where the circuit has no unique solution (0 Hz for two series capacitors, which `circuit.dc`
    solves); this keeps the regular path, and its derivatives, finite at such points."""
    zp, zq = _zero(p), _zero(q)
    if zp is False or zq is False:
        return p, q
    if zp is True and zq is True:
        return (Cx(1.0), Cx()) if open_ else (Cx(), Cx(1.0))
    both = jnp.logical_and(zp, zq)
    x = p if open_ else q  # its real part becomes 1 there (both parts are 0 there already)
    x = Cx(jnp.where(both, 1.0, 0.0 if x.re is None else x.re), x.im)
    return (x, q) if open_ else (p, x)


def combined_ratio(ratios, parallel: bool) -> tuple[Cx, Cx]:
    """The impedance ratio (p, q) of parts whose ratios are `ratios`, in series or in parallel."""
    p, q = ratios[0]
    for p2, q2 in ratios[1:]:
        if parallel:
            p, q = _guarded(p * p2, q * p2 + q2 * p, open_=False)
        else:
            p, q = _guarded(p * q2 + p2 * q, q * q2, open_=True)
    return p, q


class SeriesParallel(TwoTerminal):
    """The two-terminal parts `parts` in series (`parallel=False`) or in parallel."""

    parts: tuple[TwoTerminal, ...]
    parallel: bool = eqx.field(static=True)

    def ratio(self, freq) -> tuple[Cx, Cx]:
        """The impedance as (p, q), Z = p / q, combined from the parts' ratios."""
        return combined_ratio([part.ratio(freq) for part in self.parts], self.parallel)

    def immittance(self, freq):
        """('z', Z) where the ratio's q is 1, ('y', Y) where p is 1; otherwise neither is finite
        everywhere (a tank at resonance, a trap) and this raises: use `ratio`."""
        p, q = self.ratio(freq)
        if is_one(q):
            return "z", p
        if is_one(p):
            return "y", q
        raise ValueError("a series-parallel combination of mixed parts has no finite immittance; use ratio()")

    def element_stamp(self, freq) -> PortStamp:
        return ratio_stamp(*self.ratio(freq))

    def chain(self, freq) -> ChainParts:
        p, q = self.ratio(freq)
        if is_one(q):
            return ChainParts(Cx(1.0), p, Cx(), Cx(1.0))
        return ChainParts(q, p, Cx(), q, mu=q, nu=q)

    def shunt_chain(self, freq) -> ChainParts:
        return ratio_shunt_chain(*self.ratio(freq))

    def stamp(self, freq) -> PortStamp:
        """As a standalone 2-port (between ports 1 and 2, both to ground): q (V1 - V2) - p I1 = 0,
        I1 + I2 = 0."""
        p, q = self.ratio(freq)
        zero, one = Cx(), Cx(1.0)
        return PortStamp(nports=2, m=[[q, -q], [zero, zero]], n=[[-p, zero], [one, one]])
