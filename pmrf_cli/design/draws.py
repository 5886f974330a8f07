"""Random samples around moving nominals, with common random numbers.

`moving_sampler(flat, seed)` gives `f(index, nominals) -> {path: value}`: parameters in
dependency order, each chosen parameter at the given (traced) nominal, derived ones following,
and every random parameter drawn from its distribution around its current nominal with the
same key as a sweep with `seed` (pmrf_cli.sampling.keys). The standard variates are thus fixed
per sample while the nominals move, and each draw is differentiable in its nominal (a relative
tolerance scales with it; an absolute one shifts with it).
"""

from __future__ import annotations

from typing import Callable, Mapping

from pmrf_cli.netlist.expressions import evaluate


def moving_sampler(flat, seed: int) -> Callable[[object, Mapping[str, object]], dict]:
    """`f(index, nominals) -> env` for sample `index` of the stream of `seed`."""
    import jax.numpy as jnp

    from pmrf_cli.sampling.draws import draw_value, standard_variates
    from pmrf_cli.sampling.keys import base_key, path_key

    root = base_key(seed)
    drawn = [p for p in flat.params if p.is_random]
    keys = {p.path: path_key(root, p.path) for p in drawn}

    def f(index, nominals: Mapping[str, object]) -> dict:
        env: dict[str, object] = {}
        dtype = jnp.result_type(float)
        variates = standard_variates(drawn, keys, index)
        for p in flat.params:
            value = nominals[p.path] if p.path in nominals else evaluate(p.nominal, env, jnp)
            value = jnp.asarray(value, dtype=dtype)
            if p.is_random:
                value = draw_value(p, value, env, variates[p.path])
            env[p.path] = value
        return env

    return f


__all__ = ["moving_sampler"]
