"""Sensitivity of every spec's margin to every random parameter, at the nominal values.

The gradient is taken by forward-mode autodiff (one tangent per random parameter) through the
same margin function sweeps score with; a derived parameter follows the random ones it names.
A spec's margin is a least over its band, so its gradient is that of the worst point's margin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pmrf_cli.design.spread import spread


@dataclass(frozen=True)
class SpecSensitivity:
    """One spec at nominal: margin, where it is worst, d margin / d p and gradient x spread."""

    margin: float
    worst_frequency: float
    gradient: dict[str, float]
    per_spread: dict[str, float]

    def to_json(self) -> dict:
        """This spec's entry in `pmrf sensitivity --json`."""
        return {"margin": self.margin, "worst_frequency": self.worst_frequency,
                "gradient": dict(self.gradient), "per_spread": dict(self.per_spread)}


def sensitivity(flat, frequency, specs, platform: str | None = None) -> dict[str, SpecSensitivity]:
    """{spec name: SpecSensitivity} at the nominal values, for every random parameter."""
    import jax
    import jax.numpy as jnp

    from pmrf_cli.design.objective import margin_function, worst_frequencies
    from pmrf_cli.engine.compiled import compile_kernel
    from pmrf_cli.netlist.flatten import nominal_values

    env = nominal_values(flat)
    random = flat.random_params
    paths = [p.path for p in random]
    fn = margin_function(flat, frequency, specs, paths)

    def program(x):
        def margins(x):
            return fn({p: x[i] for i, p in enumerate(paths)})[0]

        m, pm = fn({p: x[i] for i, p in enumerate(paths)})
        jac = jax.jacfwd(margins)(x) if paths else jnp.zeros((len(specs), 0))
        return m, pm, jac

    x0 = jnp.asarray([env[p] for p in paths], dtype=jnp.result_type(float))
    m, pm, jac = compile_kernel(jax.jit(program), x0, platform=platform)(x0)
    m, jac = np.asarray(m), np.asarray(jac)
    where = worst_frequencies(specs, frequency, pm)
    spreads = [spread(p, env) for p in random]
    return {
        spec.name: SpecSensitivity(
            margin=float(m[k]),
            worst_frequency=where[k],
            gradient={p: float(jac[k, i]) for i, p in enumerate(paths)},
            per_spread={p: float(jac[k, i] * spreads[i]) for i, p in enumerate(paths)},
        )
        for k, spec in enumerate(specs)
    }


def ranked(result: dict[str, SpecSensitivity], scales: dict[str, float] | None = None) -> list[tuple[str, str, float]]:
    """(spec, parameter, margin change per spread) for every pair, largest |change| first; with
    `scales` (spec -> the margin worth one unit, as `objective.margin_scales`), changes of specs
    in different units (dB, degrees, seconds) are compared in those units."""
    rows = [(name, p, d) for name, s in result.items() for p, d in s.per_spread.items()]
    scales = scales or {}
    return sorted(rows, key=lambda r: -abs(r[2] / scales.get(r[0], 1.0)) if np.isfinite(r[2]) else 0.0)


__all__ = ["SpecSensitivity", "ranked", "sensitivity"]
