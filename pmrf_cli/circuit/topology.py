"""Static topology of a circuit: node numbering and how each component's ports sit on nodes.

Everything here is plain Python on names, run at trace time, so it costs nothing per sample.
"""

from __future__ import annotations

from dataclasses import dataclass

GROUND_NAMES = frozenset({"gnd", "0"})


@dataclass(frozen=True)
class Placement:
    """Ports of one component on circuit node indices: port k is across plus[k] (+) and minus[k] (-);
    -1 is ground. `element` is True for a two-terminal part used as a one-port between its nodes."""

    plus: tuple[int, ...]
    minus: tuple[int, ...]
    element: bool


@dataclass(frozen=True)
class Topology:
    """Node numbering (ground excluded), component placements and port nodes."""

    node_names: tuple[str, ...]
    placements: tuple[Placement, ...]
    port_nodes: tuple[int, ...]


def place(nports: int, nodes: tuple[int, ...], two_terminal: bool) -> Placement:
    """Map a component's node list onto its ports.

    A two-terminal part with two nodes is a one-port between them. Otherwise, for a P-port:
    P nodes put each port between its node and ground; P + 1 nodes reference every port to the
    last node; 2P nodes give each port its own (+, -) pair.
    """
    k = len(nodes)
    if two_terminal and k == 2:
        return Placement((nodes[0],), (nodes[1],), True)
    if k == nports:
        return Placement(tuple(nodes), (-1,) * nports, False)
    if k == nports + 1:
        return Placement(tuple(nodes[:-1]), (nodes[-1],) * nports, False)
    if k == 2 * nports:
        return Placement(tuple(nodes[0::2]), tuple(nodes[1::2]), False)
    raise ValueError(
        f"a {nports}-port takes {nports}, {nports + 1} or {2 * nports} nodes, not {k}"
    )


def build_topology(
    node_lists: tuple[tuple[str, ...], ...],
    nports: tuple[int, ...],
    two_terminal: tuple[bool, ...],
    ports: tuple[str, ...],
    names: tuple[str, ...],
) -> Topology:
    """Number the nodes (first appearance order, ground = -1) and place every component."""
    index: dict[str, int] = {}

    def idx(name: str) -> int:
        name = str(name)
        if name in GROUND_NAMES:
            return -1
        return index.setdefault(name, len(index))

    placements = []
    for comp_nodes, p, tt, cname in zip(node_lists, nports, two_terminal, names):
        try:
            placements.append(place(p, tuple(idx(n) for n in comp_nodes), tt))
        except ValueError as e:
            raise ValueError(f"component {cname}: {e}") from None
    port_nodes = []
    for pn in ports:
        if str(pn) in GROUND_NAMES:
            raise ValueError(f"port on ground node {pn!r}")
        if str(pn) not in index:
            raise ValueError(f"port node {pn!r} is not connected to any component")
        port_nodes.append(index[str(pn)])
    return Topology(tuple(index), tuple(placements), tuple(port_nodes))


def renumbered(topo: Topology, placements) -> Topology:
    """`topo` with its placements replaced by `placements` (on `topo`'s node numbers) and the
    nodes they and the ports still use numbered densely, in their original order."""
    used = sorted({n for pl in placements for n in pl.plus + pl.minus if n >= 0} | set(topo.port_nodes))
    new = {n: k for k, n in enumerate(used)}

    def renumber(nodes):
        return tuple(new[n] if n >= 0 else -1 for n in nodes)

    return Topology(
        tuple(topo.node_names[n] for n in used),
        tuple(Placement(renumber(pl.plus), renumber(pl.minus), pl.element) for pl in placements),
        renumber(topo.port_nodes),
    )
