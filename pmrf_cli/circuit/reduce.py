"""Series-parallel reduction of a circuit's two-terminal elements, before it is solved.

Filters are full of elements that only meet each other: the parallel LC tanks in the series arms
of an elliptic low-pass, the series LC resonators of a band-pass's arms, an R + L branch. Such
elements combine into one two-terminal part (`models.combined.SeriesParallel`, exact in a ratio
form) by two rules, applied until neither does:

* parallel: elements between the same two nodes are one element;
* series: a node that is not a port and that exactly two elements reach (each once, their other
  ends distinct) disappears, and the two elements are one between their other ends.

The circuit then has fewer nodes and parts, and often becomes a ladder (an elliptic low-pass or a
band-pass with resonators in its arms is a chain of series and shunt parts): the cascade of
chain matrices replaces a nodal elimination. Only elements combine: a multi-port's ports, and
ground, are never reduced away.
"""

from __future__ import annotations

from pmrf_cli.circuit.topology import Placement, Topology, renumbered
from pmrf_cli.models.lumped import TwoTerminal


def _combine(models: list, parallel: bool):
    from pmrf_cli.models.combined import SeriesParallel

    parts = []
    for m in models:
        same = isinstance(m, SeriesParallel) and m.parallel == parallel
        parts.extend(m.parts if same else (m,))
    return SeriesParallel(tuple(parts), parallel)


def _is_element(pl: Placement, model) -> bool:
    return pl.element and isinstance(model, TwoTerminal)


def _merge_parallel(items: list) -> list | None:
    """`items` with every set of elements between the same two nodes merged into the first of
    them; None when there is none."""
    first: dict[frozenset, int] = {}
    groups: dict[int, list[int]] = {}
    for i, (pl, model) in enumerate(items):
        if not _is_element(pl, model) or pl.plus[0] == pl.minus[0]:
            continue
        key = frozenset((pl.plus[0], pl.minus[0]))
        head = first.setdefault(key, i)
        groups.setdefault(head, []).append(i)
    merges = {head: members for head, members in groups.items() if len(members) > 1}
    if not merges:
        return None
    gone = {i for members in merges.values() for i in members[1:]}
    out = []
    for i, (pl, model) in enumerate(items):
        if i in gone:
            continue
        if i in merges:
            model = _combine([items[j][1] for j in merges[i]], parallel=True)
        out.append((pl, model))
    return out


def _merge_series(items: list, ports: set[int]) -> list | None:
    """`items` with internal nodes between exactly two elements removed, each pair merged into
    one element in the first one's place (in one pass, pairs that share no element: a chain of
    k elements takes log2 k passes); None when there is no such node."""
    touches: dict[int, list[int]] = {}
    for i, (pl, _) in enumerate(items):
        for n in pl.plus + pl.minus:
            if n >= 0:
                touches.setdefault(n, []).append(i)
    merged: dict[int, tuple] = {}
    used: set[int] = set()
    for node, users in touches.items():
        if node in ports or len(users) != 2 or users[0] == users[1] or used & set(users):
            continue
        (pa, ma), (pb, mb) = (items[j] for j in users)
        if not (_is_element(pa, ma) and _is_element(pb, mb)):
            continue
        ends = [pl.minus[0] if pl.plus[0] == node else pl.plus[0] for pl in (pa, pb)]
        if ends[0] == ends[1]:
            continue  # a loop hanging from one node: nothing to gain
        merged[users[0]] = (Placement((ends[0],), (ends[1],), True), _combine([ma, mb], parallel=False))
        used.update(users)
    if not merged:
        return None
    gone = used - set(merged)
    return [merged.get(i, item) for i, item in enumerate(items) if i not in gone]


def reduce_elements(topo: Topology, components) -> tuple[Topology, tuple] | None:
    """The circuit with its elements reduced (series and parallel), as (topology, components),
    or None when nothing reduces. Nodes are renumbered densely in their original order; port
    nodes stay ports."""
    items = list(zip(topo.placements, components))
    ports = set(topo.port_nodes)
    changed = False
    while True:
        merged = _merge_parallel(items)
        if merged is None:
            merged = _merge_series(items, ports)
        if merged is None:
            break
        items, changed = merged, True
    if not changed:
        return None
    return renumbered(topo, [pl for pl, _ in items]), tuple(model for _, model in items)
