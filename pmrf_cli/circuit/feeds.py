"""Feeds: the ladder between a port and the rest of a nodal circuit, connected afterwards.

Couplers, dividers and multiplexers are usually drawn with a line or a filter from each port to
the junction (a branch-line coupler's four 50-ohm feeds, a diplexer's low-pass and high-pass
arms from the common port). In the nodal system each node of such an arm costs an unknown and,
since port columns are eliminated last, fill-in between that port and everything the junction
reaches: a microstrip branch-line coupler with feed lines has 16 unknowns and 2814 operations,
against 8 and 912 without them; a lumped triplexer (three 7-part arms from a common port) had
22 unknowns and took 4 s to compile its unrolled elimination.

So a port whose node is the start of a ladder (`circuit.ladder`: series parts along a chain of
nodes, shunt parts to ground at its nodes) is moved to the chain's far node, the first node where
anything else meets it (a junction, another port's node): the circuit without the arm (the
interior) is solved with the port there, on the same reference z0, and the arm's scattering
matrix t (port 1 at the port, from its chain product) is connected to it afterwards, port k at a
time (the standard connection of two networks, as scikit-rf's `connect`):

    D = 1 - S_kk t22
    S'_ij = S_ij + S_ik t22 S_kj / D     S'_ik = S_ik t21 / D     S'_ki = t12 S_ki / D
    S'_kk = t11 + t12 t21 S_kk / D

D vanishes only where the port's reference plane sees total reflection from both sides in step,
a lossless mode trapped between arm and interior, where the nodal equations are singular as well.
Products keep small quantities' relative precision: a deep stop-band's S21 is S_ik t21 / D. The
0 Hz points of a circuit that may be singular there are still solved whole (`Circuit.s`).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from pmrf_cli.circuit.ladder import Link, series_ends, shunt_node
from pmrf_cli.circuit.topology import Topology, renumbered


@dataclass(frozen=True)
class Feed:
    """Port `port`'s arm: `links` (shunts at a node, then the series part to the next node) in
    order from the port's node to node `far`."""

    port: int
    links: tuple[Link, ...]
    far: int


def find_feeds(topo: Topology) -> tuple[Feed, ...]:
    """The ports whose node starts an arm (see the module doc), in port order. A node is never
    both one arm's start and another's far end; an arm has at least one series part."""
    touching: dict[int, list[int]] = {}
    for i, pl in enumerate(topo.placements):
        for n in set(pl.plus + pl.minus):
            if n >= 0:
                touching.setdefault(n, []).append(i)
    series = {i: series_ends(pl) for i, pl in enumerate(topo.placements)}
    shunt = {i: shunt_node(pl) for i, pl in enumerate(topo.placements)}
    ports = topo.port_nodes

    def step(node: int, came_by: int | None) -> tuple[list[int], list[int]] | None:
        """(shunts, onward series parts) at `node`, None when something else touches it."""
        shunts, onward = [], []
        for i in touching.get(node, ()):
            if i == came_by:
                continue
            if shunt[i] is not None:
                shunts.append(i)
            elif series[i] is not None:
                onward.append(i)
            else:
                return None
        return shunts, onward

    claimed: set[int] = set()
    starts: set[int] = set()
    fars: set[int] = set()
    feeds = []
    for k, node in enumerate(ports):
        if ports.count(node) != 1 or node in fars:
            continue
        here = step(node, None)
        if here is None or len(here[1]) != 1 or claimed & set(touching[node]):
            continue
        links: list[Link] = []
        seen = {node}
        while True:
            shunts, onward = here
            links.extend(Link(i, "shunt") for i in shunts)
            i = onward[0]
            pl = topo.placements[i]
            a, b = series[i]
            nxt = b if a == node else a
            links.append(Link(i, "series", (not pl.element) and pl.plus[0] != node))
            node = nxt
            here = step(node, i)
            if (node in ports or node in seen or here is None or len(here[1]) != 1
                    or claimed & set(touching[node]) or here[1][0] in claimed):
                break
            seen.add(node)
        if node in seen or node in starts:  # back on itself (a loop), or on another arm's port
            continue
        claimed.update(link.index for link in links)
        starts.add(ports[k])
        fars.add(node)
        feeds.append(Feed(k, tuple(links), node))
    return tuple(feeds)


def interior(topo: Topology, feeds: tuple[Feed, ...]) -> Topology:
    """The circuit without its arms, each fed port moved to its arm's far node."""
    gone = {link.index for f in feeds for link in f.links}
    ports = list(topo.port_nodes)
    for f in feeds:
        ports[f.port] = f.far
    placements = [pl for i, pl in enumerate(topo.placements) if i not in gone]
    moved = Topology(topo.node_names, topo.placements, tuple(ports))
    return renumbered(moved, placements)


def connect(s, feeds: tuple[Feed, ...], arms) -> jnp.ndarray:
    """The interior's S (F, P, P) with each feed's arm connected at its port: `arms` holds each
    arm's S (F, 2, 2), port 1 at the port, on that port's reference (see the module doc)."""
    for f, t in zip(feeds, arms):
        k = f.port
        t11, t12, t21, t22 = t[:, 0, 0], t[:, 0, 1], t[:, 1, 0], t[:, 1, 1]
        col, row, skk = s[:, :, k], s[:, k, :], s[:, k, k]
        inv = 1.0 / (1.0 - skk * t22)
        s = s + col[:, :, None] * (t22 * inv)[:, None, None] * row[:, None, :]
        s = s.at[:, :, k].set(col * (t21 * inv)[:, None])
        s = s.at[:, k, :].set(row * (t12 * inv)[:, None])
        s = s.at[:, k, k].set(t11 + t12 * t21 * skk * inv)
    return s
