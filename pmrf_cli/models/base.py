"""The `Model` base class: an immutable Equinox module with S-parameters on a frequency grid."""

from __future__ import annotations

from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli import conversions
from pmrf_cli.frequency import Frequency
from pmrf_cli.cplx import Cx, stack_cx
from pmrf_cli.models.stamp import ChainParts, PortStamp


def as_array(x) -> Array:
    """Converter for numeric fields: store every value as a JAX array (a pytree leaf)."""
    return jnp.asarray(x)


def freq_array(freq) -> Array:
    """The grid in Hz as an array, from a `Frequency` or anything array-like."""
    return freq.f if isinstance(freq, Frequency) else jnp.asarray(freq)


class Model(eqx.Module):
    """Base of every RF model.

    Subclasses implement `s(freq)` (shape (F, P, P)) and `nports`. A model is immutable: use
    `with_params` to get a changed copy. `z0` holds the real port reference impedance(s) that
    `s` refers to: a scalar or one per port (default 50 ohm).
    """

    z0: Array = eqx.field(default=50.0, kw_only=True, converter=as_array)

    #: What the model conducts at DC, for a circuit's 0 Hz points (`circuit.dc`): "resistive"
    #: (each port between its terminals), "open" (nothing: a capacitor) or "through" (conductors
    #: that may be ideal at DC join the port pairs `DC_THROUGH` and their return terminals).
    DC: ClassVar[str] = "resistive"
    DC_THROUGH: ClassVar[tuple[tuple[int, int], ...]] = ((0, 1),)

    @property
    def nports(self) -> int:
        """Number of ports."""
        raise NotImplementedError

    def s(self, freq) -> Array:
        """S-parameters on the grid `freq`, shape (F, P, P)."""
        raise NotImplementedError

    def port_z0(self) -> Array:
        """Reference impedances as a (P,) array."""
        return jnp.broadcast_to(self.z0, (self.nports,)) if jnp.ndim(self.z0) == 0 else self.z0

    def z(self, freq) -> Array:
        """Impedance parameters, (F, P, P)."""
        return conversions.s2z(self.s(freq), self.port_z0())

    def y(self, freq) -> Array:
        """Admittance parameters, (F, P, P)."""
        return conversions.s2y(self.s(freq), self.port_z0())

    def abcd(self, freq) -> Array:
        """ABCD parameters of a 2-port, (F, 2, 2)."""
        if self.nports != 2:
            raise ValueError(f"ABCD parameters need a 2-port; this model has {self.nports} ports")
        return conversions.s2abcd(self.s(freq), self.port_z0())

    def with_params(self, **values) -> "Model":
        """A copy with the named fields replaced (numbers become arrays)."""
        names = tuple(values)
        for name in names:
            if not hasattr(self, name):
                raise AttributeError(f"{type(self).__name__} has no parameter {name!r}")
        return eqx.tree_at(
            lambda m: tuple(getattr(m, k) for k in names),
            self,
            tuple(jnp.asarray(values[k]) for k in names),
            is_leaf=lambda x: x is None,
        )

    def renormalized(self, z0) -> "Model":
        """This model with S referred to other port impedances (a `Renormalized` wrapper)."""
        from pmrf_cli.models.wrappers import Renormalized

        return Renormalized(self, z0=z0)

    def __pow__(self, other: "Model") -> "Model":
        """Cascade two 2-ports: port 2 of `self` to port 1 of `other`."""
        from pmrf_cli.circuit.cascade import Cascade

        return Cascade.of(self, other)

    # --- composition hooks -------------------------------------------------------------
    def stamp(self, freq) -> PortStamp:
        """Port relations for the nodal solver; the default is the descriptor built from S."""
        s = self.s(freq)
        p = self.nports
        z = jnp.broadcast_to(self.port_z0(), (p,)).astype(s.real.dtype)
        d = jnp.sqrt(z)
        sv = d[:, None] * s / d[None, :]  # voltage-wave S: D S D^-1
        eye = jnp.eye(p, dtype=s.dtype)
        return PortStamp(nports=p, m=eye - sv, n=-(eye + sv) * z[None, :])

    def chain(self, freq) -> ChainParts:
        """The 2-port in homogeneous ABCD form (see `ChainParts`), from S by default."""
        s = self.s(freq)
        z = jnp.broadcast_to(self.port_z0(), (2,))
        z1, z2 = z[0], z[1]
        s11, s12, s21, s22 = s[..., 0, 0], s[..., 0, 1], s[..., 1, 0], s[..., 1, 1]
        r = jnp.sqrt(z1 * z2)
        return ChainParts(
            a=Cx.of(jnp.sqrt(z1 / z2) * ((1 + s11) * (1 - s22) + s12 * s21)),
            b=Cx.of(r * ((1 + s11) * (1 + s22) - s12 * s21)),
            c=Cx.of(((1 - s11) * (1 - s22) - s12 * s21) / r),
            d=Cx.of(jnp.sqrt(z2 / z1) * ((1 - s11) * (1 + s22) + s12 * s21)),
            mu=Cx.of(2 * s21),
            nu=Cx.of(2 * s12),
        )

    def shunt_chain(self, freq) -> ChainParts:
        """A one-port from a node to ground in homogeneous ABCD form, from its reflection G:
        Y = (1 - G) / (z (1 + G)) scaled by h = z (1 + G), so an open (G = 1) and a short
        (G = -1) both stay finite."""
        if self.nports != 1:
            raise ValueError(f"a shunt part is a one-port; this model has {self.nports} ports")
        g = self.s(freq)[..., 0, 0]
        h = Cx.of(self.port_z0()[0] * (1 + g))
        return ChainParts(h, Cx(), Cx.of(1 - g), h, mu=h, nu=h)


def chain_to_s(parts: ChainParts, z1, z2, shape=None) -> Array:
    """S of a 2-port from its homogeneous ABCD form, between real references z1, z2; (F, 2, 2)."""
    a, b, c, d = (Cx.of(x) for x in (parts.a, parts.b, parts.c, parts.d))
    az2, cz, dz1 = a * Cx.of(z2), c * Cx.of(z1 * z2), d * Cx.of(z1)
    inv = (az2 + b + cz + dz1).inv()
    k = Cx.of(2 * jnp.sqrt(z1 * z2))
    s11 = (az2 + b - cz - dz1) * inv
    s22 = (b - az2 - cz + dz1) * inv
    s21 = k * inv if parts.mu is None else k * Cx.of(parts.mu) * inv
    s12 = k * inv if parts.nu is None else k * Cx.of(parts.nu) * inv
    if shape is None:
        shape = jnp.broadcast_shapes(*(e.shape() for e in (s11, s12, s21, s22)))
    return stack_cx([[s11, s12], [s21, s22]], shape)


def omega(freq) -> Array:
    """Angular frequency 2 pi f as an array."""
    return 2 * np.pi * freq_array(freq)
