"""Models that wrap another model."""

from __future__ import annotations

from jax import Array

from pmrf_cli.conversions import renormalize_s
from pmrf_cli.models.base import Model


class Renormalized(Model):
    """`model` with its S-parameters referred to the port impedances `z0`."""

    model: Model

    @property
    def nports(self) -> int:
        return self.model.nports

    def s(self, freq) -> Array:
        return renormalize_s(self.model.s(freq), self.model.port_z0(), self.port_z0())
