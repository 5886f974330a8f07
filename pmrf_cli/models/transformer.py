"""The ideal transformer: V2 = n V1, I1 = -n I2 (power conserving)."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli.cplx import Cx
from pmrf_cli.models.base import Model, as_array, chain_to_s, freq_array
from pmrf_cli.models.stamp import ChainParts, PortStamp

_M = np.array([[1, 1]], bool)
_N = np.array([[0]], bool)
_K = np.array([[1], [1]], bool)


class Transformer(Model):
    """Ideal transformer of turns ratio `n` (V2 = n V1). In a circuit its four nodes are
    [p1+, p1-, p2+, p2-]; standalone it is a 2-port with both ports referenced to ground.
    """

    n: Array = eqx.field(converter=as_array)

    @property
    def nports(self) -> int:
        return 2

    def chain(self, freq) -> ChainParts:
        # per-sample scalars: the cascade broadcasts them over the grid where it reads them
        return ChainParts(Cx(1 / self.n), Cx(), Cx(), Cx(self.n))

    def s(self, freq) -> Array:
        z = self.port_z0()
        return chain_to_s(self.chain(freq), z[0], z[1], jnp.shape(freq_array(freq)))

    def stamp(self, freq) -> PortStamp:
        n = Cx(self.n)
        one, zero = Cx(1.0), Cx()
        # one unknown x = I2 (into port 2): I1 = -n x, I2 = x, and n V1 - V2 = 0
        return PortStamp(nports=2, k=[[-n], [one]], m=[[n, -one]], n=[[zero]], m_pattern=_M, n_pattern=_N, k_pattern=_K)
