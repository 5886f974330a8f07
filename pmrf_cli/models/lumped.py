"""Lumped two-terminal parts: R, L, C.

Standalone, each is a 2-port series element (as in the ParamRF seed: `Capacitor(C).s(freq)` has
shape (F, 2, 2)). Inside a `Circuit` with two nodes it is a two-terminal element between them.
An element is either impedance-like (its Z always exists: R, L) or admittance-like (its Y always
exists: C); compositions use the form that stays finite, so a 0-ohm resistor, a DC inductor and
a DC capacitor are all exact.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli.cplx import Cx
from pmrf_cli.models.base import Model, as_array, chain_to_s, freq_array, omega
from pmrf_cli.models.stamp import ChainParts, PortStamp

_ONE = np.ones((1, 1), bool)


class TwoTerminal(Model):
    """A two-terminal element; subclasses give `immittance(freq) -> (kind, value)`."""

    @property
    def nports(self) -> int:
        return 2

    def immittance(self, freq) -> tuple[str, Cx | Array]:
        """('z', Z) or ('y', Y) on the grid: a `Cx` (or a complex array) of shape (F,)."""
        raise NotImplementedError

    def _immittance(self, freq) -> tuple[str, Cx]:
        kind, v = self.immittance(freq)
        return kind, Cx.of(v)

    def ratio(self, freq) -> tuple[Cx, Cx]:
        """The impedance as a ratio (p, q), Z = p / q and Y = q / p: finite for every part,
        including a short (p = 0) and an open (q = 0)."""
        kind, v = self._immittance(freq)
        return (v, Cx(1.0)) if kind == "z" else (Cx(1.0), v)

    def _immittance_array(self, freq) -> tuple[str, Array]:
        kind, v = self._immittance(freq)
        return kind, v.to_complex(jnp.shape(freq_array(freq)))

    def element_stamp(self, freq) -> PortStamp:
        """The element as a one-port between its two nodes."""
        kind, v = self._immittance(freq)
        if kind == "y":
            return PortStamp(nports=1, y=[[v]], y_pattern=_ONE)
        return PortStamp(nports=1, m=[[Cx(1.0)]], n=[[-v]], m_pattern=_ONE, n_pattern=_ONE)

    def chain(self, freq) -> ChainParts:
        """Series element in homogeneous ABCD form."""
        kind, v = self._immittance(freq)
        one, zero = Cx(1.0), Cx()
        if kind == "z":
            return ChainParts(one, v, zero, one)
        return ChainParts(v, one, zero, v, mu=v, nu=v)

    def shunt_chain(self, freq) -> ChainParts:
        """Shunt (to ground) element in homogeneous ABCD form."""
        kind, v = self._immittance(freq)
        one, zero = Cx(1.0), Cx()
        if kind == "y":
            return ChainParts(one, zero, v, one)
        return ChainParts(v, zero, one, v, mu=v, nu=v)

    def s(self, freq) -> Array:
        z = self.port_z0()
        return chain_to_s(self.chain(freq), z[0], z[1], jnp.shape(freq_array(freq)))

    def stamp(self, freq) -> PortStamp:
        """As a standalone 2-port (series element between ports 1 and 2, both to ground)."""
        kind, v = self._immittance_array(freq)
        one = jnp.ones_like(v)
        if kind == "y":
            y = jnp.stack([jnp.stack([v, -v], -1), jnp.stack([-v, v], -1)], -2)
            return PortStamp(nports=2, y=y)
        zero = jnp.zeros_like(v)
        # V1 - V2 - Z I1 = 0 ; I1 + I2 = 0
        m = jnp.stack([jnp.stack([one, -one], -1), jnp.stack([zero, zero], -1)], -2)
        n = jnp.stack([jnp.stack([-v, zero], -1), jnp.stack([one, one], -1)], -2)
        return PortStamp(nports=2, m=m, n=n, m_pattern=np.array([[1, 1], [0, 0]], bool))


class Resistor(TwoTerminal):
    """Resistor of `R` ohms (0 allowed: an ideal short)."""

    R: Array = eqx.field(converter=as_array)

    def immittance(self, freq):
        return "z", Cx(jnp.broadcast_to(self.R, jnp.shape(freq_array(freq))))


class Inductor(TwoTerminal):
    """Inductor of `L` henries: Z = j w L."""

    DC = "through"

    L: Array = eqx.field(converter=as_array)

    def immittance(self, freq):
        return "z", Cx(None, omega(freq) * self.L)


class Capacitor(TwoTerminal):
    """Capacitor of `C` farads: Y = j w C."""

    DC = "open"

    C: Array = eqx.field(converter=as_array)

    def immittance(self, freq):
        return "y", Cx(None, omega(freq) * self.C)
