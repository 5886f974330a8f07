"""An N-port block of tabulated S-parameters (e.g. a measured Touchstone file).

Interpolation onto the requested grid is linear in real and imaginary parts, for all port pairs
in one gather: the bracketing indices and weights are computed once per grid (a searchsorted),
then `s[i0] * (1 - w) + s[i1] * w` forms the whole (F, N, N) result. So cost and compile time do
not grow with the number of port pairs (a 64-port block compiles as fast as a 2-port).

Why real/imaginary rather than magnitude/unwrapped phase: it is exact at the data points and
continuous, needs no phase unwrapping (which is ill-defined through the deep nulls of measured
isolation terms and makes the result depend on the data's first point), never produces a
spurious phase jump between points, and it is what scikit-rf's `interpolate` does by default, so
results can be checked against it exactly. For electrically long, coarsely sampled data,
sample the file more densely: no interpolation scheme recovers delay the data do not resolve.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from pmrf_cli.models.base import Model, as_array, freq_array


class SParameterBlock(Model):
    """Tabulated S data `s_data` (F0, N, N) on `f_data` (F0,) Hz, referred to `z0` (per port)."""

    f_data: Array = eqx.field(converter=as_array)
    s_data: Array = eqx.field(converter=as_array)

    @property
    def nports(self) -> int:
        return int(self.s_data.shape[-1])

    def s(self, freq) -> Array:
        f = freq_array(freq)
        fd = self.f_data
        if not isinstance(f, jax.core.Tracer) and not isinstance(fd, jax.core.Tracer):
            lo, hi = float(np.min(np.asarray(fd))), float(np.max(np.asarray(fd)))
            fmin, fmax = float(np.min(np.asarray(f))), float(np.max(np.asarray(f)))
            tol = 1e-9 * max(abs(lo), abs(hi), 1.0)
            if fmin < lo - tol or fmax > hi + tol:
                raise ValueError(
                    f"frequency grid {fmin:.6g}..{fmax:.6g} Hz is outside the block's data "
                    f"range {lo:.6g}..{hi:.6g} Hz"
                )
        else:
            f = eqx.error_if(f, (f < fd[0]) | (f > fd[-1]), "frequency outside the S-parameter block's data range")
        n0 = fd.shape[0]
        if n0 == 1:
            return jnp.broadcast_to(self.s_data[0], f.shape + self.s_data.shape[1:])
        i1 = jnp.clip(jnp.searchsorted(fd, f, side="right"), 1, n0 - 1)
        i0 = i1 - 1
        f0, f1 = fd[i0], fd[i1]
        w = jnp.clip((f - f0) / (f1 - f0), 0.0, 1.0)[:, None, None]
        return self.s_data[i0] * (1 - w) + self.s_data[i1] * w
