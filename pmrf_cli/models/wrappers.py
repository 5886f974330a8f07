"""Models that wrap another model."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli.conversions import renormalize_s
from pmrf_cli.models.base import Model, freq_array
from pmrf_cli.models.combined import combined_ratio


class Renormalized(Model):
    """`model` with its S-parameters referred to the port impedances `z0`."""

    model: Model

    @property
    def nports(self) -> int:
        return self.model.nports

    def s(self, freq) -> Array:
        return renormalize_s(self.model.s(freq), self.model.port_z0(), self.port_z0())


class Terminated(Model):
    """`model` with its ports `ends` terminated: port `ends[k]` is shorted where `shorted[k]`,
    else loaded by the two-terminal elements `loads[k]` in parallel to ground (none: open). The
    ports `kept` remain, in that order, on the model's own references (`circuit.terminate`
    builds these from a circuit's open ends, shorted ends and end loads).

    Each end folds into S in turn: S'_ab = S_ab + S_aj G_j S_jb / (1 - G_j S_jj), with G_j the
    reflection of the load on the port's reference. Where 1 - G_j S_jj vanishes, port j is
    decoupled from the rest (its S_aj, S_ja vanish too: the term's limit is 0) and adds nothing.
    """

    model: Model
    loads: tuple
    kept: tuple[int, ...] = eqx.field(static=True)
    ends: tuple[int, ...] = eqx.field(static=True)
    shorted: tuple[bool, ...] = eqx.field(static=True)

    @property
    def nports(self) -> int:
        return len(self.kept)

    def port_z0(self) -> Array:
        return self.model.port_z0()[np.asarray(self.kept)]

    def reflection(self, k: int, freq) -> Array:
        """Reflection of end k's load on its port's reference, (F,) complex (or a number)."""
        if self.shorted[k]:
            return -1.0
        if not self.loads[k]:
            return 1.0
        shape = jnp.shape(freq_array(freq))
        # the loads' impedance p / q (finite for ideal parts): G = (p - z q) / (p + z q)
        p, q = combined_ratio([load.ratio(freq) for load in self.loads[k]], parallel=True)
        p, q = p.to_complex(shape), q.to_complex(shape)
        z = self.model.port_z0()[self.ends[k]]
        return (p - z * q) / (p + z * q)

    def s(self, freq) -> Array:
        s = self.model.s(freq)
        for k, j in enumerate(self.ends):
            g = self.reflection(k, freq)
            den = 1.0 - s[..., j, j] * g
            free = den == 0
            q = jnp.where(free, 0.0, g / jnp.where(free, 1.0, den))
            s = s + s[..., :, j, None] * q[..., None, None] * s[..., None, j, :]
        kept = np.asarray(self.kept)
        return s[..., kept[:, None], kept[None, :]]
