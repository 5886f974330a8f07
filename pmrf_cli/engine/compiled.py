"""Compiling pmrf's programs: the XLA options they need, per program, never globally.

XLA:CPU has two ways to emit a fused loop, and pmrf takes each where it runs best.

* Its fusion emitters (MLIR; XLA's default since jaxlib 0.5) outline every instruction of a fused
  expression that has several users into a function and call it once per use, with no
  memoisation across nested calls. Where a component's physics fused into the solver, the first
  component of a cascade was re-evaluated ~4^k times for k components (microstrip lines, 100
  samples x 300 points: 0.007, 0.049, 0.29, 1.09, 4.6, 16.9 s for k = 1..6, with HLO and
  `cost_analysis()` growing only linearly). pmrf's circuits now compute each stage to memory
  (`circuit.stages`, `cplx.computed_once`), and the same cascade runs in linear time with
  either emitter (`test_staging`), but these emitters compile ~20-40 % longer.
* Its element-wise emitter (`xla_cpu_use_fusion_emitters=False`) caches each fused value per
  point and compiles fastest. Its loops are vectorised with a run-time check that the output
  does not overlap an input, and XLA reuses a dead operand's buffer for a fusion's output of
  the same size, so in that common case the check fails and the loop runs one element at a
  time: a fused `exp(s) * s` reading a buffer it overwrites runs at 5.2 ns per element against
  1.3 ns. The microstrip model's sweep kernel had 26 such fusions.

A small program (`workload.is_small`: at most `workload.SMALL_PROGRAM_POINTS` points, as
`pmrf simulate`'s) is compiled without LLVM's optimisations (`xla_backend_optimization_level`
0): most of a compile is LLVM's (a 5-section microstrip low-pass: 1.2 of 1.6 s), and without
its optimisations it takes half as long, for code 2-6x slower per point, which a few thousand
points do not notice (see `workload.SMALL_PROGRAM_POINTS` for the break-even).

A program takes the element-wise emitter unless it is large (`workload.is_large`: it states
at least `workload.LARGE_PROGRAM_POINTS` points) and takes complex powers by the vectorised
logarithm (`vecmath.takes_reduced_log`: microstrip's dispersion), whose polynomials the in-place
fallback would run one element at a time: there the fusion emitters' run time repays their
compile time (a 10-section microstrip ladder: 1044 -> 845 us per sample on 2 cores, ~1 s more
compile time). Elsewhere they ran no faster: an LC ladder's sweep kernel 58 -> 85 us per
sample, an elliptic low-pass 70 -> 93, a Wilkinson divider with toleranced line lengths
685 -> 748 (N = 10^4 x 1001 points, one core).

The options are passed to each compilation (`Lowered.compile(compiler_options)`), which changes
no global JAX or XLA setting of the process; the persistent compilation cache keys on them. On
GPUs XLA's defaults are kept.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable

from pmrf_cli.vecmath import takes_reduced_log
from pmrf_cli.workload import is_large, is_small, points_evaluated

#: Options for programs compiled for a CPU, but large ones.
CPU_COMPILER_OPTIONS: dict[str, Any] = {"xla_cpu_use_fusion_emitters": False}
#: Added for small programs (`workload.is_small`): no LLVM optimisation.
SMALL_PROGRAM_OPTIONS: dict[str, Any] = {"xla_backend_optimization_level": 0}


def compiler_options(platform: str, points: int | None = None, complex_powers: bool = False) -> dict[str, Any]:
    """The XLA options pmrf compiles a program with on `platform` ('cpu', 'gpu', ...): one of
    `points` (sample, frequency) points (None: unknown) that takes vectorised complex powers
    or not (`complex_powers`)."""
    if platform != "cpu" or (is_large(points) and complex_powers):
        return {}
    if is_small(points):
        return {**CPU_COMPILER_OPTIONS, **SMALL_PROGRAM_OPTIONS}
    return dict(CPU_COMPILER_OPTIONS)


def compile_lowered(lowered, platform: str = "cpu", points: int | None = None, text: str | None = None):
    """Compile a `jax.stages.Lowered` with pmrf's options for `platform` and a program of
    `points` (sample, frequency) points (default: those stated by the enclosing
    `workload.evaluation_points` block, if any). `text`: the program's `as_text()`, where the
    caller has it already.

    An XLA that does not know an option (a newer one may retire it) compiles with its defaults.
    """
    points = points_evaluated() if points is None else points
    powers = platform == "cpu" and is_large(points) and takes_reduced_log(lowered.as_text() if text is None else text)
    options = compiler_options(platform, points, powers)
    if not options:
        return lowered.compile()
    try:
        return lowered.compile(options)
    except Exception as exc:  # noqa: BLE001 - only the unknown-option case is retried
        if "compile option" not in str(exc):
            raise
        return lowered.compile()


def compile_kernel(fn: Callable, *args, platform: str | None = None):
    """Lower the jitted `fn` (`jax.jit` or `eqx.filter_jit`) for `args` and compile it with
    pmrf's options; returns the compiled callable. `platform` defaults to JAX's default
    backend. Called inside a `workload.evaluation_points` block, it traces and compiles the
    program for that many points."""
    if platform is None:
        import jax

        platform = jax.default_backend()
    return compile_lowered(fn.lower(*args), platform)


_LAPACK_CALL = re.compile(r"custom_call\s*@lapack_")
_ONE_AT_A_TIME = threading.Lock()


def calls_lapack(text: str) -> bool:
    """Whether a program's StableHLO text (`Lowered.as_text()`, `Exported.mlir_module()`) calls
    a LAPACK routine (a custom call to a `lapack_*` target: `jnp.linalg` on a CPU)."""
    return _LAPACK_CALL.search(text) is not None


class OneAtATime:
    """A compiled program whose calls run one at a time in this process, each held until its
    results are ready.

    XLA:CPU's LAPACK calls deadlock when two executions run them at once: with jaxlib 0.10, a
    jitted batched `jnp.linalg.solve` of 4000 complex 20 x 20 systems called from two threads
    hangs every time, every thread waiting (4 x 4 systems do not). A sweep calls its program
    from one thread per core, so a circuit solved by the dense LU (`circuit.dense_solve`: a
    circuit of 4-port blocks) hung on two cores. Programs without LAPACK are unaffected.
    """

    def __init__(self, compiled) -> None:
        self.compiled = compiled

    def __call__(self, *args):
        import jax

        with _ONE_AT_A_TIME:
            return jax.block_until_ready(self.compiled(*args))

    def __getattr__(self, name: str):
        return getattr(self.compiled, name)


def compile_threadsafe(lowered, platform: str = "cpu", lapack: bool | None = None, points: int | None = None):
    """`compile_lowered`, and on a CPU a program that calls LAPACK behind `OneAtATime`: safe to
    call from several threads. `lapack`: whether it does, where the caller knows (a stored
    program's verdict); None reads it from the lowered text."""
    text = lowered.as_text() if platform == "cpu" and lapack is None else None  # read once, for both uses
    compiled = compile_lowered(lowered, platform, points, text)
    if platform != "cpu":
        return compiled
    if lapack is None:
        lapack = calls_lapack(text)
    if lapack:
        return OneAtATime(compiled)
    return compiled
