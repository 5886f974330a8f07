"""Ports that end inside a component: absorbed into it before the circuit is solved.

A multi-port's port often leads nowhere else: a coupled pair's open ends in a parallel-coupled
band-pass, an open or shorted stub's far end, an S-parameter block's unused port. Such a port's
+ terminal is a node that no other part reaches except two-terminal elements to ground (an
open-end capacitance, a load), or it is ground itself (a short), and its - terminal is ground.
The port is then terminated by that load, whatever the rest of the circuit does, so the component
is replaced by a `models.wrappers.Terminated` component with fewer ports (its S with the load's
reflection folded in, per point) and the load and the node disappear from the circuit.

That is exact, and it changes the solver a circuit gets: a coupled-line band-pass becomes a
cascade of 2-ports (a ladder, not the dense LU of a circuit with 4-port blocks), and a stub
becomes a shunt one-port of the ladder it sits on.
"""

from __future__ import annotations

from dataclasses import dataclass

from pmrf_cli.circuit.topology import Placement, Topology, renumbered
from pmrf_cli.models.lumped import TwoTerminal


@dataclass(frozen=True)
class Ending:
    """How one port of a component is terminated: `loads` (component indices of the shunt
    elements at its node; none: an open end), or `short` (the port's + terminal is ground)."""

    port: int
    loads: tuple[int, ...] = ()
    short: bool = False


def _shunt_node(pl: Placement) -> int | None:
    """The node of an element from a node to ground (None for anything else)."""
    if not pl.element:
        return None
    a, b = pl.plus[0], pl.minus[0]
    if (a < 0) == (b < 0):
        return None
    return max(a, b)


def find_endings(topo: Topology, components) -> dict[int, tuple[Ending, ...]]:
    """{component index: its terminated ports} for every multi-port with a port that ends in it
    (at least one port is kept)."""
    touches: dict[int, int] = {}
    shunts: dict[int, list[int]] = {}
    for i, pl in enumerate(topo.placements):
        node = _shunt_node(pl)
        if node is not None and isinstance(components[i], TwoTerminal):
            shunts.setdefault(node, []).append(i)
            continue
        for n in set(pl.plus) | set(pl.minus):
            if n >= 0:
                touches[n] = touches.get(n, 0) + 1
    ports = set(topo.port_nodes)
    out: dict[int, tuple[Ending, ...]] = {}
    for i, pl in enumerate(topo.placements):
        if pl.element:
            continue
        own = [n for n in pl.plus + pl.minus if n >= 0]
        ends = []
        for k, (plus, minus) in enumerate(zip(pl.plus, pl.minus)):
            if minus >= 0:
                continue
            if plus < 0:
                ends.append(Ending(k, short=True))
            elif plus not in ports and touches.get(plus) == 1 and own.count(plus) == 1:
                ends.append(Ending(k, tuple(shunts.get(plus, ()))))
        if ends and len(ends) < len(pl.plus):
            out[i] = tuple(ends)
    return out


def terminate(topo: Topology, components) -> tuple[Topology, tuple] | None:
    """The circuit with every port that ends in its component absorbed into it: (topology,
    components), or None when no port does. Node numbers are renumbered densely (the absorbed
    nodes are gone), in their original order; port nodes stay ports."""
    from pmrf_cli.models.wrappers import Terminated

    endings = find_endings(topo, components)
    if not endings:
        return None
    absorbed = {j for ends in endings.values() for e in ends for j in e.loads}
    placements: list[Placement] = []
    models = []
    for i, (pl, model) in enumerate(zip(topo.placements, components)):
        if i in absorbed:
            continue
        if i in endings:
            ends = endings[i]
            gone = {e.port for e in ends}
            kept = tuple(k for k in range(len(pl.plus)) if k not in gone)
            model = Terminated(
                model, kept=kept, ends=tuple(e.port for e in ends), shorted=tuple(e.short for e in ends),
                loads=tuple(tuple(components[j] for j in e.loads) for e in ends),
            )
            pl = Placement(tuple(pl.plus[k] for k in kept), tuple(pl.minus[k] for k in kept), False)
        placements.append(pl)
        models.append(model)
    return renumbered(topo, placements), tuple(models)
