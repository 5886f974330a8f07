"""Fast path for 2-port ladders: a cascade of homogeneous ABCD matrices.

A circuit is a ladder when its non-ground nodes form one chain from port 1 to port 2, each link
being a single series part (a two-terminal element, or a 2-port with both ports to ground), and
every other part is a two-terminal element or a one-port from a chain node to ground (shunt).
Ports that end inside a component (`circuit.terminate`: open or shorted stubs, a coupled pair's
open ends) are folded into it first, so stub filters and coupled-line band-passes are ladders
too. Then S follows from the product of the parts' chain matrices: ~12 element-wise complex
operations per part instead of an elimination.

Precision: the product is formed on homogeneous matrices (`models.stamp.ChainParts`), so a
series capacitor or shunt inductor at DC and blocks with S21 = 0 stay finite; S is then taken
from the product without forming 1/S21. In a deep stop-band the entries grow like 1/|S21| and
S21 = 2 sqrt(z1 z2) mu / (A z2 + B + C z1 z2 + D z1) keeps full relative precision (the terms of
the denominator do not cancel in a stop-band); tests compare against the nodal solver there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp

from pmrf_cli.circuit.cost import LADDER_INLINE_COST
from pmrf_cli.circuit.topology import Placement, Topology
from pmrf_cli.circuit.stages import evaluate_components
from pmrf_cli.cplx import Cx, computed_once
from pmrf_cli.models.base import chain_to_s, freq_array
from pmrf_cli.models.stamp import ChainParts


@dataclass(frozen=True)
class Link:
    """One step of the ladder: component index, 'series' or 'shunt', and orientation."""

    index: int
    kind: str
    reverse: bool = False


def series_ends(pl: Placement) -> tuple[int, int] | None:
    """The two nodes of a part that can be a series link (a two-terminal element between two
    nodes, a 2-port with both ports to ground), else None."""
    if pl.element:
        a, b = pl.plus[0], pl.minus[0]
    elif len(pl.plus) == 2 and pl.minus == (-1, -1):
        a, b = pl.plus
    else:
        return None
    return (a, b) if a >= 0 and b >= 0 and a != b else None


def shunt_node(pl: Placement) -> int | None:
    """The node of a part from one node to ground (an element or a one-port), else None."""
    if pl.element:
        a, b = pl.plus[0], pl.minus[0]
        return max(a, b) if min(a, b) < 0 <= max(a, b) else None
    if len(pl.plus) == 1 and pl.minus == (-1,) and pl.plus[0] >= 0:
        return pl.plus[0]
    return None


def find_ladder(topo: Topology, components) -> tuple[Link, ...] | None:
    """The ladder's links in order from port 1, or None when the circuit is not a ladder."""
    if len(topo.port_nodes) != 2 or topo.port_nodes[0] == topo.port_nodes[1]:
        return None
    series: dict[int, list[tuple[int, int]]] = {}
    shunts: dict[int, list[int]] = {}
    for i, pl in enumerate(topo.placements):
        ends, node = series_ends(pl), shunt_node(pl)
        if ends is not None:
            a, b = ends
            series.setdefault(a, []).append((i, b))
            series.setdefault(b, []).append((i, a))
        elif node is not None:
            shunts.setdefault(node, []).append(i)
        else:
            return None
    p1, p2 = topo.port_nodes
    links: list[Link] = []
    seen_nodes = set()
    used = set()
    node, came_by = p1, None
    while True:
        seen_nodes.add(node)
        links.extend(Link(i, "shunt") for i in shunts.get(node, ()))
        nxt = [(i, other) for i, other in series.get(node, ()) if i != came_by]
        if node == p2:
            if nxt:
                return None
            break
        if len(nxt) != 1:
            return None
        i, other = nxt[0]
        if other in seen_nodes or i in used:
            return None
        pl = topo.placements[i]
        reverse = (not pl.element) and pl.plus[0] != node
        if pl.element:
            reverse = False
        links.append(Link(i, "series", reverse))
        used.add(i)
        node, came_by = other, i
    if len(seen_nodes) != len(topo.node_names) or set(shunts) - seen_nodes:
        return None
    return tuple(links)


def _opt_mul(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return Cx.of(a) * Cx.of(b)


def cascade_parts(x: ChainParts, y: ChainParts) -> ChainParts:
    """The chain form of x followed by y (constants 0 and 1 folded)."""
    xa, xb, xc, xd = (Cx.of(v) for v in (x.a, x.b, x.c, x.d))
    ya, yb, yc, yd = (Cx.of(v) for v in (y.a, y.b, y.c, y.d))
    return ChainParts(
        xa * ya + xb * yc,
        xa * yb + xb * yd,
        xc * ya + xd * yc,
        xc * yb + xd * yd,
        _opt_mul(x.mu, y.mu),
        _opt_mul(x.nu, y.nu),
    )


def evaluate(links: tuple[Link, ...], components, freq, z0):
    """S of the ladder, (F, 2, 2): every part's chain form first (stage 1, grouped by type),
    then their product."""
    parts = evaluate_components(link_calls(links, components), freq, inline_below=LADDER_INLINE_COST)
    return links_to_s(links, parts, z0[0], z0[1], freq)


def link_calls(links: tuple[Link, ...], components) -> list[tuple[str, Any]]:
    """The (method, model) calls that give each link's chain form."""
    return [("shunt_chain" if link.kind == "shunt" else "chain", components[link.index]) for link in links]


def links_to_s(links: tuple[Link, ...], parts, z1, z2, freq):
    """S (F, 2, 2) of the links in order, from their evaluated chain forms `parts`, between
    references z1 and z2."""
    parts = [p.reversed() if link.reverse else p for p, link in zip(parts, links)]
    return product_to_s(cascade_all(parts), z1, z2, freq)


def product_to_s(product: ChainParts, z1, z2, freq):
    """S (F, 2, 2) of a cascade from its chain product, the product computed once, to memory:
    each entry of S reads it, and XLA would fuse the whole cascade into each (1.3-1.9x slower
    for ladders of 10 cheap parts)."""
    return chain_to_s(computed_once(product), z1, z2, jnp.shape(freq_array(freq)))


def cascade_all(parts) -> ChainParts:
    """The chain form of `parts` in order (the identity for none)."""
    total = ChainParts(Cx(1.0), Cx(), Cx(), Cx(1.0))
    for part in parts:
        total = cascade_parts(total, part)
    return total
