"""Least-squares fit of a circuit's complex S to measured S, by Levenberg-Marquardt.

The solver is Optimistix's `LevenbergMarquardt` (`optimistix.least_squares`): a maintained JAX
solver from the Equinox family, with the exact Jacobian of the residuals taken by forward-mode
autodiff through the circuit. The residuals are the real and imaginary parts of
`sqrt(w_ij) (S_ij(f) - M_ij(f))` over every frequency and S-term; the whole solve (start
residuals, iterations, final residuals) is one program, compiled with pmrf's XLA options.

The reported `rms_error` is the weighted root mean square of |S - M| over frequencies and terms,
`sqrt(sum w |S - M|^2 / sum w)` (the plain RMS without weights).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from pmrf_cli.fitting.parametrize import FitError, Parametrization

#: Iterations allowed by default.
MAX_STEPS = 200
#: Optimistix's Cauchy tolerances: steps in y (log or scaled values) and changes of residuals.
RTOL = 1e-10
ATOL = 1e-12


@dataclass(frozen=True)
class FitResult:
    """What a fit found: values by path, where it started, errors, iterations, convergence."""

    parameters: dict[str, float]
    start: dict[str, float]
    rms_error: float
    start_rms_error: float
    iterations: int
    converged: bool
    seconds: dict[str, float] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict:
        """The `pmrf fit --json` object (SPECS.md): exactly these keys."""
        return {
            "parameters": dict(self.parameters),
            "start": dict(self.start),
            "rms_error": self.rms_error,
            "iterations": self.iterations,
            "converged": self.converged,
        }


def with_materialised_jacobian(fn: Callable) -> Callable:
    """`fn` (y (n,) -> (m,)), differentiated through its materialised Jacobian.

    The derivative rule takes the Jacobian with one batched forward-mode pass (n tangents) and
    applies it as a matrix: a solver that linearises, transposes and re-applies the derivative
    then multiplies by a matrix instead of tracing the circuit again for each use (Optimistix's
    Levenberg-Marquardt uses it three ways: the QR factorisation, J^T r and the predicted
    reduction). The program compiles several times faster, and the Jacobian is the same.
    """
    import jax
    import jax.numpy as jnp

    @jax.custom_jvp
    def f(y):
        return fn(y)

    @f.defjvp
    def f_jvp(primals, tangents):
        (y,), (t,) = primals, tangents
        out, lin = jax.linearize(fn, y)
        jac = jax.vmap(lin, out_axes=-1)(jnp.eye(y.shape[0], dtype=y.dtype))
        return out, jac @ t

    return f


def residual_function(s_of: Callable, param: Parametrization) -> Callable:
    """`residual(y, (meas_re, meas_im, sqrt_w)) -> (2 F P P,)` real residuals."""
    import jax.numpy as jnp

    def model(y):
        s = s_of(param.values(y, jnp))
        return jnp.concatenate([jnp.real(s).reshape(-1), jnp.imag(s).reshape(-1)])

    model = with_materialised_jacobian(model)

    def residual(y, args):
        meas_re, meas_im, sqrt_w = args
        w = sqrt_w.reshape(-1)
        return (model(y) - jnp.concatenate([meas_re.reshape(-1), meas_im.reshape(-1)])) * jnp.concatenate([w, w])

    return residual


def solve_program(residual: Callable, max_steps: int, rtol: float, atol: float) -> Callable:
    """`solve(y0, args) -> (y, start residuals, final residuals, converged, iterations)`, one
    jitted program (Optimistix's Levenberg-Marquardt, no exception on failure)."""
    import equinox as eqx
    import optimistix as optx

    solver = optx.LevenbergMarquardt(rtol=rtol, atol=atol)

    @eqx.filter_jit
    def solve(y0, args):
        r0 = residual(y0, args)
        sol = optx.least_squares(residual, solver, y0, args, max_steps=max_steps, throw=False)
        # the residuals at the solution are the solver's own (no second copy of the circuit)
        f_info = getattr(sol.state, "f_info", None)
        r1 = f_info.residual if hasattr(f_info, "residual") else residual(sol.value, args)
        return sol.value, r0, r1, sol.result == optx.RESULTS.successful, sol.stats["num_steps"]

    return solve


def fit(
    s_of: Callable[[Mapping[str, object]], object],
    param: Parametrization,
    measured: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    max_steps: int = MAX_STEPS,
    rtol: float = RTOL,
    atol: float = ATOL,
    platform: str | None = None,
    frequency=None,
) -> FitResult:
    """Fit the parameters of `param` so that `s_of(values)` (F, P, P) matches `measured`.

    `weights` (P, P) weighs each S-term's squared error (default all 1). Raises FitError
    if S is not finite at the start values (naming the first such frequency, in Hz, when
    `frequency` is given).
    """
    import time

    import jax
    import jax.numpy as jnp

    from pmrf_cli.engine.compiled import compile_kernel

    t0 = time.perf_counter()
    measured = np.asarray(measured, dtype=np.complex128)
    p = measured.shape[-1]
    w = np.ones((p, p)) if weights is None else np.asarray(weights, dtype=np.float64)
    total_weight = float(w.sum()) * measured.shape[0]
    solve = solve_program(residual_function(s_of, param), max_steps, rtol, atol)
    dtype = jnp.result_type(float)
    y0 = jnp.asarray(param.y0(), dtype=dtype)
    sqrt_w = np.broadcast_to(np.sqrt(w), measured.shape)
    args = tuple(jnp.asarray(a, dtype=dtype) for a in (measured.real, measured.imag, sqrt_w))
    exe = compile_kernel(solve, y0, args, platform=platform)
    t1 = time.perf_counter()
    y, r0, r1, ok, steps = jax.block_until_ready(exe(y0, args))
    t2 = time.perf_counter()
    r0, r1 = np.asarray(r0), np.asarray(r1)
    if not np.all(np.isfinite(r0)):
        bad = np.nonzero(~np.isfinite(r0.reshape((2,) + measured.shape)).any(axis=(0, 2, 3)))[0][0]
        where = f"{frequency[bad]:.6g} Hz" if frequency is not None else f"frequency point {bad}"
        raise FitError(f"S is not finite at the start values (first at {where}): the circuit is singular there")

    def rms(r: np.ndarray) -> float:
        return float(np.sqrt(np.sum(r * r) / total_weight)) if total_weight > 0 else 0.0

    values = param.values(np.asarray(y), np)
    return FitResult(
        parameters={k: float(v) for k, v in values.items()},
        start={q.path: q.start for q in param.params},
        rms_error=rms(r1),
        start_rms_error=rms(r0),
        iterations=int(steps),
        converged=bool(ok) and bool(np.all(np.isfinite(r1))),
        seconds={"compile": t1 - t0, "solve": t2 - t1},
    )


__all__ = [
    "ATOL", "MAX_STEPS", "RTOL", "FitResult", "fit", "residual_function", "solve_program",
    "with_materialised_jacobian",
]
