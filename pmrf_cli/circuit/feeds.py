"""Feed lines: a TEM line between a port and the rest of a nodal circuit, connected afterwards.

Couplers, dividers and multiplexers are usually drawn with a line from each port to the
junction (a branch-line coupler's four 50-ohm feeds, a rat-race's arms). In the nodal system
each such line costs its port node, its current unknown and, since port columns are eliminated
last, fill-in between that port and everything the junction reaches: a microstrip branch-line
coupler with feeds has 16 unknowns and 2814 operations, against 8 and 912 without them.

So a port whose node touches nothing but one TEM line (`models.tline.TEMLine`, both its ports
to ground), whose far node is no port's, is moved to that far node: the circuit without the feed
(the interior) is solved with the port there, on the same reference z0, and the line's
scattering matrix t (port 1 at the port, from its chain form) is connected to it afterwards,
port k at a time (the standard connection of two networks, as scikit-rf's `connect`):

    D = 1 - S_kk t22
    S'_ij = S_ij + S_ik t22 S_kj / D     S'_ik = S_ik t21 / D     S'_ki = t12 S_ki / D
    S'_kk = t11 + t12 t21 S_kk / D

D never comes near 0 for a passive interior: |S_kk| <= 1 and a line's |t22|, its reflection
between z0 terminations, stays well below 1 for any realistic impedance ratio (0.6 for a
100-ohm line on 50 ohm, 0.98 for 5 ohm), and a line is never opaque, at DC neither. The 0 Hz
points of a circuit that may be singular there are still solved whole (`Circuit.s`).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from pmrf_cli.circuit.topology import Topology, renumbered
from pmrf_cli.models.base import chain_to_s


@dataclass(frozen=True)
class Feed:
    """The line `index` from port `port`'s node to node `far`; `reverse` when the line's port 1
    is on the far node."""

    port: int
    index: int
    far: int
    reverse: bool


def find_feeds(topo: Topology, components) -> tuple[Feed, ...]:
    """The ports reached through a feed line (see the module doc), in port order."""
    from pmrf_cli.models.tline import TEMLine

    touching: dict[int, list[int]] = {}
    for i, pl in enumerate(topo.placements):
        for n in set(pl.plus + pl.minus):
            if n >= 0:
                touching.setdefault(n, []).append(i)
    ports = topo.port_nodes
    feeds = []
    for k, node in enumerate(ports):
        parts = touching.get(node, [])
        if ports.count(node) != 1 or len(parts) != 1:
            continue
        i = parts[0]
        pl = topo.placements[i]
        if pl.element or len(pl.plus) != 2 or pl.minus != (-1, -1) or not isinstance(components[i], TEMLine):
            continue
        far = pl.plus[1] if pl.plus[0] == node else pl.plus[0]
        if far < 0 or far == node or far in ports:
            continue
        feeds.append(Feed(k, i, far, pl.plus[0] != node))
    return tuple(feeds)


def interior(topo: Topology, feeds: tuple[Feed, ...]) -> Topology:
    """The circuit without its feed lines, each fed port moved to its line's far node."""
    gone = {f.index for f in feeds}
    ports = list(topo.port_nodes)
    for f in feeds:
        ports[f.port] = f.far
    placements = [pl for i, pl in enumerate(topo.placements) if i not in gone]
    moved = Topology(topo.node_names, topo.placements, tuple(ports))
    return renumbered(moved, placements)


def connect(s, feeds: tuple[Feed, ...], chains, z0, freq_shape) -> jnp.ndarray:
    """The interior's S (F, P, P) with each feed line (its chain form, in `chains`) connected
    at its port, on that port's reference (see the module doc)."""
    for f, chain in zip(feeds, chains):
        k = f.port
        t = chain_to_s(chain.reversed() if f.reverse else chain, z0[k], z0[k], freq_shape)
        t11, t12, t21, t22 = t[:, 0, 0], t[:, 0, 1], t[:, 1, 0], t[:, 1, 1]
        col, row, skk = s[:, :, k], s[:, k, :], s[:, k, k]
        inv = 1.0 / (1.0 - skk * t22)
        s = s + col[:, :, None] * (t22 * inv)[:, None, None] * row[:, None, :]
        s = s.at[:, :, k].set(col * (t21 * inv)[:, None])
        s = s.at[:, k, :].set(row * (t12 * inv)[:, None])
        s = s.at[:, k, k].set(t11 + t12 * t21 * skk * inv)
    return s
