"""Nominal optimisation: maximise the worst normalised spec margin (minimax).

Each spec's margin is divided by its scale (`objective.margin_scales`: 1 dB, 1 degree, 100 ps,
0.1 for a plain ratio), so specs in different units compare. The minimax is smoothed by
log-sum-exp: the solver minimises `t log sum_j exp(-q_j / t)` over every normalised point
margin q_j of every spec (a band's points, an `at` value), a smooth upper bound of -min q that
is within t ln(#points) of it. The temperature t is annealed (`TEMPERATURES`), each stage
solved by Optimistix's BFGS from the previous stage's answer; one compiled program serves all
stages. Parameters move within bounds (`bounded`: a factor of 3 for positive ones, in log).
The reported margins are the exact (unsmoothed) ones at the answer; `converged` is the last
stage's BFGS outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pmrf_cli.design.bounded import half_widths, to_y
from pmrf_cli.design.objective import margin_function, margin_scales

#: Annealed temperatures of the log-sum-exp, in normalised margin units.
TEMPERATURES = (0.3, 0.1, 0.03, 0.01)
MAX_STEPS = 200
RTOL = 1e-8
ATOL = 1e-8


@dataclass(frozen=True)
class OptimizeResult:
    """The optimised values, their margins, the start, iterations and convergence."""

    parameters: dict[str, float]
    start: dict[str, float]
    margins: dict[str, float]
    start_margins: dict[str, float]
    iterations: int
    converged: bool

    def to_json(self) -> dict:
        """The `pmrf optimize --json` object (SPECS.md): exactly these keys."""
        return {"parameters": dict(self.parameters), "margins": dict(self.margins),
                "iterations": self.iterations, "converged": self.converged}


def soft_worst(q, t):
    """-t log sum exp(-q / t): a smooth lower bound of min(q), within t ln(len(q))."""
    import jax

    return -t * jax.nn.logsumexp(-q / t)


def optimize(flat, frequency, specs, param, *, max_steps: int = MAX_STEPS,
             temperatures=TEMPERATURES, platform: str | None = None) -> OptimizeResult:
    """Maximise the worst normalised margin of `specs` over the parameters of `param`
    (a `fitting.parametrize.Parametrization`)."""
    import equinox as eqx
    import jax
    import jax.numpy as jnp
    import optimistix as optx

    from pmrf_cli.engine.compiled import compile_kernel

    fn = margin_function(flat, frequency, specs, param.paths)
    scales = margin_scales(specs)
    y0, b = jnp.asarray(param.y0()), jnp.asarray(half_widths(param))

    def margins_at(z):
        return fn(param.values(to_y(z, y0, b)))

    def loss(z, t):
        _, pm = margins_at(z)
        q = jnp.concatenate([m / s for m, s in zip(pm, scales)])
        return -soft_worst(q, t)

    solver = optx.BFGS(rtol=RTOL, atol=ATOL)

    @eqx.filter_jit
    def stage(z, t):
        sol = optx.minimise(loss, solver, z, t, max_steps=max_steps, throw=False)
        return sol.value, sol.stats["num_steps"], sol.result == optx.RESULTS.successful, margins_at(sol.value)[0]

    z = jnp.zeros_like(y0)
    t0 = jnp.asarray(temperatures[0], dtype=y0.dtype)
    exe = compile_kernel(stage, z, t0, platform=platform)
    start_margins = np.asarray(jax.jit(lambda z: margins_at(z)[0])(z))
    steps, ok = 0, False
    for t in temperatures:
        z_new, n, ok, m = exe(z, jnp.asarray(t, dtype=y0.dtype))
        if not bool(jnp.all(jnp.isfinite(z_new))):
            ok = False
            break
        z, steps = z_new, steps + int(n)
    m = np.asarray(m)
    values = param.values(to_y(np.asarray(z), np.asarray(y0), np.asarray(b), np), np)
    names = [s.name for s in specs]
    return OptimizeResult(
        parameters={k: float(v) for k, v in values.items()},
        start={p.path: p.start for p in param.params},
        margins={n: float(v) for n, v in zip(names, m)},
        start_margins={n: float(v) for n, v in zip(names, start_margins)},
        iterations=steps,
        converged=bool(ok) and bool(np.all(np.isfinite(m))),
    )


__all__ = ["OptimizeResult", "TEMPERATURES", "optimize", "soft_worst"]
