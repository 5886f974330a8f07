"""Assemble the modified nodal system of a circuit from its components' port stamps.

Unknowns: the voltage of every non-ground node, then, for every component stamped in descriptor
form, its port currents. Rows: Kirchhoff's current law at every node, then each descriptor's
port relations. Each external port p at node n is terminated in its reference conductance
1/z0_p and driven by a unit current source, so the solution gives the terminated network's
transfer impedances Zt and S = 2 sqrt(g) Zt sqrt(g) - I (always finite for a solvable
circuit, even where the open-circuit Z of the network does not exist).

Scaling: current unknowns are carried as r*I and KCL rows multiplied by r (r = 50 ohm), so every
coefficient is dimensionless and O(1); partial pivoting then compares like with like.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pmrf_cli.circuit.topology import Topology
from pmrf_cli.models.stamp import PortStamp

R_SCALE = 50.0


@dataclass(frozen=True)
class Block:
    """Contributions `vals[..., k]` (or constants) added at (rows[k], cols[k])."""

    rows: np.ndarray
    cols: np.ndarray
    vals: object  # array (F, k), or numpy constants (k,)


@dataclass(frozen=True)
class System:
    """The assembled system: size n, contribution blocks, port rows/columns."""

    n: int
    blocks: tuple[Block, ...]
    port_nodes: tuple[int, ...]
    port_rhs: float = R_SCALE


def _pairs(pattern: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p, q = np.nonzero(pattern)
    return p, q


def _signed_blocks(rows_of, cols_of, p, q, vals, sign_rows, sign_cols, blocks):
    """Add vals at (rows_of[p], cols_of[q]) with the given node-side signs, skipping ground (-1)."""
    for rnodes, rs in zip(rows_of, sign_rows):
        for cnodes, cs in zip(cols_of, sign_cols):
            r, c = rnodes[p], cnodes[q]
            keep = (r >= 0) & (c >= 0)
            if not keep.any():
                continue
            v = vals[..., keep] if not isinstance(vals, np.ndarray) else vals[keep]
            blocks.append(Block(r[keep], c[keep], v * (rs * cs)))


def assemble(topo: Topology, stamps: tuple[PortStamp, ...], port_z0) -> System:
    """Build the system's contribution blocks (arrays stay traced; indices are static)."""
    nn = len(topo.node_names)
    blocks: list[Block] = []
    nb = 0
    branch_base = []
    for st in stamps:
        branch_base.append(nn + nb)
        if not st.is_admittance:
            nb += st.nports
    r = R_SCALE
    for st, pl, base in zip(stamps, topo.placements, branch_base):
        plus, minus = np.asarray(pl.plus), np.asarray(pl.minus)
        if st.is_admittance:
            p, q = _pairs(st.pattern("y"))
            vals = st.y[..., p, q] * r
            _signed_blocks((plus, minus), (plus, minus), p, q, vals, (1, -1), (1, -1), blocks)
            continue
        k = st.nports
        xs = base + np.arange(k)
        # KCL: branch current (scaled) leaves the + node into the part, returns at the - node
        ar = np.arange(k)
        _signed_blocks((plus, minus), (xs,), ar, ar, np.ones(k), (1, -1), (1,), blocks)
        # port relations: M V + (N / r) (r I) = 0
        p, q = _pairs(st.pattern("m"))
        if p.size:
            _signed_blocks((xs,), (plus, minus), p, q, st.m[..., p, q], (1,), (1, -1), blocks)
        p, q = _pairs(st.pattern("n"))
        if p.size:
            _signed_blocks((xs,), (xs,), p, q, st.n[..., p, q] / r, (1,), (1,), blocks)
    pn = np.asarray(topo.port_nodes)
    g = r / np.broadcast_to(np.asarray(port_z0, dtype=float), pn.shape) if not _is_traced(port_z0) else None
    if g is not None:
        blocks.append(Block(pn, pn, g.astype(float)))
    else:
        blocks.append(Block(pn, pn, r / port_z0))
    return System(nn + nb, tuple(blocks), topo.port_nodes)


def _is_traced(x) -> bool:
    try:
        np.asarray(x, dtype=float)
        return False
    except Exception:
        return True
