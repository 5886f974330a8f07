"""Stage 1 of a circuit's evaluation: every component's per-frequency quantities, by group.

A circuit is evaluated in two stages: first each component's chain form or port stamp on the
grid (zc, gamma, cosh, the stamp entries: the physics), then the solver on those arrays (the
cascade product or the elimination). Components of one type and one structure (the same pytree
and field shapes: seven microstrip sections, ten capacitors) are evaluated together, by one
loop over their stacked parameters, so the program holds each model's physics once per
group, not once per component: the traced program, and with it the compile time, grows with the
number of component *types*, and only the solver grows with the number of components. The group
is evaluated by a loop over its members, whose results land in memory before the solver reads
them (a stage boundary that XLA keeps; see `_evaluate_group`).

Python numbers and exact zeros in the results (`cplx.Cx` parts: `None`, 1.0) are the same for
every member of a group (one trace), so they stay Python values after the vmap and the solver
still folds them at trace time.
"""

from __future__ import annotations

from typing import Any, Hashable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from pmrf_cli.cplx import materialize

#: Fields larger than this (S-parameter data, say) are not stacked: such models run alone.
MAX_STACKED_LEAF = 64


def _is_array(x) -> bool:
    return isinstance(x, (jax.Array, jax.core.Tracer, np.ndarray))


def _group_key(model, method: str) -> Hashable | None:
    """What members of a group share (type, structure, field shapes); None: evaluate alone."""
    leaves, treedef = jax.tree_util.tree_flatten(model)
    sig = []
    for x in leaves:
        if _is_array(x):
            if np.size(x) > MAX_STACKED_LEAF:
                return None
            sig.append((tuple(np.shape(x)), str(jnp.result_type(x))))
        else:
            try:
                hash(x)
            except TypeError:
                return None
            sig.append(("static", type(x).__name__, x))
    return (type(model), method, treedef, tuple(sig))


def _evaluate_group(method: str, models: Sequence, freq) -> list:
    """`getattr(m, method)(freq)` for every model of one group, by one loop over the members.

    A loop (`lax.map`), not a vmap: its outputs are buffers in memory, a boundary XLA cannot
    fuse across. Fused into the solver, a component's physics (sin, cos, the media formulas) is
    duplicated into every fusion that reads one of its stamp entries: a Wilkinson whose line
    lengths vary carried 39 sines and cosines for two lines, and ran 5x slower."""
    flat = [jax.tree_util.tree_flatten(m) for m in models]
    treedef = flat[0][1]
    first = flat[0][0]
    where = [i for i, x in enumerate(first) if _is_array(x)]
    stacked = [jnp.stack([jnp.asarray(leaves[i]) for leaves, _ in flat]) for i in where]
    info: dict[str, Any] = {}

    def one(*arrays):
        leaves = list(first)
        for i, a in zip(where, arrays):
            leaves[i] = a
        out = getattr(jax.tree_util.tree_unflatten(treedef, leaves), method)(freq)
        out_leaves, out_def = jax.tree_util.tree_flatten(out)
        info["def"] = out_def
        info["leaves"] = out_leaves
        info["arrays"] = [j for j, x in enumerate(out_leaves) if _is_array(x)]
        return [out_leaves[j] for j in info["arrays"]]

    batched = jax.lax.map(lambda xs: one(*xs), tuple(stacked))
    results = []
    for k in range(len(models)):
        leaves = list(info["leaves"])
        for j, a in zip(info["arrays"], batched):
            leaves[j] = a[k]
        results.append(jax.tree_util.tree_unflatten(info["def"], leaves))
    return results


def evaluate_components(calls: Sequence[tuple[str, Any]], freq) -> list:
    """`[getattr(model, method)(freq) for method, model in calls]`, grouped: members of a group
    share one vmapped evaluation. The results are materialised together (stage boundary)."""
    results: list = [None] * len(calls)
    groups: dict[Hashable, list[int]] = {}
    for i, (method, model) in enumerate(calls):
        key = _group_key(model, method)
        if key is None:
            results[i] = getattr(model, method)(freq)
        else:
            groups.setdefault(key, []).append(i)
    for members in groups.values():
        method = calls[members[0]][0]
        models = [calls[i][1] for i in members]
        if len(members) == 1:
            outs = [getattr(models[0], method)(freq)]
        else:
            try:
                outs = _evaluate_group(method, models, freq)
            except (jax.errors.ConcretizationTypeError, jax.errors.TracerBoolConversionError):
                # a model that inspects its values in Python cannot be vmapped: evaluate alone
                outs = [getattr(m, method)(freq) for m in models]
        for i, out in zip(members, outs):
            results[i] = out
    return materialize(results)
