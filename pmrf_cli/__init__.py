"""pmrf_cli: batched S-parameter simulation of RF circuits on JAX and Equinox.

The library leaves JAX's global configuration alone. For float64 results (recommended, and what
the `pmrf` command uses), enable it once at the start of your program:

    import jax
    jax.config.update("jax_enable_x64", True)

On a CPU, compile batched evaluations with `pmrf_cli.compile_kernel(jitted_fn, *args)` rather
than `jitted_fn(*args)`: it passes the XLA options that suit the program (the element-wise
emitter, which compiles fastest; see `pmrf_cli.engine.compiled`), for that program only.
Setting `XLA_FLAGS=--xla_cpu_use_fusion_emitters=false` in the environment takes that emitter
process-wide.

Names are imported lazily, so `import pmrf_cli` is cheap until a model is used.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "Frequency": "pmrf_cli.frequency",
    "Model": "pmrf_cli.models.base",
    "Circuit": "pmrf_cli.circuit.circuit",
    "Cascade": "pmrf_cli.circuit.cascade",
    "conversions": "pmrf_cli.conversions",
    "models": "pmrf_cli.models",
    "compile_kernel": "pmrf_cli.engine.compiled",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        value = module if module.__name__.endswith(name) else getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pmrf_cli' has no attribute {name!r}")
