"""Design centring: move nominals to maximise yield under the declared tolerances.

The yield is estimated on a fixed common-random-number sample (`draws.moving_sampler`, sample
indices 0..N-1 of `seed`): each sample passes smoothly, `prod_k sigmoid(q_k / t)` over its
normalised spec margins q_k (`objective.margin_scales`), and the solver maximises the log of
their mean (a log-mean-exp of summed log-sigmoids, stable when few samples pass). The
temperature t is annealed (`TEMPERATURES`), each stage solved by Optimistix's BFGS; parameters
move within `bounded`'s box. Yield before and after is then counted exactly (every margin
>= 0) on a held-out sample of another seed, with Wilson intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pmrf_cli.design.bounded import half_widths, to_y
from pmrf_cli.design.draws import moving_sampler
from pmrf_cli.design.objective import margin_function, margin_scales
from pmrf_cli.specs.yields import yield_summary

#: Annealed temperatures of the sigmoids, in normalised margin units.
TEMPERATURES = (0.3, 0.1, 0.05)
MAX_STEPS = 100
RTOL = 1e-6
ATOL = 1e-6


@dataclass(frozen=True)
class CentreResult:
    """Centred values, start values, held-out yields before and after, iterations."""

    parameters: dict[str, float]
    start: dict[str, float]
    before: dict
    after: dict
    iterations: int
    converged: bool

    def to_json(self) -> dict:
        """The `pmrf centre --json` object."""
        return {"parameters": dict(self.parameters), "start": dict(self.start),
                "yield_before": dict(self.before), "yield_after": dict(self.after),
                "iterations": self.iterations, "converged": self.converged}


def batch_margins(flat, frequency, specs, paths, seed: int):
    """`(values, indices (N,)) -> margins (N, K)` of samples `indices` of `seed` around `values`."""
    import jax

    fn = margin_function(flat, frequency, specs, paths, draw=moving_sampler(flat, seed))
    return lambda values, idx: jax.vmap(lambda i: fn(values, i)[0])(idx)


def held_out_yield(flat, frequency, specs, paths, seed: int, samples: int, value_sets, platform=None) -> list[dict]:
    """`yield_summary` of each of `value_sets` on samples 0..samples-1 of `seed`."""
    import jax
    import jax.numpy as jnp

    from pmrf_cli.engine.compiled import compile_kernel

    margins = batch_margins(flat, frequency, specs, paths, seed)
    idx = jnp.arange(samples)

    def passed(x):
        m = margins({p: x[i] for i, p in enumerate(paths)}, idx)
        return jnp.sum(jnp.all(m >= 0, axis=1))

    x0 = jnp.asarray([value_sets[0][p] for p in paths])
    exe = compile_kernel(jax.jit(passed), x0, platform=platform)
    return [yield_summary(int(exe(jnp.asarray([v[p] for p in paths]))), samples) for v in value_sets]


def centre(flat, frequency, specs, param, *, batch: int = 256, seed: int = 0, holdout: int = 2000,
           holdout_seed: int | None = None, max_steps: int = MAX_STEPS,
           temperatures=TEMPERATURES, platform: str | None = None) -> CentreResult:
    """Maximise the smoothed yield over the parameters of `param` (a Parametrization) on
    `batch` samples of `seed`; count yields on `holdout` samples of `holdout_seed`
    (default seed + 1)."""
    import equinox as eqx
    import jax
    import jax.numpy as jnp
    import optimistix as optx

    from pmrf_cli.engine.compiled import compile_kernel

    paths = param.paths
    margins = batch_margins(flat, frequency, specs, paths, seed)
    scales = jnp.asarray(margin_scales(specs))
    y0, b = jnp.asarray(param.y0()), jnp.asarray(half_widths(param))
    idx = jnp.arange(batch)

    def loss(z, t):
        m = margins(param.values(to_y(z, y0, b)), idx) / scales
        per_sample = jnp.sum(jax.nn.log_sigmoid(m / t), axis=1)
        return -(jax.nn.logsumexp(per_sample) - jnp.log(batch))

    solver = optx.BFGS(rtol=RTOL, atol=ATOL)

    @eqx.filter_jit
    def stage(z, t):
        sol = optx.minimise(loss, solver, z, t, max_steps=max_steps, throw=False)
        return sol.value, sol.stats["num_steps"], sol.result == optx.RESULTS.successful

    z = jnp.zeros_like(y0)
    exe = compile_kernel(stage, z, jnp.asarray(temperatures[0], dtype=y0.dtype), platform=platform)
    steps, ok = 0, False
    for t in temperatures:
        z_new, n, ok = exe(z, jnp.asarray(t, dtype=y0.dtype))
        if not bool(jnp.all(jnp.isfinite(z_new))):
            ok = False
            break
        z, steps = z_new, steps + int(n)
    values = param.values(to_y(np.asarray(z), np.asarray(y0), np.asarray(b), np), np)
    values = {k: float(v) for k, v in values.items()}
    start = {p.path: p.start for p in param.params}
    hseed = seed + 1 if holdout_seed is None else holdout_seed
    before, after = held_out_yield(flat, frequency, specs, paths, hseed, holdout, [start, values], platform)
    return CentreResult(values, start, before, after, steps, bool(ok))


__all__ = ["CentreResult", "TEMPERATURES", "batch_margins", "centre", "held_out_yield"]
