"""Stage 1 of a circuit's evaluation: every component's per-frequency quantities, by group.

A circuit is evaluated in two stages: first each component's chain form or port stamp on the
grid (zc, gamma, cosh, the stamp entries: the physics), then the solver on those arrays (the
cascade product or the elimination). Components of one type and one structure (the same pytree
and field shapes: seven microstrip sections, ten capacitors) are evaluated together, by one
loop over their stacked parameters, so the program holds each model's physics once per
group, not once per component: the traced program, and with it the compile time, grows with the
number of component *types*, and only the solver grows with the number of components. The group
is evaluated by a loop over its members, whose results land in memory before the solver reads
them (a stage boundary that XLA keeps; see `_loop`). A ladder's groups whose per-point work is
cheap (lumped parts, ideal and lossy lines) are instead evaluated member by member where the
cascade reads them (`inline_below`, `circuit.cost`): storing and re-reading costs more there.

TEM lines go one step further: their physics is a per-unit-length medium (zc and gamma, or Z'
and Y'), so lines of one medium (the sections of a stepped-impedance filter that share a width
and substrate) evaluate it once, and only `chain_of(medium, length)` per line. Open and shorted
stubs (lines with one port folded into them by `circuit.terminate`) take their one-port's
admittance from the same chain form, so they share media with the lines too: a microstrip
low-pass of seven line sections and six stubs, on three widths, holds the microstrip physics
once instead of twice, compiles in 2.8 s instead of 4.3 and runs 2.2x faster.

Python numbers and exact zeros in the results (`cplx.Cx` parts: `None`, 1.0) are the same for
every member of a group (one trace), so they stay Python values after the loop and the solver
still folds them at trace time.
"""

from __future__ import annotations

from typing import Any, Hashable, Sequence

import jax
import jax.extend as jex
import jax.numpy as jnp
import numpy as np

from pmrf_cli.circuit.cost import per_point_cost
from pmrf_cli.cplx import Cx, is_array, materialize
from pmrf_cli.models.stamp import ratio_shunt_chain, ratio_stamp

#: Fields larger than this (S-parameter data, say) are not stacked: such models run alone.
MAX_STACKED_LEAF = 64


def _group_key(model, method: str) -> Hashable | None:
    """What members of a group share (type, structure, field shapes); None: evaluate alone."""
    leaves, treedef = jax.tree_util.tree_flatten(model)
    sig = []
    for x in leaves:
        if is_array(x):
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


def _loop(fn, stacked: Sequence, count: int, npoints: int, inline_below: float | None) -> list:
    """`[fn(*(a[k] for a in stacked)) for k in range(count)]`, by one loop (`lax.map`), or
    unrolled where the members' weighted per-point cost (`cost.per_point_cost`) is at most
    `inline_below` (None: always the loop).

    A loop, not a vmap: its outputs are buffers in memory, a boundary XLA cannot fuse across.
    Fused into the solver, a component's physics (sin, cos, the media formulas) is duplicated
    into every fusion that reads one of its stamp entries: a Wilkinson whose line lengths vary
    carried 39 sines and cosines for two lines and ran 5x slower; a tee of three lossy lines
    compiled in 7.4 s instead of 2.5 s. Cheap physics (a capacitor's j w C) is better computed
    again where it is read than stored and re-read. `fn` is traced once either way; Python
    numbers and exact zeros in the results are the same for every member (one trace) and stay
    Python values."""
    info: dict[str, Any] = {}

    def one(*args):
        out = fn(*args)
        out_leaves, out_def = jax.tree_util.tree_flatten(out)
        info["def"], info["leaves"] = out_def, out_leaves
        info["arrays"] = [j for j, x in enumerate(out_leaves) if is_array(x)]
        return [out_leaves[j] for j in info["arrays"]]

    if any(isinstance(a, jax.core.Tracer) for a in stacked):
        closed = jax.make_jaxpr(one)(*(jax.ShapeDtypeStruct(jnp.shape(a)[1:], jnp.result_type(a)) for a in stacked))
        run = jex.core.jaxpr_as_fun(closed)
        if inline_below is None or per_point_cost(closed.jaxpr, npoints) > inline_below:
            batched = jax.lax.map(lambda args: run(*args), tuple(stacked))
            members = [[a[k] for a in batched] for k in range(count)]
        else:
            members = [run(*(a[k] for a in stacked)) for k in range(count)]
    else:  # eager (op by op): nothing fuses, and a vmap dispatches each op once, uncompiled
        batched = jax.vmap(one)(*stacked)
        members = [[a[k] for a in batched] for k in range(count)]
    results = []
    for arrays in members:
        leaves = list(info["leaves"])
        for j, a in zip(info["arrays"], arrays):
            leaves[j] = a
        results.append(jax.tree_util.tree_unflatten(info["def"], leaves))
    return results


def _npoints(freq) -> int:
    """Points of the grid (at least 2: with one, every result is per point and per sample)."""
    from pmrf_cli.models.base import freq_array

    return max(2, int(np.prod(jnp.shape(freq_array(freq)))))


def _evaluate_group(method: str, models: Sequence, freq, inline_below: float | None) -> list:
    """`getattr(m, method)(freq)` for every model of one group (same structure), by one loop."""
    flat = [jax.tree_util.tree_flatten(m) for m in models]
    treedef = flat[0][1]
    first = flat[0][0]
    where = [i for i, x in enumerate(first) if is_array(x)]
    stacked = [jnp.stack([jnp.asarray(leaves[i]) for leaves, _ in flat]) for i in where]

    def one(*arrays):
        leaves = list(first)
        for i, a in zip(where, arrays):
            leaves[i] = a
        return getattr(jax.tree_util.tree_unflatten(treedef, leaves), method)(freq)

    return _loop(one, stacked, len(models), _npoints(freq), inline_below)


def _plain_line(model) -> bool:
    """Whether `model` is a TEM line whose chain form is `chain_of(medium, length)`."""
    from pmrf_cli.models.tline import TEMLine

    t = type(model)
    return (
        isinstance(model, TEMLine)
        and t.chain is TEMLine.chain
        and t.electrical is TEMLine.electrical
        and t.stamp is TEMLine.stamp
    )


def _as_line(model, method: str) -> tuple[Any, tuple[bool, int] | None] | None:
    """(line, end) for a call that a TEM line's `chain_of(medium, length)` answers: a line's
    chain or stamp (end None), or a stub's, a line with one port open or shorted
    (`circuit.terminate`), as a one-port's shunt chain or stamp (end: (shorted, which port)).
    None for anything else."""
    from pmrf_cli.models.wrappers import Terminated

    if isinstance(model, Terminated):
        if (method in ("shunt_chain", "stamp") and len(model.ends) == 1 and not model.loads[0]
                and _plain_line(model.model)):
            return model.model, (model.shorted[0], model.ends[0])
        return None
    if method in ("chain", "stamp") and _plain_line(model):
        return model, None
    return None


def _medium_key(model, method: str) -> Hashable | None:
    """For a TEM line whose chain form is `chain_of(medium, length)`, or a stub of one
    (`_as_line`): what identifies its medium (type, static fields and every other field but the
    length: the same array or traced value, or equal concrete constants; the netlist builder
    hands equal expressions the same array). None for anything else."""
    line = _as_line(model, method)
    if line is None:
        return None
    model = line[0]
    key = [type(model), jax.tree_util.tree_structure(model)]  # static fields too (a dielectric model, a CPW's backside)
    for path, x in jax.tree_util.tree_flatten_with_path(model)[0]:
        if getattr(path[-1], "name", None) in ("length", "z0"):  # z0: port references, not physics
            continue
        if isinstance(x, jax.core.Tracer):
            key.append(("traced", id(x)))
        elif is_array(x):
            if np.size(x) > MAX_STACKED_LEAF:
                return None
            key.append((tuple(np.shape(x)), np.asarray(x).tobytes()))
        else:
            key.append(("static", repr(x)))
    return tuple(key)


def _line_result(chain, method: str, end: tuple[bool, int] | None):
    """What a call asked of a line (`_as_line`), from the line's chain form: the chain itself or
    its stamp; for a stub, the one-port's admittance q / p (open end: C / A, shorted: D / B, seen
    from the kept port) as a shunt chain [[p, 0], [q, p]] / p or a stamp q V - p I = 0."""
    from pmrf_cli.models.tline import chain_stamp

    if end is None:
        return chain_stamp(chain) if method == "stamp" else chain
    shorted, port = end
    if port == 0:  # the kept port is port 2
        chain = chain.reversed()
    p, q = (Cx.of(chain.b), Cx.of(chain.d)) if shorted else (Cx.of(chain.a), Cx.of(chain.c))
    return ratio_shunt_chain(p, q) if method == "shunt_chain" else ratio_stamp(p, q)


def _strictest(thresholds: Sequence[float | None]) -> float | None:
    """The inlining threshold that honours all of `thresholds` (None, always the loop, wins)."""
    return None if any(t is None for t in thresholds) else min(thresholds)


def _evaluate_lines(calls: Sequence[tuple[str, Any]], freq, inline: Sequence[float | None]) -> list:
    """Chain forms (or stamps) of TEM lines and stubs that share media: each medium once
    (grouped by type), then every line's `chain_of(medium, length)` in one loop per line type;
    `inline` holds each call's inlining threshold (`evaluate_components`)."""
    lines = [_as_line(model, method) for method, model in calls]
    media: dict[Hashable, int] = {}
    which = []
    for method, model in calls:
        which.append(media.setdefault(_medium_key(model, method), len(media)))
    first = {}
    for i, m in enumerate(which):
        first.setdefault(m, lines[i][0])
    evaluated = evaluate_components(
        [("medium", first[m]) for m in range(len(media))], freq, stage=False,
        inline_below=[_strictest([t for t, w in zip(inline, which) if w == m]) for m in range(len(media))])
    results: list = [None] * len(calls)
    by_type: dict[type, list[int]] = {}
    for i, (line, _) in enumerate(lines):
        by_type.setdefault(type(line), []).append(i)
    for t, members in by_type.items():
        args = [jax.tree_util.tree_map(lambda *xs: jnp.stack(xs), *[evaluated[which[i]] for i in members]),
                jnp.stack([jnp.asarray(lines[i][0].length, float) for i in members])]
        leaves, treedef = jax.tree_util.tree_flatten(args[0])

        def one(length, *medium_leaves, treedef=treedef, t=t):
            return t.chain_of(jax.tree_util.tree_unflatten(treedef, list(medium_leaves)), length)

        chains = _loop(one, [args[1], *leaves], len(members), _npoints(freq),
                       _strictest([inline[i] for i in members]))
        for i, chain in zip(members, chains):
            results[i] = _line_result(chain, calls[i][0], lines[i][1])
    return results


def evaluate_components(calls: Sequence[tuple[str, Any]], freq, stage: bool = True,
                        inline_below: float | None | Sequence[float | None] = None) -> list:
    """`[getattr(model, method)(freq) for method, model in calls]`, in stages: TEM lines that
    share a medium evaluate it once; members of a group (same type and structure) share one
    loop, or are evaluated one by one where their weighted per-point cost is at most
    `inline_below` (None: always the loop; see `cost.LADDER_INLINE_COST`), one threshold for all
    calls or one per call. With `stage`, the results are also put behind one barrier (the stage
    boundary)."""
    if isinstance(inline_below, (list, tuple)):
        inline = list(inline_below)
    else:
        inline = [inline_below] * len(calls)
    results: list = [None] * len(calls)
    lines = [i for i, (method, model) in enumerate(calls) if _medium_key(model, method) is not None]
    if len({_medium_key(calls[i][1], calls[i][0]) for i in lines}) < len(lines):
        for i, out in zip(lines, _evaluate_lines([calls[i] for i in lines], freq, [inline[i] for i in lines])):
            results[i] = out
        done = set(lines)
    else:
        done = set()
    groups: dict[Hashable, list[int]] = {}
    for i, (method, model) in enumerate(calls):
        if i in done:
            continue
        key = _group_key(model, method)
        if key is None:
            results[i] = getattr(model, method)(freq)
        else:
            groups.setdefault((key, inline[i]), []).append(i)
    for (_, threshold), members in groups.items():
        method = calls[members[0]][0]
        models = [calls[i][1] for i in members]
        if len(members) == 1:
            outs = [getattr(models[0], method)(freq)]
        else:
            try:
                outs = _evaluate_group(method, models, freq, threshold)
            except (jax.errors.ConcretizationTypeError, jax.errors.TracerBoolConversionError):
                # a model that inspects its values in Python cannot be traced once for all
                outs = [getattr(m, method)(freq) for m in models]
        for i, out in zip(members, outs):
            results[i] = out
    return materialize(results) if stage else results
