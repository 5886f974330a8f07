"""Finite-Q inductor and capacitor as two-terminal elements.

Both take the quality factor `Q` at frequency `fq` (Hz; default 1 GHz, used only by "sqrt")
and a static `qmode`:

* "constant" (default): Q(f) = Q at every frequency (`fq` is then irrelevant);
* "sqrt": the loss term grows as sqrt(f) (skin effect), so Q(f) = Q sqrt(f / fq).

Inductor: Z = R(f) + j w L with series R(f) = w L / Q(f), i.e. R = w L / Q ("constant") or
R = wq L / Q sqrt(f / fq) ("sqrt"), wq = 2 pi fq. Capacitor: Y = G(f) + j w C with parallel
G(f) = w C / Q(f), i.e. G = w C / Q or G = wq C / Q sqrt(f / fq). In both modes the part has
exactly the given Q at fq, and R = G = 0 at DC.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli.models.base import as_array, freq_array
from pmrf_cli.models.lumped import TwoTerminal

QMODES = ("constant", "sqrt")


def loss_scale(f, fq, qmode: str) -> Array:
    """f / fq ("constant") or sqrt(f / fq) ("sqrt"): the loss term relative to its value at fq."""
    if qmode == "constant":
        return f / fq
    if qmode == "sqrt":
        pos = f > 0
        return jnp.where(pos, jnp.sqrt(jnp.where(pos, f, 1.0) / fq), 0.0)
    raise ValueError(f"unknown qmode {qmode!r}; use one of {QMODES}")


class _FiniteQ(TwoTerminal):
    """Common checks of the finite-Q parts."""

    def __check_init__(self):
        if self.qmode not in QMODES:
            raise ValueError(f"unknown qmode {self.qmode!r}; use one of {QMODES}")


class InductorQ(_FiniteQ):
    """Inductor `L` (H) of quality factor `Q` at `fq` (Hz): Z = R(f) + j w L (see module doc)."""

    DC = "through"  # R = 0 at DC

    L: Array = eqx.field(converter=as_array)
    Q: Array = eqx.field(converter=as_array)
    fq: Array = eqx.field(default=1e9, converter=as_array)
    qmode: str = eqx.field(default="constant", static=True)

    def immittance(self, freq):
        f = freq_array(freq)
        wq_l = 2 * np.pi * self.fq * self.L
        r = wq_l / self.Q * loss_scale(f, self.fq, self.qmode)
        return "z", r + 1j * 2 * np.pi * f * self.L


class CapacitorQ(_FiniteQ):
    """Capacitor `C` (F) of quality factor `Q` at `fq` (Hz): Y = G(f) + j w C (see module doc)."""

    DC = "open"  # G = 0 at DC

    C: Array = eqx.field(converter=as_array)
    Q: Array = eqx.field(converter=as_array)
    fq: Array = eqx.field(default=1e9, converter=as_array)
    qmode: str = eqx.field(default="constant", static=True)

    def immittance(self, freq):
        f = freq_array(freq)
        wq_c = 2 * np.pi * self.fq * self.C
        g = wq_c / self.Q * loss_scale(f, self.fq, self.qmode)
        return "y", g + 1j * 2 * np.pi * f * self.C
