"""Compiling pmrf's programs: the XLA options they need, per program, never globally.

XLA:CPU's default fusion emitter (the MLIR one, default since jaxlib 0.5) outlines every
instruction of a fused expression that has several users into a function, and calls it once per
use, with no memoisation across nested calls. A cascade or an elimination uses each entry of the
previous step two to four times, so when XLA fuses a component's physics into the solver (it
does: everything element-wise ends up in one loop fusion) the first component is re-evaluated
~4^k times for k components. Measured on a cascade of microstrip lines (100 samples x 300
points): 0.007, 0.049, 0.29, 1.09, 4.6, 16.9 s for k = 1..6, with HLO and `cost_analysis()`
growing only linearly; the dumped LLVM IR shows 3.9e3, 1.8e4, 7.2e4 function calls per point for
k = 2, 3, 4. XLA's element-wise emitter (`xla_cpu_use_fusion_emitters=False`) caches each fused
value per point, so the same program runs in linear time (0.007 s per line) and compiles ~20 %
faster. `optimization_barrier` does not help: XLA:CPU expands barriers before fusion.

The option is passed to each compilation (`Lowered.compile(compiler_options)`), which changes no
global JAX or XLA setting of the process; the persistent compilation cache keys on it. On GPUs
the default emitters are kept.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable

#: Options for programs compiled for a CPU.
CPU_COMPILER_OPTIONS: dict[str, Any] = {"xla_cpu_use_fusion_emitters": False}


def compiler_options(platform: str) -> dict[str, Any]:
    """The XLA options pmrf compiles its programs with on `platform` ('cpu', 'gpu', ...)."""
    return dict(CPU_COMPILER_OPTIONS) if platform == "cpu" else {}


def compile_lowered(lowered, platform: str = "cpu"):
    """Compile a `jax.stages.Lowered` with pmrf's options for `platform`.

    An XLA that does not know an option (a newer one may retire it) compiles with its defaults.
    """
    options = compiler_options(platform)
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
    backend."""
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


def compile_threadsafe(lowered, platform: str = "cpu", lapack: bool | None = None):
    """`compile_lowered`, and on a CPU a program that calls LAPACK behind `OneAtATime`: safe to
    call from several threads. `lapack`: whether it does, where the caller knows (a stored
    program's verdict); None reads it from the lowered text."""
    compiled = compile_lowered(lowered, platform)
    if platform != "cpu":
        return compiled
    if lapack is None:
        lapack = calls_lapack(lowered.as_text())
    if lapack:
        return OneAtATime(compiled)
    return compiled
