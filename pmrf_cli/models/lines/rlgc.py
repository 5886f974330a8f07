"""General TEM line from per-unit-length R (ohm/m), L (H/m), G (S/m), C (F/m).

Z' = R + j w L, Y' = G + j w C, zc = sqrt(Z'/Y'), gamma = sqrt(Z' Y') (the telegrapher's
equations; what scikit-rf's `DistributedCircuit` computes). The chain form is evaluated from
Z' and Y' directly, so a line with G = 0 is exact at DC (a series resistance R * length).
"""

from __future__ import annotations

import equinox as eqx
import numpy as np
from jax import Array

from pmrf_cli.models.base import as_array, freq_array
from pmrf_cli.models.lines.common import rlgc_chain, zc_gamma
from pmrf_cli.models.stamp import ChainParts
from pmrf_cli.models.tline import TEMLine


def rlgc_zc_gamma(R, L, G, C, f) -> tuple[Array, Array]:
    """(zc, gamma) of a line with per-unit-length R, L, G, C on the grid `f` (Hz)."""
    w = 2 * np.pi * f
    return zc_gamma(R + 1j * w * L, G + 1j * w * C)


class RLGCLine(TEMLine):
    """TEM line of per-unit-length `R` (ohm/m), `L` (H/m), `G` (S/m), `C` (F/m) and `length` (m)."""

    R: Array = eqx.field(converter=as_array)
    L: Array = eqx.field(converter=as_array)
    G: Array = eqx.field(converter=as_array)
    C: Array = eqx.field(converter=as_array)
    length: Array = eqx.field(converter=as_array)

    def rlgc(self, freq) -> tuple[Array, Array]:
        """(Z', Y') per metre on the grid."""
        w = 2 * np.pi * freq_array(freq)
        return self.R + 1j * w * self.L, self.G + 1j * w * self.C

    def zc_gamma(self, freq) -> tuple[Array, Array]:
        """(zc, gamma) on the grid: impedance (ohm) and propagation (1/m)."""
        return zc_gamma(*self.rlgc(freq))

    def medium(self, freq) -> tuple[Array, Array]:
        """(Z', Y') per metre: the chain form below is finite at DC, where zc is not."""
        return self.rlgc(freq)

    @staticmethod
    def chain_of(medium, length) -> ChainParts:
        return rlgc_chain(*medium, length)
