"""The 0 Hz points of a circuit's grid, solved where the circuit's equations are singular there.

At DC a capacitor carries no current and an inductor or a lossless line is a perfect short, so a
node between two series capacitors floats (its voltage is free) and a loop of inductors or lines
carries a free current. The equations are then singular, and the regular solvers give NaN (the
Givens elimination can even give a finite, wrong value: a ring of lossless lines read S11 = -1).
The port quantities are nonetheless unique, because what is free cannot reach a port: a floating
node connects only through elements that carry no current, a free loop current changes no node
voltage. That unique value is S at 0 Hz, the limit f -> 0 (S is continuous there).

So, where the grid is known at trace time and has 0 Hz points, and the circuit's DC graph
(`may_be_singular_at_dc`: a node with no DC path to ground or a port, or a loop of parts that may
be ideal conductors at DC) says the equations may be singular, those points are solved again by
the minimum-norm solution x = A^+ b (`jnp.linalg.pinv`: an SVD, differentiable at fixed rank) of
the dense nodal system, and S replaced there. The port voltages of x are the unique ones when
the null space of A has no port component and A x = b holds; where either fails (a node that
floats at DC drives a controlled source, whose output then has no defined value) S is NaN, which
the command line refuses with an error.

What a model does at DC is declared by its class (`Model.DC`, `Model.DC_THROUGH`): "open" (a
capacitor, a controlled source), "through" (conductors that may be ideal at DC join the port
pairs in `DC_THROUGH` and their return terminals: an inductor, a line, a coupled pair) or
"resistive" (the default: each port conducts between its terminals).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from pmrf_cli.circuit.assemble import System
from pmrf_cli.circuit.dense_solve import dense_system
from pmrf_cli.circuit.topology import Placement, Topology

#: relative size of a port component of the null space, or of the residual, that makes the DC
#: solution count as not unique (rounding leaves ~1e-16; a real free direction gives ~1)
UNIQUE_TOL = 1e-8


def dc_points(f) -> np.ndarray | None:
    """Indices of the 0 Hz points of a grid known at trace time; None if there are none or the
    grid is traced."""
    if isinstance(f, jax.core.Tracer):
        return None
    idx = np.flatnonzero(np.asarray(f) == 0)
    return idx if idx.size else None


def _links(model, pl: Placement) -> list[tuple[int, int, bool]]:
    """(node, node, may be ideal) conduction links of one placed part at DC."""
    kind = getattr(type(model), "DC", "resistive")
    if kind == "open":
        return []
    through = kind == "through"
    if pl.element:
        return [(pl.plus[0], pl.minus[0], through)]
    if not through:
        return [(p, m, False) for p, m in zip(pl.plus, pl.minus)]
    out = []
    for i, j in type(model).DC_THROUGH:
        out += [(pl.plus[i], pl.plus[j], True), (pl.minus[i], pl.minus[j], True)]
    return out


class _Sets:
    """Union-find over node indices (-1 is ground)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> bool:
        """Join the sets of a and b; False if they were joined already."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[ra] = rb
        return True


def may_be_singular_at_dc(topo: Topology, components) -> bool:
    """Whether the circuit's equations may be singular at 0 Hz: some node has no DC path to
    ground or a port (ports are terminated to ground), or parts that may be ideal conductors
    at DC close a loop (through ground too)."""
    reach, ideal = _Sets(), _Sets()
    for node in topo.port_nodes:
        reach.union(node, -1)
    for model, pl in zip(components, topo.placements):
        for a, b, through in _links(model, pl):
            reach.union(a, b)
            if through and not (a == b == -1) and not ideal.union(a, b):
                return True
    return any(reach.find(n) != reach.find(-1) for n in range(len(topo.node_names)))


def solve_ports_min_norm(system: System, nfreq: int):
    """Port-node voltages under unit port currents (F, P, P) from the minimum-norm solution of the
    dense system; NaN at points where they are not unique or the system has no solution."""
    a, rhs = dense_system(system, nfreq)
    a_plus = jnp.linalg.pinv(a)
    x = a_plus @ rhs
    pn = np.asarray(system.port_nodes)
    # checks, not values: their derivatives are not wanted
    a_s, x_s, ap_s = (jax.lax.stop_gradient(v) for v in (a, x, a_plus))
    null_ports = jnp.eye(system.n)[pn] - (ap_s @ a_s)[:, pn, :]  # port rows of I - A^+ A
    scale = jnp.max(jnp.abs(a_s), axis=(-2, -1)) * jnp.max(jnp.abs(x_s), axis=(-2, -1)) + system.port_rhs
    residual = jnp.max(jnp.abs(a_s @ x_s - rhs), axis=(-2, -1))
    unique = (jnp.max(jnp.abs(null_ports), axis=(-2, -1)) < UNIQUE_TOL) & (residual < UNIQUE_TOL * scale)
    return jnp.where(unique[:, None, None], x[:, pn, :], jnp.nan)
