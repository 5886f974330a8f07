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

import jax.numpy as jnp
import numpy as np

from pmrf_cli.cplx import Cx

from pmrf_cli.circuit.topology import Topology
from pmrf_cli.models.stamp import PortStamp

R_SCALE = 50.0


@dataclass(frozen=True)
class Block:
    """Contributions `scale * source[k]` added at (rows[k], cols[k]).

    The source is either a stamp matrix (`stamp`, `which`, entry indices `p`, `q`) or constants
    `const` (numbers or a traced (k,) array).
    """

    rows: np.ndarray
    cols: np.ndarray
    scale: float = 1.0
    stamp: PortStamp | None = None
    which: str | None = None
    p: np.ndarray | None = None
    q: np.ndarray | None = None
    const: object = None

    def entry(self, k: int) -> Cx:
        """Contribution k as a `Cx` (exact zeros and real/imaginary structure kept)."""
        if self.stamp is not None:
            return self.stamp.entry(self.which, int(self.p[k]), int(self.q[k])) * self.scale
        c = self.const[k]
        return Cx.of(c.item() if isinstance(c, np.generic) else c) * self.scale

    def array(self, nfreq: int):
        """All contributions as a complex array (F, k)."""
        if self.stamp is not None:
            return self.stamp.array(self.which, nfreq)[:, self.p, self.q] * self.scale
        return jnp.broadcast_to(jnp.asarray(self.const) * self.scale, (nfreq, self.rows.size)).astype(complex)


@dataclass(frozen=True)
class System:
    """The assembled system: size n, contribution blocks, port rows/columns."""

    n: int
    blocks: tuple[Block, ...]
    port_nodes: tuple[int, ...]
    port_rhs: float = R_SCALE


def _signed(blocks, rows_of, cols_of, p, q, signs_r, signs_c, **source):
    """Add a source at (rows_of[p], cols_of[q]) for every node-side sign pair, skipping ground."""
    for rnodes, rs in zip(rows_of, signs_r):
        for cnodes, cs in zip(cols_of, signs_c):
            r, c = rnodes[p], cnodes[q]
            keep = (r >= 0) & (c >= 0)
            if not keep.any():
                continue
            scale = source.get("scale", 1.0)
            extra = {k: v for k, v in source.items() if k != "scale"}
            if extra.get("const") is not None:
                extra["const"] = extra["const"][keep]
                blocks.append(Block(r[keep], c[keep], scale * rs * cs, **extra))
            else:
                blocks.append(Block(r[keep], c[keep], scale * rs * cs, p=p[keep], q=q[keep], **extra))


def assemble(topo: Topology, stamps: tuple[PortStamp, ...], port_z0) -> System:
    """Build the system's contribution blocks (values stay traced; indices are static)."""
    nn = len(topo.node_names)
    blocks: list[Block] = []
    nb = 0
    branch_base = []
    for st in stamps:
        branch_base.append(nn + nb)
        nb += st.nbranch
    r = R_SCALE
    for st, pl, base in zip(stamps, topo.placements, branch_base):
        plus, minus = np.asarray(pl.plus), np.asarray(pl.minus)
        if st.y is not None:
            p, q = np.nonzero(st.pattern("y"))
            _signed(blocks, (plus, minus), (plus, minus), p, q, (1, -1), (1, -1), stamp=st, which="y", scale=r)
        if st.is_admittance:
            continue
        xs = base + np.arange(st.nbranch)
        # KCL: port current I = ... + K x flows from the + node into the part and back at the - node
        # (x carried as r x, KCL rows multiplied by r: the coefficient stays K)
        p, q = np.nonzero(st.pattern("k"))
        _signed(blocks, (plus, minus), (xs,), p, q, (1, -1), (1,), stamp=st, which="k")
        # port relations: M V + (N / r) (r x) = 0
        p, q = np.nonzero(st.pattern("m"))
        if p.size:
            _signed(blocks, (xs,), (plus, minus), p, q, (1,), (1, -1), stamp=st, which="m")
        p, q = np.nonzero(st.pattern("n"))
        if p.size:
            _signed(blocks, (xs,), (xs,), p, q, (1,), (1,), stamp=st, which="n", scale=1 / r)
    pn = np.asarray(topo.port_nodes)
    g = jnp.broadcast_to(r / jnp.asarray(port_z0), pn.shape)
    blocks.append(Block(pn, pn, 1.0, const=g))
    return System(nn + nb, tuple(blocks), topo.port_nodes)
