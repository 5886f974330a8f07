"""`Cascade`: 2-ports in series, port 2 of each to port 1 of the next (`a ** b ** c`)."""

from __future__ import annotations

import jax.numpy as jnp
from jax import Array

from pmrf_cli.circuit.cost import LADDER_INLINE_COST
from pmrf_cli.circuit.ladder import cascade_all, product_to_s
from pmrf_cli.circuit.stages import evaluate_components
from pmrf_cli.models.base import Model
from pmrf_cli.models.stamp import ChainParts


class Cascade(Model):
    """A chain of 2-port `models`. Its ports take the outer models' reference impedances."""

    models: tuple[Model, ...]

    @classmethod
    def of(cls, *models: Model) -> "Cascade":
        """Flatten nested cascades into one chain."""
        flat: list[Model] = []
        for m in models:
            if m.nports != 2:
                raise ValueError(f"cascading needs 2-ports; got a {m.nports}-port {type(m).__name__}")
            flat.extend(m.models if isinstance(m, Cascade) else (m,))
        z = jnp.stack([flat[0].port_z0()[0], flat[-1].port_z0()[1]])
        return cls(tuple(flat), z0=z)

    @property
    def nports(self) -> int:
        return 2

    def chain(self, freq) -> ChainParts:
        return cascade_all(evaluate_components([("chain", m) for m in self.models], freq,
                                                inline_below=LADDER_INLINE_COST))

    def s(self, freq) -> Array:
        z = self.port_z0()
        return product_to_s(self.chain(freq), z[0], z[1], freq)
